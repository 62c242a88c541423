"""Emailing reps over SMTP (FRONTDESK_SMTP_URL) as durable deadlines: offline messages, missed chats."""

from __future__ import annotations

import asyncio
import html
import logging
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.deadlines import service as timers
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.experiences.schemas import EmailReport, OfflineMessageOut
from frontdesk.features.orgs import email_settings
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.visitors.models import Visitor
from frontdesk.outbound import send_mail
from frontdesk.runtime import Runtime, UnitOfWork

log = logging.getLogger("frontdesk.email")

# Stored in OfflineMessage.email_error when the server has no mail server to send with. A code,
# not prose: the console words it for reps, and tells admins what to configure.
NO_MAIL_SERVER = "no_mail_server"
# Every rep it would go to turned these emails off, and the org has no team address.
NOBODY_TO_EMAIL = "nobody_to_email"


async def list_offline_messages(
    session: AsyncSession, org_id: str, *, for_admin: bool
) -> list[OfflineMessageOut]:
    """The org's last 200 offline messages, newest first, each with how its email went."""
    rows = await session.execute(
        select(OfflineMessage)
        .where(OfflineMessage.org_id == org_id)
        .order_by(OfflineMessage.created_at.desc())
        .limit(200)
    )
    return [
        OfflineMessageOut(
            id=m.id,
            visitor_id=m.visitor_id,
            conversation_id=m.conversation_id,
            name=m.name,
            email=m.email,
            body=m.body,
            created_at=m.created_at.isoformat(),
            emailed_at=m.emailed_at.isoformat() if m.emailed_at else None,
            email_error=m.email_error,
            **email_status(
                m.emailed_at is not None, m.email_error, for_admin=for_admin
            ).model_dump(),
        )
        for m in rows.scalars()
    ]


def email_status(emailed: bool, email_error: str | None, *, for_admin: bool) -> EmailReport:
    """How an offline message's email went, in a rep's words; admins also get what to fix.

    `email_status` is emailed | sending | no_mail_server | failed. Rows stored before the code
    existed carry the old developer sentence about FRONTDESK_SMTP_URL: read as no_mail_server.
    """
    if emailed:
        status, note = "emailed", "Emailed to the reps it was routed to."
    elif not email_error:
        status, note = "sending", "Being emailed to the reps it was routed to."
    elif email_error == NO_MAIL_SERVER or "FRONTDESK_SMTP_URL" in email_error:
        status = "no_mail_server"
        note = "Not emailed: email isn't set up for your team yet. Reply to the visitor from here."
    elif email_error == NOBODY_TO_EMAIL:
        status = "failed"
        note = "Not emailed: the reps turned these emails off. Reply to the visitor from here."
    else:
        status, note = (
            "failed",
            "Not emailed: sending the email failed. Reply to the visitor from here.",
        )
    admin_hint = None
    if for_admin and status == "no_mail_server":
        admin_hint = (
            "To email offline messages to reps, set FRONTDESK_SMTP_URL (and FRONTDESK_MAIL_FROM) "
            "in the server's environment and restart it. See docs/configuration.md."
        )
    elif for_admin and email_error == NOBODY_TO_EMAIL:
        admin_hint = "Set a team address in Email settings, or ask reps to turn the emails on."
    elif for_admin and status == "failed":
        admin_hint = f"The mail server said: {email_error}. Check FRONTDESK_SMTP_URL."
    return EmailReport(email_status=status, email_note=note, email_admin_hint=admin_hint)


def _send(
    smtp_url: str, mail_from: str, to: list[str], subject: str, body: str, reply_to: str
) -> None:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Reply-To"] = reply_to
    message.set_content(body)
    # The same words as HTML (escaped), so every email has both parts.
    message.add_alternative(
        "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n")),
        subtype="html",
    )
    send_mail(smtp_url, message)


def _recipients(org: Org | None, reps: list[Rep], routed: set[str]) -> list[str]:
    """Who is emailed about a missed chat or an offline message: the routed reps (every active
    rep when routed to nobody in particular) who did not opt out, unless the org emails only its
    team address; and the org's team address, if set."""
    settings = email_settings(org) if org else {"team_address": None, "email_reps": True}
    to: list[str] = []
    if settings["email_reps"]:
        to = sorted(
            r.email
            for r in reps
            if r.email and r.missed_chat_emails and (not routed or r.id in routed)
        )
    team = str(settings["team_address"] or "")
    if team and team not in to:
        to.append(team)
    return to


