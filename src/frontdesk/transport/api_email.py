"""Email settings over HTTP: a rep's own preferences (missed-chat emails, the admins' daily
summary), the org's team address for missed chats, and the daily summary's signed one-click
unsubscribe page (docs/reports.md, "Emails")."""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import parse_qs

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from frontdesk.core.errors import FrontdeskError, RateLimited
from frontdesk.core.schemas import Closed
from frontdesk.features import orgs, reports
from frontdesk.transport.api import api
from frontdesk.transport.api_meetings import _page
from frontdesk.transport.http import Ctx, client_ip, read_body, runtime_of

# The public unsubscribe page, per client address: people click a link once or twice.
UNSUBSCRIBES_PER_MINUTE = 20


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailPreferences(Closed):
    missed_chat_emails: bool
    daily_summary_email: bool


class EmailPreferencesBody(Strict):
    missed_chat_emails: StrictBool | None = None
    daily_summary_email: StrictBool | None = None


@api.route(
    "GET", "/api/me/email-preferences", response=EmailPreferences, summary="My email preferences"
)
async def my_email_preferences(ctx: Ctx, _: None) -> EmailPreferences:
    async with ctx.runtime.db.read() as session:
        rep = await orgs.get_rep(session, ctx.rep.org_id, ctx.rep.rep.id)
    return EmailPreferences(
        missed_chat_emails=rep.missed_chat_emails, daily_summary_email=rep.daily_summary_email
    )


@api.route(
    "PUT",
    "/api/me/email-preferences",
    body=EmailPreferencesBody,
    response=EmailPreferences,
    summary="Opt out of missed-chat emails; admins opt in to the daily summary",
)
async def set_my_email_preferences(ctx: Ctx, body: EmailPreferencesBody) -> EmailPreferences:
    async with ctx.runtime.uow() as work:
        rep = await orgs.set_email_preferences(
            work,
            ctx.rep,
            missed_chat_emails=body.missed_chat_emails,
            daily_summary_email=body.daily_summary_email,
        )
        org = await orgs.get_org(work.session, ctx.rep.org_id)
        assert org is not None
        if body.daily_summary_email is not None:
            await reports.schedule_daily_summary(work.session, rep, org, work.now_clock.now())
        return EmailPreferences(
            missed_chat_emails=rep.missed_chat_emails,
            daily_summary_email=rep.daily_summary_email,
        )


class OrgEmailSettings(Closed):
    team_address: str | None
    email_reps: bool
    time_zone: str


class OrgEmailSettingsBody(Strict):
    team_address: Annotated[StrictStr, Field(max_length=320)] | None = None
    email_reps: StrictBool = True
    time_zone: Annotated[StrictStr, Field(max_length=64)] = "UTC"


@api.route(
    "GET",
    "/api/admin/email-settings",
    auth="admin",
    response=OrgEmailSettings,
    summary="Who is emailed about missed chats; the daily summary's time zone",
)
async def org_email_settings(ctx: Ctx, _: None) -> OrgEmailSettings:
    async with ctx.runtime.db.read() as session:
        org = await orgs.get_org(session, ctx.rep.org_id)
    assert org is not None
    return OrgEmailSettings(**orgs.email_settings(org))


@api.route(
    "PUT",
    "/api/admin/email-settings",
    auth="admin",
    body=OrgEmailSettingsBody,
    response=OrgEmailSettings,
    audit=True,
    summary="Set the team address for missed chats (as well as or instead of the reps)",
)
async def set_org_email_settings(ctx: Ctx, body: OrgEmailSettingsBody) -> OrgEmailSettings:
    zone = reports.parse_zone(body.time_zone)
    org = await orgs.update_email_settings(
        ctx.runtime,
        ctx.rep.org_id,
        team_address=body.team_address,
        email_reps=body.email_reps,
        time_zone=zone.key,
    )
    # A new time zone moves the opted-in admins' next summaries to 07:00 there.
    async with ctx.runtime.uow() as work:
        for rep in await orgs.list_reps(work.session, org.id):
            if rep.daily_summary_email:
                await reports.schedule_daily_summary(work.session, rep, org, work.now_clock.now())
    return OrgEmailSettings(**orgs.email_settings(org))


# ---- the daily summary's unsubscribe page (no session: the signed link is the key) -------------


async def _check_rate(request: web.Request) -> None:
    runtime = runtime_of(request)
    ip = client_ip(request, runtime) or "unknown"
    if not await runtime.rate_limiter.hit(f"unsubscribe-ip:{ip}", UNSUBSCRIBES_PER_MINUTE, 60):
        raise RateLimited("too many requests from your network; try again in a minute")


async def unsubscribe_page(request: web.Request) -> web.StreamResponse:
    """GET only asks (mail scanners open links); the button, or a mail client's one-click
    unsubscribe (RFC 8058), POSTs."""
    rep_id, signature = request.query.get("r", ""), request.query.get("s", "")
    try:
        await _check_rate(request)
        email, subscribed = await reports.subscribed_address(runtime_of(request), rep_id, signature)
    except FrontdeskError as error:
        return _page("Link not valid", f"<p>{html.escape(error.message)}</p>", error.status)
    if not subscribed:
        return _page("Unsubscribed", f"<p>{html.escape(email)} gets no daily summary.</p>")
    return _page(
        "Stop the daily summary?",
        f"<p>{html.escape(email)} gets a summary of yesterday's chats each morning.</p>"
        '<form method="post"><button class="primary" type="submit">Unsubscribe</button></form>',
    )


async def unsubscribe_submit(request: web.Request) -> web.StreamResponse:
    rep_id, signature = request.query.get("r", ""), request.query.get("s", "")
    try:
        await _check_rate(request)
        parse_qs((await read_body(request)).decode("utf-8", "replace"))  # bounded read
        email = await reports.unsubscribe(runtime_of(request), rep_id, signature)
    except FrontdeskError as error:
        return _page("Not unsubscribed", f"<p>{html.escape(error.message)}</p>", error.status)
    return _page(
        "Unsubscribed",
        f"<p>{html.escape(email)} will get no more daily summaries. Admins can turn it on again "
        "in their profile.</p>",
    )


def mount_unsubscribe_pages(app: web.Application) -> None:
    app.router.add_get(reports.UNSUBSCRIBE_PATH, unsubscribe_page)
    app.router.add_post(reports.UNSUBSCRIBE_PATH, unsubscribe_submit)
