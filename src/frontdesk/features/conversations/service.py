"""Conversations: the only code that creates them, stores messages, accepts and ends them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

import asyncpg
import orjson
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from frontdesk.core.clock import as_utc
from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.conversations.events import (
    ConversationSummary,
    ConversationUpdated,
    MessageOut,
    RepBrief,
    RepMessage,
    VisitorConversation,
    VisitorConversationChanged,
    VisitorMessage,
)
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.formatting import render_markdown
from frontdesk.features.live_stream import audience, visitor_feed
from frontdesk.features.orgs.models import Rep
from frontdesk.features.orgs.service import Authenticated
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.features.visitors.service import latest_visits
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, visitor_topic

MAX_BODY = 10_000
OPEN_STATUSES = ("incoming", "active")  # also in models.OPEN_CONDITION
# Incoming chats nobody accepts move to Recent as missed after 5 minutes (product docs).
INCOMING_TIMEOUT = timedelta(minutes=5)
# A chat whose visitor has been inactive for 10 minutes ends by itself (product docs).
IDLE_END_AFTER = timedelta(minutes=10)

KIND_INCOMING_TIMEOUT = "conversation.incoming_timeout"
KIND_IDLE_END = "conversation.idle_end"

AuthorKind = Literal["visitor", "rep", "bot", "system"]
Box = Literal["incoming", "active", "recent"]


def validate_body(body: str) -> str:
    if not body.strip():
        raise ValidationFailed("a message cannot be empty")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            f"a message may have at most {MAX_BODY:,} characters", details={"max": MAX_BODY}
        )
    return body


def message_out(message: Message, author_name: str) -> MessageOut:
    return MessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        seq=message.seq,
        author_kind=message.author_kind,
        author_name=author_name,
        author_rep_id=message.author_rep_id,
        body=message.body,
        html=message.body_html,
        client_id=message.client_msg_id,
        created_at=message.created_at,
        internal=message.internal,
        meta=dict(message.meta or {}),
    )


def visitor_display_name(visitor: Visitor | None) -> str:
    if visitor is None:
        return "Visitor"
    return visitor.name or visitor.email or "Visitor"


async def _author_names(
    session: AsyncSession, messages: list[Message], visitor: Visitor | None
) -> dict[str | None, str]:
    rep_ids = {m.author_rep_id for m in messages if m.author_rep_id}
    names: dict[str | None, str] = {}
    if rep_ids:
        rows = await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids)))
        names.update({rid: name for rid, name in rows.all()})
    names[None] = visitor_display_name(visitor)
    return names


def _author_name(message: Message, names: dict[str | None, str], org_name: str = "") -> str:
    if message.author_kind == "rep":
        return names.get(message.author_rep_id, "Rep")
    if message.author_kind == "bot":
        return "Assistant"
    if message.author_kind == "system":
        return "Frontdesk"
    return names[None]


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


async def _existing_by_client_id(
    session: AsyncSession, conversation_id: str, client_id: str
) -> Message | None:
    return (
        await session.execute(
            select(Message).where(
                Message.conversation_id == conversation_id, Message.client_msg_id == client_id
            )
        )
    ).scalar_one_or_none()


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
    if author_kind == "rep" and author_rep is not None:
        author = author_rep.name
    elif author_kind == "visitor":
        author = visitor_display_name(visitor)
    else:
        author = "Assistant" if author_kind == "bot" else "Frontdesk"
    return await _insert_message(
        work,
        conversation,
        seq=seq,
        now=now,
        author_kind=author_kind,
        author_name=author,
        body=body,
        author_rep_id=author_rep.id if author_rep else None,
        client_id=client_id,
        internal=internal,
        meta=meta,
    )


def _new_message(
    conversation: Conversation | _OpenChat,
    *,
    seq: int,
    now: datetime,
    author_kind: AuthorKind,
    author_name: str,
    body: str,
    author_rep_id: str | None = None,
    client_id: str | None = None,
    internal: bool = False,
    meta: dict[str, Any] | None = None,
    html: str | None = None,
) -> tuple[MessageOut, dict[str, Any]]:
    """The message as clients see it, and the row to insert (with _INSERT_MESSAGE)."""
    out = MessageOut(
        id=new_id(),
        conversation_id=conversation.id,
        seq=seq,
        author_kind=author_kind,
        author_name=author_name,
        author_rep_id=author_rep_id,
        body=body,
        html=render_markdown(body, images=author_kind != "visitor") if html is None else html,
        client_id=client_id,
        created_at=now,
        internal=internal,
        meta=dict(meta or {}),
    )
    row = {
        "id": out.id,
        "org_id": conversation.org_id,
        "conversation_id": conversation.id,
        "seq": seq,
        "author_kind": author_kind,
        "author_rep_id": author_rep_id,
        "body": body,
        "body_html": out.html,
        "client_msg_id": client_id,
        "internal": internal,
        "meta": out.meta,
        "created_at": now,
    }
    return out, row


def _message_frames(
    conversation: Conversation | _OpenChat, out: MessageOut
) -> list[tuple[str, bytes]]:
    """(topic, frame) pairs that announce a stored message: every console of the org (each
    filters by visibility) and, unless internal, the visitor's tabs."""
    frames = [
        (
            org_topic(conversation.org_id),
            RepMessage(message=out, visibility=audience.of_conversation(conversation)).to_bytes(),
        )
    ]
    if not out.internal:
        frames.append(
            (
                visitor_topic(conversation.visitor_id),
                visitor_feed.pack(
                    VisitorMessage(message=out.for_visitor()),
                    echo_of=out.client_id if out.author_kind == "visitor" else None,
                ),
            )
        )
    return frames


