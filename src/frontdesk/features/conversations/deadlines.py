"""The conversation's durable deadlines: the incoming timeout and the idle end."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.core.clock import as_utc
from frontdesk.deadlines import service as timers
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.conversations.commands import add_message, close_conversation
from frontdesk.features.conversations.lifecycle import (
    IDLE_END_AFTER,
    KIND_IDLE_END,
    OPEN_STATUSES,
)
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.conversations.queries import open_conversation_for_visitor
from frontdesk.features.visitors import visitor_voice
from frontdesk.runtime import Runtime


async def on_incoming_timeout(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status != "incoming":
            return  # accepted or ended meanwhile: nothing to do (idempotent)
        await work.run_hooks("conversation.incoming_timed_out", conversation)
        # Reports tell these apart: reps were there and nobody took it, or nobody was there.
        conversation.missed_kind = (
            "queue_timeout" if conversation.meta.offline else "inbound_timeout"
        )
        await close_conversation(work, conversation, status="missed", reason="no_rep_accepted")


async def on_idle_end(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status not in OPEN_STATUSES:
            return
        live = await runtime.live.get(conversation.org_id, conversation.visitor_id)
        if live is not None and live.activity == "active":
            return  # came back just now; the socket will reschedule when they go idle again
        # A visitor message does not cancel this deadline (that would cost a write on every
        # message); a message since the visitor went idle means they were not idle after all.
        went_idle_at = deadline.due_at - IDLE_END_AFTER
        last_spoke = (
            await work.session.execute(
                select(func.max(Message.created_at)).where(
                    Message.conversation_id == conversation.id,
                    Message.author_kind == "visitor",
                )
            )
        ).scalar_one_or_none()
        if last_spoke is not None and as_utc(last_spoke) > went_idle_at:
            return
        await add_message(
            work,
            conversation,
            author_kind="system",
            # In the visitor's language (features/orgs/visitor_texts.py): it is said to them.
            body=(
                await visitor_voice(work.session, conversation.org_id, conversation.visitor_id)
            ).say("serverIdleEnded"),
        )
        await close_conversation(work, conversation, status="ended", reason="visitor_idle")


async def visitor_activity_changed(
    runtime: Runtime, org_id: str, visitor_id: str, active: bool
) -> None:
    """Schedule the 10-minute idle end when the visitor stops being active; cancel on return."""
    async with runtime.db.transaction() as session:
        conversation = await open_conversation_for_visitor(session, visitor_id)
        if conversation is None:
            return
        now = runtime.clock.now()
        if active:
            await timers.cancel(session, kind=KIND_IDLE_END, subject_id=conversation.id, now=now)
        else:
            await timers.schedule(
                session,
                kind=KIND_IDLE_END,
                subject_id=conversation.id,
                due_at=now + IDLE_END_AFTER,
                now=now,
                org_id=org_id,
            )
