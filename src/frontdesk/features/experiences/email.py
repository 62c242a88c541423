"""Emailing offline messages to reps over SMTP (FRONTDESK_SMTP_URL), as a durable deadline."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.experiences.schemas import EmailReport, OfflineMessageOut
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.outbound import send_mail
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.email")

# Stored in OfflineMessage.email_error when the server has no mail server to send with. A code,
# not prose: the console words it for reps, and tells admins what to configure.
NO_MAIL_SERVER = "no_mail_server"


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
    send_mail(smtp_url, message)


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
        to = sorted(r.email for r in reps if not routed or r.id in routed)
        smtp_url = runtime.settings.smtp_url
        if not smtp_url:
            message.email_error = NO_MAIL_SERVER
            return
        subject = f"[{org.name if org else 'Frontdesk'}] Offline message from {message.name or message.email}"
        body = f"{message.name or 'A visitor'} <{message.email}> left a message while nobody was available:\n\n{message.body}\n"
        # smtplib blocks: run it in a thread. An exception leaves the deadline to be retried.
        await asyncio.to_thread(
            _send, smtp_url, runtime.settings.mail_from, to, subject, body, message.email
        )
        message.emailed_at = runtime.clock.now()
        message.email_error = None
