"""The open-chat group commit: visitor messages to chats they already wrote in, written together."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson
from sqlalchemy.exc import IntegrityError

from frontdesk.core import tracing
from frontdesk.core.ids import new_id
from frontdesk.features.conversations import sql_postgres, sql_sqlite
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.conversations.messages import Posted, message_out
from frontdesk.features.conversations.publish import message_frames
from frontdesk.features.formatting import render_markdown
from frontdesk.runtime import Runtime
from frontdesk.storage.base import Base


@dataclass(frozen=True, slots=True)
class OpenChat:
    """The columns of a conversation a visitor's message needs (read by the bump UPDATE)."""

    id: str
    org_id: str
    visitor_id: str
    owner_rep_id: str | None
    routed_rep_ids: list[str]


@dataclass(frozen=True, slots=True)
class AttachedRow:
    """A feature's row stored in the same transaction as its message (a file sent in chat,
    features/files): `columns` of `table` with `values`, to which the writer adds the columns
    org_id, conversation_id, message_id and created_at. Values are plain (str, int, None);
    names come from code, never from input."""

    table: str
    columns: tuple[str, ...]
    values: tuple[object, ...]

    def __post_init__(self) -> None:
        # The names go into SQL text (_insert_attached): only a mapped table's own columns.
        table = Base.metadata.tables.get(self.table)
        if table is None or not set(self.insert_columns()) <= set(table.columns.keys()):
            raise ValueError(f"not a mapped table and its columns: {self.table} {self.columns}")
        if len(self.columns) != len(self.values):
            raise ValueError("one value per column")

    def insert_columns(self) -> tuple[str, ...]:
        return (*self.columns, "org_id", "conversation_id", "message_id", "created_at")


@dataclass(slots=True)
class _Submitted:
    org_id: str
    visitor_id: str
    client_id: str
    body: str
    html: str
    done: asyncio.Future[Posted | None]
    # The submitting frame's trace context (core/tracing.py), when tracing is on.
    trace: object | None = None
    # The message's meta (JSON text) and a row stored with it, for a file sent in chat.
    meta: dict[str, object] | None = None
    attached: AttachedRow | None = None


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

    async def post(
        self,
        org_id: str,
        visitor_id: str,
        client_id: str,
        body: str,
        *,
        meta: dict[str, object] | None = None,
        attached: AttachedRow | None = None,
    ) -> Posted | None:
        loop = asyncio.get_running_loop()
        # Rendered here, outside the transaction: it is the costliest step of a message.
        item = _Submitted(
            org_id,
            visitor_id,
            client_id,
            body,
            render_markdown(body, images=False),  # a visitor's text shows no images
            loop.create_future(),
            tracing.current_context(),
            meta,
            attached,
        )
        self._waiting.append(item)
        if self._writer is None:
            self._writer = loop.create_task(self._write_all())
        return await item.done

    async def finish(self) -> None:
        """Wait until every submitted message is written (shutdown: before the database
        closes, so a message whose handler outlived its socket is still stored)."""
        while self._writer is not None:
            await asyncio.wait([self._writer])

    async def _write_all(self) -> None:
        try:
            # No sleep(0) first: this task's first step runs in the loop turn after the one
            # that made it, so every message of that turn is in the batch already; one more
            # turn would only add its wait to every message (under load a turn is long).
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
        if not tracing.enabled():
            return await self._write_group_now(batch)
        # One span for the group, in the first message's trace, linked to the others'.
        traced = [item.trace for item in batch if item.trace is not None]
        with tracing.span(
            "conversations.write_group",
            {"frontdesk.messages": len(batch)},
            parent=traced[0] if traced else None,
            links=traced[1:],
        ):
            return await self._write_group_now(batch)

    async def _write_group_now(self, batch: list[_Submitted]) -> list[Posted | None]:
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
            frames.extend(message_frames(chat, out))
            results.append(Posted(out, False, False, waiting=chat.owner_rep_id is None))
        await runtime.publish_stored(frames)  # committed: a bus failure does not fail the acks
        return results


_Written = dict[int, tuple["OpenChat", MessageOut]]