async def on_offline_email(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.db.transaction() as session:
        message = await session.get(OfflineMessage, deadline.subject_id)
        if message is None or message.emailed_at is not None:
            return
        org = await session.get(Org, message.org_id)
        conversation = (
            await session.get(Conversation, message.conversation_id)
            if message.conversation_id
            else None
        )
        reps = list(
            (
                await session.execute(
                    select(Rep).where(Rep.org_id == message.org_id, Rep.active.is_(True))
                )
            ).scalars()
        )
        routed = set(conversation.routed_rep_ids or []) if conversation else set()
        to = _recipients(org, reps, routed)
        smtp_url = runtime.settings.smtp_url
        if not smtp_url:
            message.email_error = NO_MAIL_SERVER
            return
        if not to:
            message.email_error = NOBODY_TO_EMAIL
            return
        subject = f"[{org.name if org else 'Frontdesk'}] Offline message from {message.name or message.email}"
        body = f"{message.name or 'A visitor'} <{message.email}> left a message while nobody was available:\n\n{message.body}\n"
        # smtplib blocks: run it in a thread. An exception leaves the deadline to be retried.
        await asyncio.to_thread(
            _send, smtp_url, runtime.settings.mail_from, to, subject, body, message.email
        )
        message.emailed_at = runtime.clock.now()
        message.email_error = None


# ---- missed inbound chats ----------------------------------------------------------------------

KIND_MISSED_CHAT_EMAIL = "missed_chat_email"


async def on_incoming_timed_out_email(work: UnitOfWork, conversation: Conversation) -> None:
    """An inbound chat nobody accepted while reps were available: email the reps it was routed
    to, once, as a durable deadline (claimed by one server process; retried if sending fails).
    A chat that timed out in the queue (nobody available) showed the offline form instead, and
    the visitor's offline message is what gets emailed."""
    if conversation.meta.offline:
        return
    now = work.now_clock.now()
    await timers.schedule(
        work.session,
        kind=KIND_MISSED_CHAT_EMAIL,
        subject_id=conversation.id,
        due_at=now,
        now=now,
        org_id=conversation.org_id,
    )


async def on_missed_chat_email(runtime: Runtime, deadline: DueDeadline) -> None:
    smtp_url = runtime.settings.smtp_url
    async with runtime.db.read() as session:
        conversation = await session.get(Conversation, deadline.subject_id)
        if conversation is None:
            return
        org = await session.get(Org, conversation.org_id)
        reps = list(
            (
                await session.execute(
                    select(Rep).where(Rep.org_id == conversation.org_id, Rep.active.is_(True))
                )
            ).scalars()
        )
        visitor = await session.get(Visitor, conversation.visitor_id)
        first = (
            await session.execute(
                select(Message.body)
                .where(Message.conversation_id == conversation.id, Message.author_kind == "visitor")
                .order_by(Message.seq)
                .limit(1)
            )
        ).scalar_one_or_none()
    if not smtp_url:
        log.warning("missed chat %s not emailed: no FRONTDESK_SMTP_URL", conversation.id)
        return
    routed = set(conversation.routed_rep_ids or [])
    names = {r.email: r.name for r in reps}
    recipients = [
        (address, names.get(address, "team")) for address in _recipients(org, reps, routed)
    ]
    org_name = org.name if org else "Frontdesk"
    who = (visitor.name or visitor.email) if visitor else None
    link = f"{(runtime.settings.public_url or '').rstrip('/')}/app/conversations/{conversation.id}"
    for address, name in recipients:
        message = missed_chat_message(
            org_name=org_name,
            mail_from=runtime.settings.mail_from,
            to=address,
            rep_name=name,
            visitor=who,
            first_message=first,
            link=link,
        )
        # smtplib blocks: run it in a thread. An exception leaves the deadline to be retried.
        await asyncio.to_thread(send_mail, smtp_url, message)


def missed_chat_message(
    *,
    org_name: str,
    mail_from: str,
    to: str,
    rep_name: str,
    visitor: str | None,
    first_message: str | None,
    link: str,
) -> EmailMessage:
    """One rep's email about a missed chat: plain text and HTML, with a link to the chat."""
    who = visitor or "A visitor"
    quoted = (first_message or "").strip()[:2000]
    text = (
        f"Hi {rep_name},\n\n{who} started a chat on your website and nobody accepted it in "
        f"time.\n\n"
        + (f"They wrote:\n\n{quoted}\n\n" if quoted else "")
        + f"Open the conversation: {link}\n\n-- Frontdesk ({org_name})\n"
    )
    html_body = (
        f"<p>Hi {html.escape(rep_name)},</p>"
        f"<p>{html.escape(who)} started a chat on your website and nobody accepted it in "
        "time.</p>"
        + (f"<blockquote>{html.escape(quoted)}</blockquote>" if quoted else "")
        + f'<p><a href="{html.escape(link, quote=True)}">Open the conversation</a></p>'
        f"<p>Frontdesk ({html.escape(org_name)})</p>"
    )
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = f"[{org_name}] Missed chat from {who}"
    message.set_content(text)
    message.add_alternative(html_body, subtype="html")
    return message