async def _insert_message(
    work: UnitOfWork,
    conversation: Conversation,
    *,
    seq: int,
    now: datetime,
    author_kind: AuthorKind,
    author_name: str,
    body: str,
    author_rep_id: str | None = None,
    client_id: str | None = None,
    internal: bool = False,
    meta: dict[str, Any] | None = None,
) -> MessageOut:
    out, row = _new_message(
        conversation,
        seq=seq,
        now=now,
        author_kind=author_kind,
        author_name=author_name,
        body=body,
        author_rep_id=author_rep_id,
        client_id=client_id,
        internal=internal,
        meta=meta,
    )
    await work.session.execute(_INSERT_MESSAGE, row)
    for topic, data in _message_frames(conversation, out):
        work.emit([topic], data)
    return out


async def summary(session: AsyncSession, conversation: Conversation) -> ConversationSummary:
    return (await summaries(session, [conversation]))[0]


async def summaries(
    session: AsyncSession, rows: Sequence[Conversation]
) -> list[ConversationSummary]:
    """The summaries of a page of conversations, in order, in four queries however many
    there are (visitors, last messages, rep names, latest visits): a console's snapshot and
    every list go through here, never through a query per row."""
    if not rows:
        return []
    conversation_ids = [c.id for c in rows]
    visitor_ids = {c.visitor_id for c in rows}
    visitors = {
        v.id: v
        for v in (
            await session.execute(select(Visitor).where(Visitor.id.in_(visitor_ids)))
        ).scalars()
    }
    # The last message each conversation shows: the highest seq that is not internal, found
    # per conversation by walking the (conversation_id, seq) index backwards, so a long chat
    # costs no more than a short one.
    earlier = aliased(Message)
    newest_seq = (
        select(earlier.seq)
        .where(earlier.conversation_id == Conversation.id, earlier.internal.is_(False))
        .order_by(earlier.seq.desc())
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    last_messages = {
        m.conversation_id: m
        for m in (
            await session.execute(
                select(Message)
                .join(
                    Conversation,
                    (Message.conversation_id == Conversation.id) & (Message.seq == newest_seq),
                )
                .where(Conversation.id.in_(conversation_ids))
            )
        ).scalars()
    }
    rep_ids = {c.owner_rep_id for c in rows if c.owner_rep_id} | {
        m.author_rep_id for m in last_messages.values() if m.author_rep_id
    }
    rep_names: dict[str, str] = {}
    if rep_ids:
        rep_names = dict(
            (await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids))))
            .tuples()
            .all()
        )
    latest = await latest_visits(session, visitor_ids)
    return [
        _summary_of(
            c,
            visitors.get(c.visitor_id),
            last_messages.get(c.id),
            rep_names,
            latest.get(c.visitor_id),
        )
        for c in rows
    ]


