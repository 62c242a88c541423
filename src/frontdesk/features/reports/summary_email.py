"""The admins' daily summary email: yesterday's figures in the org's time zone, sent each
morning (07:00 there) to each admin who opted in, as a durable deadline per admin (claimed by
one server process, so it is sent once however many run; retried if sending fails), with a
signed one-click unsubscribe link (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Forbidden
from frontdesk.deadlines import service as timers
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.orgs import Authenticated, email_settings
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.reports.schemas import Figures
from frontdesk.features.reports.service import ReportRequest, build_report, parse_zone
from frontdesk.outbound import send_mail
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.email")

KIND_DAILY_SUMMARY = "reports.daily_summary"
SEND_AT = time(7, 0)  # local time in the org's time zone
UNSUBSCRIBE_PATH = "/email/unsubscribe"

# (label, how to read it off the day's figures)
LINES: tuple[tuple[str, str], ...] = (
    ("Chats", "conversations_started"),
    ("Answered", "conversations_answered"),
    ("Missed", "missed"),
    ("First response (median)", "first_response_median_seconds"),
    ("Pounces sent", "pounces_sent"),
    ("Meetings booked", "meetings_booked"),
    ("Calls", "calls"),
)


def next_send_at(now: datetime, zone: ZoneInfo) -> datetime:
    """The next 07:00 in the zone after now."""
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), SEND_AT, zone)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), SEND_AT, zone)
    return at


def _zone(org: Org) -> ZoneInfo:
    try:
        return parse_zone(str(email_settings(org)["time_zone"]))
    except Exception:
        return ZoneInfo("UTC")


async def schedule_daily_summary(session: AsyncSession, rep: Rep, org: Org, now: datetime) -> None:
    """Set (or cancel) an admin's daily summary after their preference changed."""
    if rep.daily_summary_email and rep.role == "admin" and rep.active:
        await timers.schedule(
            session,
            kind=KIND_DAILY_SUMMARY,
            subject_id=rep.id,
            due_at=next_send_at(now, _zone(org)),
            now=now,
            org_id=rep.org_id,
        )
    else:
        await timers.cancel(session, kind=KIND_DAILY_SUMMARY, subject_id=rep.id, now=now)


# ---- the signed unsubscribe link ---------------------------------------------------------------


def _signature(key: str, rep_id: str) -> str:
    message = f"daily-summary-unsubscribe:{rep_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:40]


def unsubscribe_url(runtime: Runtime, rep_id: str) -> str:
    base = (runtime.settings.public_url or "").rstrip("/")
    query = urlencode({"r": rep_id, "s": _signature(runtime.settings.secret_key, rep_id)})
    return f"{base}{UNSUBSCRIBE_PATH}?{query}"


def check_unsubscribe(runtime: Runtime, rep_id: str, signature: str) -> None:
    if not rep_id or not any(
        hmac.compare_digest(_signature(key, rep_id), signature)
        for key in runtime.settings.secret_keys
    ):
        raise Forbidden("this unsubscribe link is not valid")


async def unsubscribe(runtime: Runtime, rep_id: str, signature: str) -> str:
    """Turn the daily summary off for the rep the signed link names; returns their address."""
    check_unsubscribe(runtime, rep_id, signature)
    async with runtime.uow() as work:
        rep = await work.session.get(Rep, rep_id)
        if rep is None:
            raise Forbidden("this unsubscribe link is not valid")
        rep.daily_summary_email = False
        now = work.now_clock.now()
        await timers.cancel(work.session, kind=KIND_DAILY_SUMMARY, subject_id=rep.id, now=now)
        return rep.email


async def subscribed_address(runtime: Runtime, rep_id: str, signature: str) -> tuple[str, bool]:
    """Whose link it is, and whether they still get the summary (for the confirm page)."""
    check_unsubscribe(runtime, rep_id, signature)
    async with runtime.db.read() as session:
        rep = await session.get(Rep, rep_id)
    if rep is None:
        raise Forbidden("this unsubscribe link is not valid")
    return rep.email, rep.daily_summary_email


# ---- sending -----------------------------------------------------------------------------------


def _value(figures: Figures, field: str) -> str:
    value = getattr(figures, field)
    if value is None:
        return "-"
    if field.endswith("_seconds"):
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return str(value)


def summary_message(
    *,
    org_name: str,
    mail_from: str,
    to: str,
    day: str,
    zone: str,
    figures: Figures,
    reports_link: str,
    unsubscribe_link: str,
) -> EmailMessage:
    """Yesterday's figures: plain text and HTML, with the unsubscribe link in both and in the
    List-Unsubscribe headers (one-click: mail clients POST to it)."""
    rows = [(label, _value(figures, field)) for label, field in LINES]
    width = max(len(label) for label, _ in rows)
    text = (
        f"{org_name}: {day} ({zone})\n\n"
        + "".join(f"{label.ljust(width)}  {value}\n" for label, value in rows)
        + f"\nReports: {reports_link}\n\n"
        f"You get this because you turned on the daily summary. Unsubscribe: {unsubscribe_link}\n"
    )
    cells = "".join(
        f'<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0">'
        f"{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    page = (
        f"<p><strong>{html.escape(org_name)}</strong>: {html.escape(day)} "
        f"({html.escape(zone)})</p><table>{cells}</table>"
        f'<p><a href="{html.escape(reports_link, quote=True)}">Open reports</a></p>'
        '<p style="color:#6b7280;font-size:12px">You get this because you turned on the daily '
        f'summary. <a href="{html.escape(unsubscribe_link, quote=True)}">Unsubscribe</a></p>'
    )
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = f"[{org_name}] Daily summary for {day}"
    message["List-Unsubscribe"] = f"<{unsubscribe_link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    return message


async def on_daily_summary(runtime: Runtime, deadline: DueDeadline) -> None:
    """Send one admin yesterday's figures, then set the timer for tomorrow."""
    async with runtime.db.read() as session:
        rep = await session.get(Rep, deadline.subject_id)
        org = await session.get(Org, rep.org_id) if rep else None
        if rep is None or org is None:
            return
        if not (rep.daily_summary_email and rep.active and rep.role == "admin"):
            return
        zone = _zone(org)
        # Yesterday as of when it was due (a late sweep still reports the day it was due for).
        day = deadline.due_at.astimezone(zone).date() - timedelta(days=1)
        report = await build_report(
            session,
            Authenticated(rep=rep, session_id="", csrf_token=""),
            ReportRequest(start=day, end=day, zone=zone.key),
        )
        org_name = org.name
    smtp_url = runtime.settings.smtp_url
    if smtp_url:
        base = (runtime.settings.public_url or "").rstrip("/")
        message = summary_message(
            org_name=org_name,
            mail_from=runtime.settings.mail_from,
            to=rep.email,
            day=day.isoformat(),
            zone=zone.key,
            figures=report.totals,
            reports_link=f"{base}/app/reports",
            unsubscribe_link=unsubscribe_url(runtime, rep.id),
        )
        # smtplib blocks: run it in a thread. An exception leaves the deadline to be retried.
        await asyncio.to_thread(send_mail, smtp_url, message)
    else:
        log.warning("daily summary for %s not emailed: no FRONTDESK_SMTP_URL", rep.id)
    async with runtime.db.transaction() as session:
        now = runtime.clock.now()
        await timers.schedule(
            session,
            kind=KIND_DAILY_SUMMARY,
            subject_id=rep.id,
            due_at=next_send_at(max(now, deadline.due_at), zone),
            now=now,
            org_id=rep.org_id,
        )
