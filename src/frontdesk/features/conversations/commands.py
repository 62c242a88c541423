"""Conversations: the only code that creates them, stores messages, accepts and ends them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as timers
from frontdesk.features import audience
from frontdesk.features.conversations.events import ConversationSummary, MessageOut
from frontdesk.features.conversations.group_writer import AttachedRow, open_chat_writer
from frontdesk.features.conversations.lifecycle import (
    INCOMING_TIMEOUT,
    KIND_IDLE_END,
    KIND_INCOMING_TIMEOUT,
    OPEN_STATUSES,
)
from frontdesk.features.conversations.messages import (
    AuthorKind,
    Posted,
    author_name,
    new_message,
    validate_body,
    visitor_display_name,
)
from frontdesk.features.conversations.meta import ConversationMeta, Transfer, edit_meta
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.conversations.publish import emit_conversation_changed, message_frames
from frontdesk.features.conversations.queries import (
    get_conversation,
    open_conversation_for_visitor,
    stored_with_client_id,
    summary,
)
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors import visitor_voice
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.runtime import Runtime, UnitOfWork
from frontdesk.storage.base import Base


async def _next_seq(session: AsyncSession, conversation_id: str, now: datetime) -> int:
    # A row update serialises writers per conversation on PostgreSQL and SQLite alike.
    seq = (
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_seq=Conversation.last_seq + 1, last_message_at=now)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    return int(seq)


async def add_message(
    work: UnitOfWork,
    conversation: Conversation,
    *,
    author_kind: AuthorKind,
    body: str,
    author_rep: Rep | None = None,
    visitor: Visitor | None = None,
    client_id: str | None = None,
    internal: bool = False,
    meta: dict[str, Any] | None = None,
) -> MessageOut:
    """Store one message with the next sequence number and queue its frames."""
    now = work.now_clock.now()
    seq = await _next_seq(work.session, conversation.id, now)
    # Keep the loaded object in step with the row the UPDATE just changed.
    set_committed_value(conversation, "last_seq", seq)
    set_committed_value(conversation, "last_message_at", now)
    out, row = new_message(
        conversation,
        seq=seq,
        now=now,
        author_kind=author_kind,
        author_name=author_name(
            author_kind,
            rep_name=author_rep.name if author_rep else None,
            visitor_name=visitor_display_name(visitor),
        ),
        body=body,
        author_rep_id=author_rep.id if author_rep else None,
        client_id=client_id,
        internal=internal,
        meta=meta,
    )
    await work.session.execute(_INSERT_MESSAGE, row)
    for topic, data in message_frames(conversation, out):
        work.emit([topic], data)
    return out


# Built once: the careful path skips statement construction and cache-key generation.
_INSERT_MESSAGE = insert(cast(Table, Message.__table__))


async def lock_visitor(session: AsyncSession, org_id: str, visitor_id: str) -> Visitor:
    # Row lock on PostgreSQL so two tabs (or processes) cannot open two conversations at once.
    visitor = (
        await session.execute(select(Visitor).where(Visitor.id == visitor_id).with_for_update())
    ).scalar_one_or_none()
    if visitor is None or visitor.org_id != org_id:
        raise NotFound("visitor not found")
    return visitor


@dataclass
class Opening:
    """Filled by a hook when a visitor's first message should open a particular conversation
    (a reply to an invitation opens one owned by the inviting rep)."""

    conversation: Conversation | None = None


# Run by the visitor's socket (features/live_stream) after it stored a visitor's text message
# in a chat no rep owns (an incoming chat; not a retried message, not the one that opened the
# chat), outside any transaction, with (runtime, org, conversation_id): the bot's answers
# (features/copilot) look at chats nobody is taking. The org is the socket's cached row, so
# a feature switched off costs no query.
VISITOR_WAITING_HOOK = "conversation.visitor_waiting"


async def _store_attached(
    work: UnitOfWork, attached: AttachedRow, conversation: Conversation, message: MessageOut
) -> None:
    """A feature's row beside its message, in the message's transaction (the careful paths;
    the group writer writes the same row with its own statements)."""
    table = Base.metadata.tables[attached.table]
    values = dict(zip(attached.columns, attached.values, strict=True))
    values.update(
        org_id=conversation.org_id,
        conversation_id=conversation.id,
        message_id=message.id,
        created_at=message.created_at,
    )
    await work.session.execute(insert(table).values(values))


async def post_visitor_message(
    runtime: Runtime,
    org_id: str,
    visitor_id: str,
    client_id: str,
    body: str,
    *,
    meta: dict[str, Any] | None = None,
    attached: AttachedRow | None = None,
) -> Posted:
    """`meta` is stored with the message; `attached`, a feature's row, in its transaction (a
    file sent in chat)."""
    validate_body(body)
    # The common case first: the visitor already has an open chat and this client id is new.
    # It goes through the process's group-commit writer (a file too: its row goes in the same
    # transaction); anything else (no open chat yet, the chat's first visitor reply, a retried
    # client id) takes the careful path below, which finds the stored message for a retry.
    posted = await open_chat_writer(runtime).post(
        org_id, visitor_id, client_id, body, meta=meta, attached=attached
    )
    if posted is not None:
        return posted
    return await _again_if_raced(
        lambda: _post_visitor_message_locked(
            runtime, org_id, visitor_id, client_id, body, meta=meta, attached=attached
        )
    )


async def _again_if_raced(post: Callable[[], Awaitable[Posted]]) -> Posted:
    """Posts, and once more if a concurrent writer won the insert: a retry with the same
    client id, or another tab's first message opening the chat. The second attempt finds
    what the winner stored."""
    try:
        return await post()
    except IntegrityError:
        return await post()


async def _first_visitor_reply(
    work: UnitOfWork, conversation: Conversation, message: MessageOut
) -> None:
    """Marks the chat as answered by its visitor, once; features react through the hook (an
    auto pounce alerts its rep). Later messages do not load the conversation at all."""
    if conversation.meta.visitor_replied:
        return
    with edit_meta(conversation) as meta:
        meta.visitor_replied = True
    # Reports time the first response from here (docs/reports.md).
    conversation.first_visitor_message_at = message.created_at
    await work.run_hooks("conversation.first_visitor_reply", conversation, message)


async def _post_visitor_message_locked(
    runtime: Runtime,
    org_id: str,
    visitor_id: str,
    client_id: str,
    body: str,
    *,
    meta: dict[str, Any] | None = None,
    attached: AttachedRow | None = None,
) -> Posted:
    async with runtime.uow() as work:
        visitor = await lock_visitor(work.session, org_id, visitor_id)
        conversation = await open_conversation_for_visitor(work.session, visitor_id)
        created = False
        if conversation is not None:
            stored = await stored_with_client_id(work.session, conversation.id, client_id, visitor)
            if stored is not None:
                return Posted(stored, True, False)
        else:
            opening = Opening()
            await work.run_hooks("conversation.opening", visitor, opening)
            conversation = opening.conversation or await _create_inbound(work, visitor)
            created = True
        out = await add_message(
            work,
            conversation,
            author_kind="visitor",
            body=body,
            visitor=visitor,
            client_id=client_id,
            meta=meta,
        )
        if attached is not None:
            await _store_attached(work, attached, conversation, out)
        if created and conversation.origin == "inbound":
            # Routing and the inbound experience start the timeline, after the visitor's own
            # message so any bot reply follows it.
            await work.run_hooks("conversation.inbound_created", conversation, visitor)
        await _first_visitor_reply(work, conversation, out)
        if created:
            await emit_conversation_changed(work, conversation)
    if created:
        runtime.sweeper.poke()
    return Posted(out, False, created, waiting=conversation.owner_rep_id is None)


async def segment_now(session: AsyncSession, visitor_id: str) -> str | None:
    """The segment of the visitor's current visit, kept on a new chat for reports."""
    return (
        await session.execute(
            select(Visit.segment_id)
            .where(Visit.visitor_id == visitor_id)
            .order_by(Visit.started_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def note_rep_response(conversation: Conversation, now: datetime) -> None:
    """The first rep message after the visitor's first one: the chat's first response time, in
    whole seconds (docs/reports.md). Text AI wrote for a rep does not count."""
    since = conversation.first_visitor_message_at
    if since is not None and conversation.first_response_seconds is None:
        conversation.first_response_seconds = max(0, int((now - since).total_seconds()))


async def _create_inbound(work: UnitOfWork, visitor: Visitor) -> Conversation:
    now = work.now_clock.now()
    conversation = Conversation(
        id=new_id(),
        org_id=visitor.org_id,
        visitor_id=visitor.id,
        status="incoming",
        origin="inbound",
        owner_rep_id=None,
        routed_rep_ids=[],
        routing_reason=None,
        last_seq=0,
        created_at=now,
        meta=ConversationMeta(),
        segment_id=await segment_now(work.session, visitor.id),
    )
    work.session.add(conversation)
    await work.session.flush()
    await timers.schedule(
        work.session,
        kind=KIND_INCOMING_TIMEOUT,
        subject_id=conversation.id,
        due_at=now + INCOMING_TIMEOUT,
        now=now,
        org_id=visitor.org_id,
    )
    return conversation


async def open_call_conversation(
    work: UnitOfWork,
    visitor: Visitor,
    *,
    routed_rep_ids: list[str],
    routing_reason: str | None,
    open_until: datetime,
) -> Conversation:
    """The chat a visitor's "Call us" opens (the voice call queue, features/calls): incoming,
    routed as the visitor's visit is, with a line saying a call is waiting. No chat experience
    runs (no bot greets a caller on hold); it stays open until `open_until` (past the queue's
    timeout, so a caller sent to the offline form or the booker can still use it)."""
    conversation = await _create_inbound(work, visitor)
    conversation.routed_rep_ids = list(routed_rep_ids)
    conversation.routing_reason = routing_reason
    await timers.schedule(
        work.session,
        kind=KIND_INCOMING_TIMEOUT,
        subject_id=conversation.id,
        due_at=open_until,
        now=work.now_clock.now(),
        org_id=visitor.org_id,
    )
    await add_message(work, conversation, author_kind="system", body="Incoming voice call")
    await emit_conversation_changed(work, conversation)
    return conversation


async def take_for_call(work: UnitOfWork, actor: Authenticated, conversation: Conversation) -> None:
    """The rep who answered a queued call takes its chat (first accept wins, as for a chat);
    a chat another rep took meanwhile keeps its owner and the call is not theirs to answer."""
    if conversation.status == "incoming":
        await _take(work, actor, conversation)
    elif conversation.status != "active":
        raise Conflict("this conversation has ended")
    elif conversation.owner_rep_id != actor.rep.id:
        raise Conflict("another rep has this visitor's chat: the call is theirs to answer")


async def post_rep_message(
    runtime: Runtime,
    actor: Authenticated,
    conversation_id: str,
    client_id: str,
    body: str,
    *,
    meta: dict[str, Any] | None = None,
    attached: AttachedRow | None = None,
) -> Posted:
    validate_body(body)
    return await _again_if_raced(
        lambda: _post_rep_message_once(
            runtime, actor, conversation_id, client_id, body, meta=meta, attached=attached
        )
    )


async def _post_rep_message_once(
    runtime: Runtime,
    actor: Authenticated,
    conversation_id: str,
    client_id: str,
    body: str,
    *,
    meta: dict[str, Any] | None = None,
    attached: AttachedRow | None = None,
) -> Posted:
    async with runtime.uow() as work:
        conversation = await get_conversation(work.session, actor, conversation_id)
        stored = await stored_with_client_id(work.session, conversation.id, client_id, None)
        if stored is not None:
            return Posted(stored, True, False)
        if conversation.status not in OPEN_STATUSES:
            raise Conflict("this conversation has ended")
        if conversation.status == "incoming":
            await _take(work, actor, conversation)
        elif conversation.owner_rep_id != actor.rep.id:
            raise Forbidden("another rep owns this conversation; ask them to transfer it")
        rep = await work.session.get(Rep, actor.rep.id)
        out = await add_message(
            work,
            conversation,
            author_kind="rep",
            body=body,
            author_rep=rep,
            client_id=client_id,
            meta=meta,
        )
        if attached is not None:
            await _store_attached(work, attached, conversation, out)
        note_rep_response(conversation, out.created_at)
        transfer = conversation.meta.transfer
        if transfer is not None and transfer.waiting:
            with edit_meta(conversation) as draft:
                draft.transfer = transfer.model_copy(update={"waiting": False})
            await emit_conversation_changed(work, conversation)
        await work.run_hooks("conversation.rep_replied", conversation, out)
    return Posted(out, False, False)


async def _take(work: UnitOfWork, actor: Authenticated, conversation: Conversation) -> None:
    """First accept wins: a conditional update, so exactly one rep owns it across processes."""
    now = work.now_clock.now()
    if not audience.rep_sees_conversation(actor, conversation):
        raise Forbidden("this chat is not routed to you")
    rep = await work.session.get(Rep, actor.rep.id)
    # Features may refuse first (a rep at their chat capacity).
    await work.run_hooks("conversation.accepting", conversation, rep)
    result = await work.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.status == "incoming")
        .values(status="active", owner_rep_id=actor.rep.id, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("already taken: another rep accepted this chat first")
    await work.session.refresh(conversation)
    await timers.cancel(
        work.session, kind=KIND_INCOMING_TIMEOUT, subject_id=conversation.id, now=now
    )
    await work.run_hooks("conversation.accepted", conversation, rep)
    await emit_conversation_changed(work, conversation)


async def accept(
    runtime: Runtime, actor: Authenticated, conversation_id: str
) -> ConversationSummary:
    async with runtime.uow() as work:
        conversation = await get_conversation(work.session, actor, conversation_id)
        if conversation.status != "incoming":
            if conversation.status == "active":
                raise Conflict("already taken: another rep accepted this chat first")
            raise Conflict("this conversation has ended")
        await _take(work, actor, conversation)
        return await summary(work.session, conversation)


async def end(runtime: Runtime, actor: Authenticated, conversation_id: str) -> ConversationSummary:
    async with runtime.uow() as work:
        conversation = await get_conversation(work.session, actor, conversation_id)
        if conversation.status not in OPEN_STATUSES:
            raise Conflict("this conversation has already ended")
        if (
            conversation.status == "active"
            and conversation.owner_rep_id != actor.rep.id
            and not actor.is_admin
        ):
            raise Forbidden("only the rep who owns this chat (or an admin) can end it")
        await close_conversation(work, conversation, status="ended", reason="ended_by_rep")
        return await summary(work.session, conversation)


async def close_conversation(
    work: UnitOfWork, conversation: Conversation, *, status: str, reason: str
) -> None:
    now = work.now_clock.now()
    conversation.status = status
    conversation.ended_at = now
    conversation.ended_reason = reason
    conversation.length_seconds = max(0, int((now - conversation.created_at).total_seconds()))
    for kind in (KIND_INCOMING_TIMEOUT, KIND_IDLE_END):
        await timers.cancel(work.session, kind=kind, subject_id=conversation.id, now=now)
    await work.run_hooks("conversation.closed", conversation)
    await emit_conversation_changed(work, conversation)


async def open_owned_conversation(
    work: UnitOfWork,
    visitor: Visitor,
    rep: Rep,
    *,
    origin: str,
    reason: str,
    meta: ConversationMeta | None = None,
) -> Conversation:
    """A conversation a rep owns from its first message: pounce, invitation, auto pounce."""
    now = work.now_clock.now()
    conversation = Conversation(
        id=new_id(),
        org_id=visitor.org_id,
        visitor_id=visitor.id,
        status="active",
        origin=origin,
        owner_rep_id=rep.id,
        routed_rep_ids=[rep.id],
        routing_reason=reason,
        last_seq=0,
        created_at=now,
        accepted_at=now,
        meta=meta or ConversationMeta(),
        segment_id=await segment_now(work.session, visitor.id),
    )
    work.session.add(conversation)
    await work.session.flush()
    return conversation


async def start_conversation(
    runtime: Runtime,
    actor: Authenticated,
    visitor_id: str,
    client_id: str,
    body: str,
    origin: str = "pounce",
) -> Posted:
    """A rep starts a conversation with a visitor (pounce): the rep owns it from the start."""
    validate_body(body)
    async with runtime.uow() as work:
        visitor = await lock_visitor(work.session, actor.org_id, visitor_id)
        if visitor.blocked_at is not None:
            raise Conflict("this visitor is blocked")
        if await open_conversation_for_visitor(work.session, visitor.id) is not None:
            raise Conflict("this visitor already has an open conversation")
        rep = await work.session.get(Rep, actor.rep.id)
        assert rep is not None
        conversation = await open_owned_conversation(
            work, visitor, rep, origin=origin, reason=f"Started by {rep.name}"
        )
        out = await add_message(
            work, conversation, author_kind="rep", body=body, author_rep=rep, client_id=client_id
        )
        await emit_conversation_changed(work, conversation)
        return Posted(out, False, True)


async def transfer(
    runtime: Runtime, actor: Authenticated, conversation_id: str, to_rep_id: str, note: str | None
) -> ConversationSummary:
    """Hand an active chat to another available rep, with an optional note only reps see.
    The visitor sees a short system line; the new owner is alerted that a visitor is waiting."""
    async with runtime.uow() as work:
        conversation = await get_conversation(work.session, actor, conversation_id)
        if conversation.status != "active":
            raise Conflict("only an active chat can be transferred")
        if conversation.owner_rep_id != actor.rep.id and not actor.is_admin:
            raise Forbidden("only the rep who owns this chat (or an admin) can transfer it")
        target = await work.session.get(Rep, to_rep_id)
        if target is None or target.org_id != actor.org_id:
            raise NotFound("rep not found")
        if target.id == conversation.owner_rep_id:
            raise ValidationFailed("this rep already owns the chat")
        if not target.active or target.availability != "available":
            raise Conflict(f"{target.name} is not available right now")
        # Features may refuse first (the rep is at their chat capacity).
        await work.run_hooks("conversation.transferring", conversation, target)
        previous = (
            await work.session.get(Rep, conversation.owner_rep_id)
            if conversation.owner_rep_id
            else None
        )
        now = work.now_clock.now()
        conversation.owner_rep_id = target.id
        routed = list(conversation.routed_rep_ids or [])
        if routed and target.id not in routed:
            conversation.routed_rep_ids = [*routed, target.id]
        with edit_meta(conversation) as meta:
            meta.transfer = Transfer(
                from_rep_id=previous.id if previous else None,
                from_rep_name=previous.name if previous else None,
                to_rep_id=target.id,
                note=(note or "").strip() or None,
                at=now,
                waiting=True,
            )
        await add_message(
            work,
            conversation,
            author_kind="system",
            # In the visitor's language (features/orgs/visitor_texts.py): it is said to them.
            body=(
                await visitor_voice(work.session, conversation.org_id, conversation.visitor_id)
            ).say("serverTransferred", name=target.name),
        )
        if note and note.strip():
            by = previous.name if previous else "A colleague"
            await add_message(
                work,
                conversation,
                author_kind="system",
                body=f"Transfer note from {by}: {note.strip()}",
                internal=True,
            )
        await emit_conversation_changed(work, conversation)
        return await summary(work.session, conversation)
