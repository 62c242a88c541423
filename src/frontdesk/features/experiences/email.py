"""Emailing offline messages to reps over SMTP (FRONTDESK_SMTP_URL), as a durable deadline."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.email")


def _send(
    smtp_url: str, mail_from: str, to: list[str], subject: str, body: str, reply_to: str
) -> None:
    parts = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Reply-To"] = reply_to
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(
        parts.hostname or "localhost",
        parts.port or (465 if parts.scheme == "smtps" else 25),
        timeout=10,
    ) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


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
            message.email_error = (
                "not emailed: FRONTDESK_SMTP_URL is not set (the message is in the console's inbox)"
            )
            return
        subject = f"[{org.name if org else 'Frontdesk'}] Offline message from {message.name or message.email}"
        body = f"{message.name or 'A visitor'} <{message.email}> left a message while nobody was available:\n\n{message.body}\n"
        # smtplib blocks: run it in a thread. An exception leaves the deadline to be retried.
        await asyncio.to_thread(
            _send, smtp_url, runtime.settings.mail_from, to, subject, body, message.email
        )
        message.emailed_at = runtime.clock.now()
        message.email_error = None