def _summary_of(
    conversation: Conversation,
    visitor: Visitor | None,
    last: Message | None,
    rep_names: dict[str, str],
    latest_visit: Visit | None,
) -> ConversationSummary:
    last_out = None
    if last is not None:
        names: dict[str | None, str] = {None: visitor_display_name(visitor)}
        if last.author_rep_id and last.author_rep_id in rep_names:
            names[last.author_rep_id] = rep_names[last.author_rep_id]
        last_out = message_out(last, _author_name(last, names))
    enrichment = (latest_visit.enrichment if latest_visit else None) or {}
    return ConversationSummary(
        id=conversation.id,
        visitor_id=conversation.visitor_id,
        status=conversation.status,
        origin=conversation.origin,
        owner_rep_id=conversation.owner_rep_id,
        owner_name=rep_names.get(conversation.owner_rep_id) if conversation.owner_rep_id else None,
        routed_rep_ids=list(conversation.routed_rep_ids or []),
        routing_reason=conversation.routing_reason,
        created_at=conversation.created_at,
        accepted_at=conversation.accepted_at,
        ended_at=conversation.ended_at,
        ended_reason=conversation.ended_reason,
        last_seq=conversation.last_seq,
        last_message=last_out,
        visitor_name=(visitor.name or visitor.email) if visitor else None,
        company=(enrichment.get("company") or {}).get("value"),
        meta=dict(conversation.meta or {}),
        classification={
            "qualified": conversation.qualified,
            "tags": list(conversation.tags or []),
            "deal_value": conversation.deal_value,
            "notes": conversation.notes,
        },
    )


async def emit_conversation_changed(work: UnitOfWork, conversation: Conversation) -> None:
    await work.session.flush()
    work.emit(
        [org_topic(conversation.org_id)],
        ConversationUpdated(
            conversation=await summary(work.session, conversation),
            visibility=audience.of_conversation(conversation),
        ),
    )
    owner = (
        await work.session.get(Rep, conversation.owner_rep_id)
        if conversation.owner_rep_id
        else None
    )
    work.emit(
        [visitor_topic(conversation.visitor_id)],
        visitor_feed.pack(
            VisitorConversationChanged(conversation=visitor_conversation(conversation, owner)),
            chat_open=conversation.status in OPEN_STATUSES,
            chat_owner_rep_id=conversation.owner_rep_id,
        ),
    )


def visitor_conversation(conversation: Conversation, owner: Rep | None) -> VisitorConversation:
    meta = conversation.meta or {}
    return VisitorConversation(
        id=conversation.id,
        status=conversation.status,
        origin=conversation.origin,
        rep=RepBrief(id=owner.id, name=owner.name) if owner else None,
        offline=bool(meta.get("offline")),
        ask_identity=bool(meta.get("ask_identity")),
        invitation_id=meta.get("invitation_id"),
    )