async def _write_group_sqlite(runtime: Runtime, batch: list[_Submitted], now: datetime) -> _Written:
    ordered = sorted(batch, key=lambda item: item.visitor_id)
    stored_now = sql_sqlite.stored_datetime(now)
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
                    sql_sqlite.BUMP_OPEN_CHAT, (stored_now, item.visitor_id, item.org_id)
                ).fetchone()
                if row is None:
                    continue  # no open chat its visitor already wrote in: the careful path
                chat_id, org_id, visitor_id, owner_rep_id, routed, seq, author = row
                chat = OpenChat(chat_id, org_id, visitor_id, owner_rep_id, orjson.loads(routed))
                out = _stored_visitor_message(new_id(), chat, seq, author, item, now)
                written[id(item)] = (chat, out)
                rows.append(
                    (
                        out.id,
                        org_id,
                        chat_id,
                        seq,
                        item.body,
                        item.html,
                        item.client_id,
                        orjson.dumps(item.meta).decode() if item.meta else "{}",
                        stored_now,
                    )
                )
            if rows:
                cursor.executemany(sql_sqlite.INSERT_VISITOR_MESSAGE, rows)
            for item in ordered:
                stored = written.get(id(item))
                if item.attached is not None and stored is not None:
                    chat, out = stored
                    cursor.execute(
                        _insert_attached(item.attached, "?"),
                        (*item.attached.values, chat.org_id, chat.id, out.id, stored_now),
                    )
            with tracing.span("db.commit"):
                connection.commit()
        except sqlite3.IntegrityError as error:
            connection.rollback()
            raise _GroupRolledBack(str(error)) from error
        except BaseException:
            connection.rollback()
            raise
    return written


def _stored_visitor_message(
    message_id: str, chat: OpenChat, seq: int, author: str | None, item: _Submitted, now: datetime
) -> MessageOut:
    """The message a group statement stored, from what the statement returned."""
    return message_out(
        message_id=message_id,
        conversation_id=chat.id,
        seq=seq,
        author_kind="visitor",
        author_name=author or "Visitor",
        body=item.body,
        html=item.html,
        created_at=now,
        client_id=item.client_id,
        meta=item.meta,
    )


def _insert_attached(row: AttachedRow, style: str) -> str:
    """The INSERT for an attached row, with `?` (SQLite) or `$n` (PostgreSQL) placeholders."""
    columns = row.insert_columns()
    marks = (
        ", ".join("?" for _ in columns)
        if style == "?"
        else ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    )
    # Names checked against the mapped table (AttachedRow.__post_init__); values are bound.
    return f"INSERT INTO {row.table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


class _GroupRolledBack(Exception):
    """The database refused the group as a whole (a retried client id, a deadlock): nothing
    of it was written."""


async def _write_group_pipelined(
    runtime: Runtime, batch: list[_Submitted], now: datetime
) -> _Written:
    ordered = sorted(batch, key=lambda item: item.visitor_id)
    ids = [new_id() for _ in ordered]
    arguments = [
        (
            mid,
            item.org_id,
            item.visitor_id,
            item.client_id,
            item.body,
            item.html,
            now,
            orjson.dumps(item.meta).decode() if item.meta else "{}",
        )
        for mid, item in zip(ids, ordered, strict=True)
    ]
    attached = [item for item in ordered if item.attached is not None]
    async with runtime.db.postgres_driver() as driver:
        try:
            if not attached:
                # One statement in autocommit: it commits as it ends.
                with tracing.span("db.write_and_commit", {"db.system": "postgresql"}):
                    rows = await driver.fetchmany(sql_postgres.WRITE_VISITOR_MESSAGE, arguments)
            else:
                # A group with a file sent in chat: its row goes in the same transaction.
                with tracing.span("db.write_and_commit", {"db.system": "postgresql"}):
                    async with driver.transaction():
                        rows = await driver.fetchmany(sql_postgres.WRITE_VISITOR_MESSAGE, arguments)
                        stored = {row["message_id"]: row for row in rows}
                        for mid, item in zip(ids, ordered, strict=True):
                            row = stored.get(mid)
                            if item.attached is None or row is None:
                                continue
                            await driver.execute(
                                _insert_attached(item.attached, "$"),
                                *item.attached.values,
                                row["org_id"],
                                row["id"],
                                mid,
                                now,
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
        chat = OpenChat(
            row["id"], row["org_id"], row["visitor_id"], row["owner_rep_id"], row["routed_rep_ids"]
        )
        written[id(item)] = (
            chat,
            _stored_visitor_message(mid, chat, row["last_seq"], row["author_name"], item, now),
        )
    return written


async def finish_pending_writes(runtime: Runtime) -> None:
    """Shutdown: write what the group writer still holds before the database is closed."""
    writer = runtime.state.get("conversations.open_chat_writer")
    if isinstance(writer, OpenChatWriter):
        await writer.finish()


def open_chat_writer(runtime: Runtime) -> OpenChatWriter:
    writer = runtime.state.get("conversations.open_chat_writer")
    if not isinstance(writer, OpenChatWriter):
        writer = runtime.state["conversations.open_chat_writer"] = OpenChatWriter(runtime)
    return writer
