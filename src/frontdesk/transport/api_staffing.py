"""HTTP for business hours (org and teams, holidays, iCal holiday feeds, who is open now) and
chat capacity (the org default, each rep's limit, the queue's overflow choice)."""

from __future__ import annotations

from frontdesk.core.errors import ValidationFailed
from frontdesk.features import staffing
from frontdesk.features.staffing.schemas import (
    CapacityBody,
    CapacityOut,
    HolidayFeedBody,
    HoursBody,
    HoursList,
    HoursOut,
    HoursStatus,
    RepLimitBody,
)
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx, Ok


def _scope(ctx: Ctx) -> str:
    """ "org", or a team's id."""
    if ctx.request.match_info["scope"] == "org":
        return "org"
    return ctx.path_param("scope")


@api.route(
    "GET",
    "/api/business-hours",
    response=HoursList,
    summary="Business hours of the org and of each team, with holidays and whether open now",
)
async def list_hours(ctx: Ctx, _: None) -> HoursList:
    async with ctx.runtime.db.read() as session:
        return HoursList(
            hours=await staffing.list_hours(session, ctx.rep.org_id, ctx.runtime.clock.now())
        )


@api.route(
    "GET",
    "/api/business-hours/status",
    response=HoursStatus,
    summary="Who is inside business hours now, and when each closed team is back",
)
async def hours_status(ctx: Ctx, _: None) -> HoursStatus:
    async with ctx.runtime.db.read() as session:
        return await staffing.hours_status(session, ctx.rep.org_id, ctx.runtime.clock.now())


@api.route(
    "PUT",
    "/api/business-hours/{scope}",
    auth="admin",
    body=HoursBody,
    response=HoursOut,
    summary="Set business hours for the org ('org') or a team (its id): weekly hours in a "
    "time zone, holidays, the away experience",
)
async def set_hours(ctx: Ctx, body: HoursBody) -> HoursOut:
    async with ctx.runtime.db.transaction() as session:
        return await staffing.set_hours(
            session, ctx.rep.org_id, _scope(ctx), body, ctx.runtime.clock.now()
        )


@api.route(
    "DELETE",
    "/api/business-hours/{scope}",
    auth="admin",
    response=Ok,
    summary="Remove business hours (the org or team is then always inside hours)",
)
async def delete_hours(ctx: Ctx, _: None) -> Ok:
    async with ctx.runtime.db.transaction() as session:
        await staffing.delete_hours(session, ctx.rep.org_id, _scope(ctx))
    return Ok()


@api.route(
    "POST",
    "/api/business-hours/{scope}/holiday-feed",
    auth="admin",
    body=HolidayFeedBody,
    response=HoursOut,
    summary="Import holidays from an iCal feed (a URL read now, or the file's text); they "
    "replace the holidays imported before",
)
async def import_holiday_feed(ctx: Ctx, body: HolidayFeedBody) -> HoursOut:
    if (body.url is None) == (body.ics is None):
        raise ValidationFailed("send either url or ics")
    now = ctx.runtime.clock.now()
    text = (
        body.ics.encode()
        if body.ics is not None
        else await staffing.fetch_feed(
            body.url or "", allow_private=ctx.runtime.settings.allow_private_targets
        )
    )
    days = staffing.holidays_from_ical(text, now)
    async with ctx.runtime.db.transaction() as session:
        return await staffing.import_holidays(
            session, ctx.rep.org_id, _scope(ctx), days, body.url, now
        )


@api.route(
    "GET",
    "/api/capacity",
    response=CapacityOut,
    summary="Chat capacity: the org default, each rep's open chats and limit, the queue",
)
async def get_capacity(ctx: Ctx, _: None) -> CapacityOut:
    async with ctx.runtime.db.read() as session:
        return await staffing.capacity_out(session, ctx.rep.org_id)


@api.route(
    "PUT",
    "/api/capacity",
    auth="admin",
    body=CapacityBody,
    response=CapacityOut,
    summary="Set the org's chat capacity per rep and what happens beyond everyone's",
)
async def set_capacity(ctx: Ctx, body: CapacityBody) -> CapacityOut:
    async with ctx.runtime.uow() as work:
        await staffing.set_capacity(work, ctx.rep.org_id, body)
        return await staffing.capacity_out(work.session, ctx.rep.org_id)


@api.route(
    "PUT",
    "/api/reps/{rep_id}/chat-limit",
    auth="admin",
    body=RepLimitBody,
    response=CapacityOut,
    summary="Set one rep's chat limit (null: the org default)",
)
async def set_rep_limit(ctx: Ctx, body: RepLimitBody) -> CapacityOut:
    async with ctx.runtime.uow() as work:
        await staffing.set_rep_limit(work, ctx.rep.org_id, ctx.path_param("rep_id"), body)
        return await staffing.capacity_out(work.session, ctx.rep.org_id)