async def open_conversation_for_visitor(
    session: AsyncSession, visitor_id: str
) -> Conversation | None:
    return (
        await session.execute(
            select(Conversation)
            .where(Conversation.visitor_id == visitor_id, Conversation.status.in_(OPEN_STATUSES))
            .order_by(Conversation.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _lock_visitor(session: AsyncSession, org_id: str, visitor_id: str) -> Visitor:
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


@dataclass(frozen=True)
class Posted:
    message: MessageOut
    duplicate: bool
    conversation_created: bool


async def post_visitor_message(
    runtime: Runtime, org_id: str, visitor_id: str, client_id: str, body: str
) -> Posted:
    validate_body(body)
    # The common case first: the visitor already has an open chat and this client id is new.
    # It goes through the process's group-commit writer; anything else (no open chat yet, the
    # chat's first visitor reply, a retried client id) takes the careful path below, which
    # finds the stored message for a retry.
    posted = await _open_chat_writer(runtime).post(org_id, visitor_id, client_id, body)
    if posted is not None:
        return posted
    for attempt in range(2):
        try:
            return await _post_visitor_message_locked(runtime, org_id, visitor_id, client_id, body)
        except IntegrityError:
            # A concurrent retry with the same client id (or a concurrent first message from
            # another tab) won the insert; the next attempt reads its result.
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


# Built once: the careful path skips statement construction and cache-key generation.
_INSERT_MESSAGE = insert(cast(Table, Message.__table__))


@dataclass(frozen=True, slots=True)
class _OpenChat:
    """The columns of a conversation a visitor's message needs (read by the bump UPDATE)."""

    id: str
    org_id: str
    visitor_id: str
    owner_rep_id: str | None
    routed_rep_ids: list[str]


@dataclass(slots=True)
class _Submitted:
    org_id: str
    visitor_id: str
    client_id: str
    body: str
    html: str
    done: asyncio.Future[Posted | None]


# A batch is bounded so one transaction stays short even when thousands of messages queue.
MAX_BATCH = 64


class OpenChatWriter:
    """Group commit for visitor messages to chats they already wrote in (the common case).

    Messages submitted in the same event-loop turn, or while a group is being written, go out
    together in the next group: one transaction and one commit (an fsync on PostgreSQL) for
    all of them, and on PostgreSQL one round trip (see _write_group_pipelined). Under light
    load a group is one message; under heavy load the commit is shared, so throughput grows
    instead of the queue. Nothing is acknowledged before its group commits.

    A message that cannot take this path (no open chat yet, the chat's first visitor reply)
    comes back as None and takes the careful path; a group that fails as a whole (a retried
    client id hitting the unique index) is written again one message at a time, so one
    message never fails the others.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._waiting: list[_Submitted] = []
        self._writer: asyncio.Task[None] | None = None

    async def post(self, org_id: str, visitor_id: str, client_id: str, body: str) -> Posted | None:
        loop = asyncio.get_running_loop()
        # Rendered here, outside the transaction: it is the costliest step of a message.
        item = _Submitted(
            org_id,
            visitor_id,
            client_id,
            body,
            render_markdown(body, images=False),  # a visitor's text shows no images
            loop.create_future(),
        )
        self._waiting.append(item)
        if self._writer is None:
            self._writer = loop.create_task(self._write_all())
        return await item.done

    async def _write_all(self) -> None:
        try:
            await asyncio.sleep(0)  # let the other messages of this loop turn join the batch
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                await self._write(batch)
        finally:
            self._writer = None
            if self._waiting:  # submitted after the loop ended (or after a cancellation)
                self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def _write(self, batch: list[_Submitted]) -> None:
        try:
            try:
                results: list[Posted | None] = await self._write_batch(batch)
            except (IntegrityError, _GroupRolledBack):
                if len(batch) == 1:
                    results = [None]
                else:
                    results = []
                    for item in batch:
                        try:
                            results.extend(await self._write_batch([item]))
                        except (IntegrityError, _GroupRolledBack):
                            results.append(None)
        except BaseException as error:
            for item in batch:
                if item.done.done():
                    continue
                if isinstance(error, Exception):
                    item.done.set_exception(error)
                else:
                    item.done.cancel()  # the writer itself is being cancelled (shutdown)
            if not isinstance(error, Exception):
                raise
            return
        for item, result in zip(batch, results, strict=True):
            if not item.done.done():
                item.done.set_result(result)

    async def _write_batch(self, batch: list[_Submitted]) -> list[Posted | None]:
        runtime = self._runtime
        now = runtime.clock.now()
        if runtime.db.is_postgres:
            written = await _write_group_pipelined(runtime, batch, now)
        else:
            written = await _write_group_sqlite(runtime, batch, now)
        results: list[Posted | None] = []
        frames: list[tuple[str, bytes]] = []
        for item in batch:
            stored = written.get(id(item))
            if stored is None:
                results.append(None)
                continue
            chat, out = stored
            frames.extend(_message_frames(chat, out))
            results.append(Posted(out, False, False))
        await runtime.publish_stored(frames)  # committed: a bus failure does not fail the acks
        return results


_Written = dict[int, tuple["_OpenChat", MessageOut]]


# SQLite: the same work as PostgreSQL's statement below, as a short transaction on the
# sqlite3 connection itself (statements there are function calls on this thread, not round
# trips). SQLAlchemy's per-statement machinery cost about four times SQLite's own work here
# (bench/RESULTS.md), so the group goes straight to the driver, with the values stored in the
# formats SQLAlchemy uses for these columns (tests read them back through the ORM).
_BUMP_OPEN_CHAT_SQLITE = """
UPDATE conversations SET last_seq = last_seq + 1, last_message_at = ?
WHERE visitor_id = ? AND org_id = ? AND status IN ('incoming', 'active')
    AND json_extract(meta, '$.visitor_replied') = 1
RETURNING id, org_id, visitor_id, owner_rep_id, routed_rep_ids, last_seq,
    (SELECT coalesce(v.name, v.email, 'Visitor') FROM visitors AS v
     WHERE v.id = conversations.visitor_id)
"""
_INSERT_VISITOR_MESSAGE_SQLITE = """
INSERT INTO messages (id, org_id, conversation_id, seq, author_kind, author_rep_id, body,
    body_html, client_msg_id, internal, meta, created_at)
VALUES (?, ?, ?, ?, 'visitor', NULL, ?, ?, ?, 0, '{}', ?)
"""


async def _write_group_sqlite(runtime: Runtime, batch: list[_Submitted], now: datetime) -> _Written:
    ordered = sorted(batch, key=lambda item: item.visitor_id)
    stored_now = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    written: _Written = {}
    rows: list[tuple[object, ...]] = []
    async with runtime.db.sqlite_driver() as connection:
        try:
            cursor = connection.cursor()
            if not connection.in_transaction:
                # One transaction for the group, whatever the module's implicit-BEGIN setting.
                cursor.execute("BEGIN")
            for item in ordered:
                row = cursor.execute(
                    _BUMP_OPEN_CHAT_SQLITE, (stored_now, item.visitor_id, item.org_id)
                ).fetchone()
                if row is None:
                    continue  # no open chat its visitor already wrote in: the careful path
                chat_id, org_id, visitor_id, owner_rep_id, routed, seq, author = row
                chat = _OpenChat(chat_id, org_id, visitor_id, owner_rep_id, orjson.loads(routed))
                out = _visitor_message_out(new_id(), chat, seq, author, item, now)
                written[id(item)] = (chat, out)
                rows.append(
                    (out.id, org_id, chat_id, seq, item.body, item.html, item.client_id, stored_now)
                )
            if rows:
                cursor.executemany(_INSERT_VISITOR_MESSAGE_SQLITE, rows)
            connection.commit()
        except sqlite3.IntegrityError as error:
            connection.rollback()
            raise _GroupRolledBack(str(error)) from error
        except BaseException:
            connection.rollback()
            raise
    return written


def _visitor_message_out(
    message_id: str, chat: _OpenChat, seq: int, author: str | None, item: _Submitted, now: datetime
) -> MessageOut:
    return MessageOut(
        id=message_id,
        conversation_id=chat.id,
        seq=seq,
        author_kind="visitor",
        author_name=author or "Visitor",
        author_rep_id=None,
        body=item.body,
        html=item.html,
        client_id=item.client_id,
        created_at=now,
        internal=False,
        meta={},
    )


# PostgreSQL: one statement per message (bump the chat's sequence, insert the message), the
# statements of a group pipelined by asyncpg's fetchmany: one round trip and one commit for the
# group, and atomic (it runs as one implicit transaction). A single data-modifying CTE over
# arrays of the whole group was tried first: PostgreSQL spent about 3x more CPU executing it
# (430 against 130 microseconds a message, bench/RESULTS.md). Messages are sorted by visitor
# so every process locks chats in the same order (no deadlock between two processes' groups);
# a visitor's own messages keep their order (stable sort) and so get consecutive numbers.
# A message whose visitor has no open chat, or whose chat has not heard from its visitor yet,
# matches no row and is not written: the caller sends it down the careful path. A retried
# client id violates the unique index and fails the group as a whole (nothing is written);
# the group is then written one message at a time.
_WRITE_MESSAGE_POSTGRESQL = """
WITH bumped AS (
    UPDATE conversations AS c
    SET last_seq = c.last_seq + 1, last_message_at = $7
    WHERE c.visitor_id = $3 AND c.org_id = $2 AND c.status IN ('incoming', 'active')
        AND (c.meta ->> 'visitor_replied') = 'true'
    RETURNING c.id, c.org_id, c.visitor_id, c.owner_rep_id, c.routed_rep_ids, c.last_seq,
        (SELECT coalesce(v.name, v.email, 'Visitor') FROM visitors AS v
         WHERE v.id = c.visitor_id) AS author_name
),
inserted AS (
    INSERT INTO messages (id, org_id, conversation_id, seq, author_kind, author_rep_id, body,
        body_html, client_msg_id, internal, meta, created_at)
    SELECT $1, b.org_id, b.id, b.last_seq, 'visitor', NULL, $5, $6, $4, false, '{}'::json, $7
    FROM bumped AS b
)
SELECT $1::text AS message_id, id, org_id, visitor_id, owner_rep_id, routed_rep_ids,
    last_seq, author_name
FROM bumped
"""


class _GroupRolledBack(Exception):
    """The database refused the group as a whole (a retried client id, a deadlock): nothing
    of it was written."""


async def _write_group_pipelined(
    runtime: Runtime, batch: list[_Submitted], now: datetime
) -> _Written:
    ordered = sorted(batch, key=lambda item: item.visitor_id)
    ids = [new_id() for _ in ordered]
    async with runtime.db.postgres_driver() as driver:
        try:
            rows = await driver.fetchmany(
                _WRITE_MESSAGE_POSTGRESQL,
                [
                    (mid, item.org_id, item.visitor_id, item.client_id, item.body, item.html, now)
                    for mid, item in zip(ids, ordered, strict=True)
                ],
            )
        except (
            asyncpg.exceptions.IntegrityConstraintViolationError,
            asyncpg.exceptions.TransactionRollbackError,  # a deadlock, a serialization failure
        ) as error:
            raise _GroupRolledBack(str(error)) from error
    by_id = {row["message_id"]: row for row in rows}
    written: _Written = {}
    for mid, item in zip(ids, ordered, strict=True):
        row = by_id.get(mid)
        if row is None:
            continue
        chat = _OpenChat(
            row["id"], row["org_id"], row["visitor_id"], row["owner_rep_id"], row["routed_rep_ids"]
        )
        written[id(item)] = (
            chat,
            _visitor_message_out(mid, chat, row["last_seq"], row["author_name"], item, now),
        )
    return written


def _open_chat_writer(runtime: Runtime) -> OpenChatWriter:
    writer = runtime.state.get("conversations.open_chat_writer")
    if not isinstance(writer, OpenChatWriter):
        writer = runtime.state["conversations.open_chat_writer"] = OpenChatWriter(runtime)
    return writer


async def _first_visitor_reply(
    work: UnitOfWork, conversation: Conversation, message: MessageOut
) -> None:
    """Marks the chat as answered by its visitor, once; features react through the hook (an
    auto pounce alerts its rep). Later messages do not load the conversation at all."""
    meta = dict(conversation.meta or {})
    if meta.get("visitor_replied"):
        return
    meta["visitor_replied"] = True
    conversation.meta = meta
    await work.run_hooks("conversation.first_visitor_reply", conversation, message)


async def _post_visitor_message_locked(
    runtime: Runtime, org_id: str, visitor_id: str, client_id: str, body: str
) -> Posted:
    async with runtime.uow() as work:
        visitor = await _lock_visitor(work.session, org_id, visitor_id)
        conversation = await open_conversation_for_visitor(work.session, visitor_id)
        created = False
        if conversation is not None:
            existing = await _existing_by_client_id(work.session, conversation.id, client_id)
            if existing is not None:
                names = await _author_names(work.session, [existing], visitor)
                return Posted(message_out(existing, _author_name(existing, names)), True, False)
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
        )
        if created and conversation.origin == "inbound":
            # Routing and the inbound experience start the timeline, after the visitor's own
            # message so any bot reply follows it.
            await work.run_hooks("conversation.inbound_created", conversation, visitor)
        await _first_visitor_reply(work, conversation, out)
        if created:
            await emit_conversation_changed(work, conversation)
    if created:
        runtime.sweeper.poke()
    return Posted(out, False, created)


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
        meta={},
    )
    work.session.add(conversation)
    await work.session.flush()
    await deadlines.schedule(
        work.session,
        kind=KIND_INCOMING_TIMEOUT,
        subject_id=conversation.id,
        due_at=now + INCOMING_TIMEOUT,
        now=now,
        org_id=visitor.org_id,
    )
    return conversation


async def get_conversation(
    session: AsyncSession, actor: Authenticated, conversation_id: str
) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.org_id != actor.org_id:
        raise NotFound("conversation not found")
    if not audience.rep_sees_conversation(actor, conversation):
        raise NotFound("conversation not found")
    return conversation


async def post_rep_message(
    runtime: Runtime, actor: Authenticated, conversation_id: str, client_id: str, body: str
) -> Posted:
    validate_body(body)
    for attempt in range(2):
        try:
            async with runtime.uow() as work:
                conversation = await get_conversation(work.session, actor, conversation_id)
                existing = await _existing_by_client_id(work.session, conversation.id, client_id)
                if existing is not None:
                    names = await _author_names(work.session, [existing], None)
                    return Posted(message_out(existing, _author_name(existing, names)), True, False)
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
                )
                transfer_meta = (conversation.meta or {}).get("transfer")
                if transfer_meta and transfer_meta.get("waiting"):
                    conversation.meta = {
                        **conversation.meta,
                        "transfer": {**transfer_meta, "waiting": False},
                    }
                    await emit_conversation_changed(work, conversation)
                await work.run_hooks("conversation.rep_replied", conversation, out)
            return Posted(out, False, False)
        except IntegrityError:
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


async def _take(work: UnitOfWork, actor: Authenticated, conversation: Conversation) -> None:
    """First accept wins: a conditional update, so exactly one rep owns it across processes."""
    now = work.now_clock.now()
    if not audience.rep_sees_conversation(actor, conversation):
        raise Forbidden("this chat is not routed to you")
    result = await work.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.status == "incoming")
        .values(status="active", owner_rep_id=actor.rep.id, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("already taken: another rep accepted this chat first")
    await work.session.refresh(conversation)
    await deadlines.cancel(
        work.session, kind=KIND_INCOMING_TIMEOUT, subject_id=conversation.id, now=now
    )
    rep = await work.session.get(Rep, actor.rep.id)
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
    for kind in (KIND_INCOMING_TIMEOUT, KIND_IDLE_END):
        await deadlines.cancel(work.session, kind=kind, subject_id=conversation.id, now=now)
    await work.run_hooks("conversation.closed", conversation)
    await emit_conversation_changed(work, conversation)


async def open_owned_conversation(
    work: UnitOfWork,
    visitor: Visitor,
    rep: Rep,
    *,
    origin: str,
    reason: str,
    meta: dict[str, Any] | None = None,
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
        meta=dict(meta or {}),
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
        visitor = await _lock_visitor(work.session, actor.org_id, visitor_id)
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


async def messages_after(
    session: AsyncSession,
    conversation: Conversation,
    after_seq: int,
    *,
    include_internal: bool,
    limit: int = 500,
) -> list[MessageOut]:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.seq > after_seq)
        .order_by(Message.seq)
        .limit(limit)
    )
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    rows = list((await session.execute(query)).scalars())
    visitor = await session.get(Visitor, conversation.visitor_id)
    names = await _author_names(session, rows, visitor)
    out = [message_out(m, _author_name(m, names)) for m in rows]
    return out if include_internal else [m.for_visitor() for m in out]


async def list_for_rep(
    session: AsyncSession,
    actor: Authenticated,
    box: Box,
    limit: int = 200,
    *,
    qualified: bool | None = None,
    tag: str | None = None,
    search: str | None = None,
) -> list[ConversationSummary]:
    rows = await find_for_rep(
        session, actor, box, limit, qualified=qualified, tag=tag, search=search
    )
    return await summaries(session, rows)


async def find_for_rep(
    session: AsyncSession,
    actor: Authenticated,
    box: Box,
    limit: int = 200,
    *,
    qualified: bool | None = None,
    tag: str | None = None,
    search: str | None = None,
) -> list[Conversation]:
    """The conversations of one inbox box this rep may see, without their summaries (a
    snapshot summarises several boxes together)."""
    query = select(Conversation).where(Conversation.org_id == actor.org_id)
    if box == "incoming":
        query = query.where(Conversation.status == "incoming").order_by(Conversation.created_at)
    elif box == "active":
        query = query.where(
            Conversation.status == "active", Conversation.owner_rep_id == actor.rep.id
        ).order_by(Conversation.last_message_at.desc())
    else:
        query = query.where(Conversation.status.in_(("ended", "missed")))
        if not actor.is_admin:
            query = query.where(
                (Conversation.owner_rep_id == actor.rep.id) | (Conversation.owner_rep_id.is_(None))
            )
        if qualified is not None:
            query = query.where(Conversation.qualified.is_(qualified))
        query = query.order_by(Conversation.ended_at.desc())
    rows = [
        c
        for c in (
            await session.execute(query.limit(limit * 5 if tag or search else limit))
        ).scalars()
        if audience.rep_sees_conversation(actor, c)
    ]
    if tag:
        rows = [c for c in rows if tag.lower() in (c.tags or [])]
    if search:
        needle = search.lower()
        visitors = (
            {
                v.id: v
                for v in (
                    await session.execute(
                        select(Visitor).where(Visitor.id.in_([c.visitor_id for c in rows]))
                    )
                ).scalars()
            }
            if rows
            else {}
        )

        def matches(c: Conversation) -> bool:
            visitor = visitors.get(c.visitor_id)
            haystack = " ".join(
                [
                    c.notes or "",
                    " ".join(c.tags or []),
                    (visitor.name or "") if visitor else "",
                    (visitor.email or "") if visitor else "",
                ]
            ).lower()
            return needle in haystack

        rows = [c for c in rows if matches(c)]
    return rows[:limit]


# ---- durable deadlines -------------------------------------------------------------------


async def on_incoming_timeout(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status != "incoming":
            return  # accepted or ended meanwhile: nothing to do (idempotent)
        await work.run_hooks("conversation.incoming_timed_out", conversation)
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
            body="This chat ended because the visitor was inactive for 10 minutes.",
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
            await deadlines.cancel(session, kind=KIND_IDLE_END, subject_id=conversation.id, now=now)
        else:
            await deadlines.schedule(
                session,
                kind=KIND_IDLE_END,
                subject_id=conversation.id,
                due_at=now + IDLE_END_AFTER,
                now=now,
                org_id=org_id,
            )


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
        conversation.meta = {
            **(conversation.meta or {}),
            "transfer": {
                "from_rep_id": previous.id if previous else None,
                "from_rep_name": previous.name if previous else None,
                "to_rep_id": target.id,
                "note": (note or "").strip() or None,
                "at": now.isoformat(),
                "waiting": True,
            },
        }
        await add_message(
            work,
            conversation,
            author_kind="system",
            body=f"You're now chatting with {target.name}.",
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
