"""What the storage layer promises beyond the schema: invariants the database itself keeps,
and SQLite calls that never leave the event loop's thread."""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.ids import new_id
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import Visitor
from frontdesk.storage.db import Database
from tests.conftest import Backend

pytestmark = pytest.mark.asyncio


def _conversation(org_id: str, visitor_id: str, status: str) -> dict[str, object]:
    return {
        "id": new_id(),
        "org_id": org_id,
        "visitor_id": visitor_id,
        "status": status,
        "origin": "inbound",
        "routed_rep_ids": [],
        "last_seq": 0,
        "created_at": datetime.now(UTC),
        "meta": {},
        "tags": [],
    }


async def test_a_visitor_can_have_only_one_open_chat_but_any_number_of_ended_ones(
    backend: Backend,
) -> None:
    db = Database(backend.database_url)
    org_id, visitor_id = new_id(), new_id()
    try:
        async with db.transaction() as session:
            await session.execute(insert(Org).values(**_org(org_id)))
            await session.execute(insert(Visitor).values(**_visitor(org_id, visitor_id)))
            for status in ("ended", "missed", "ended", "incoming"):
                await session.execute(
                    insert(Conversation).values(**_conversation(org_id, visitor_id, status))
                )
        with pytest.raises(IntegrityError):
            async with db.transaction() as session:
                await session.execute(
                    insert(Conversation).values(**_conversation(org_id, visitor_id, "active"))
                )
    finally:
        await db.close()


async def test_a_single_value_is_read_without_a_session_and_sees_what_was_committed(
    backend: Backend,
) -> None:
    db = Database(backend.database_url)
    org_id, visitor_id = new_id(), new_id()
    blocked_at = select(Visitor.blocked_at).where(Visitor.id == visitor_id)
    try:
        assert await db.read_value(blocked_at) is None  # no such visitor: no row
        async with db.transaction() as session:
            await session.execute(insert(Org).values(**_org(org_id)))
            await session.execute(insert(Visitor).values(**_visitor(org_id, visitor_id)))
        assert await db.read_value(blocked_at) is None  # a row, its column empty
        async with db.transaction() as session:
            await session.execute(
                update(Visitor).where(Visitor.id == visitor_id).values(blocked_at=datetime.now(UTC))
            )
        assert await db.read_value(blocked_at) is not None
        assert await db.read_value(select(Visitor.org_id).where(Visitor.id == visitor_id)) == org_id
        # Every connection went back to its pool: as many reads again as the pool holds, twice.
        for _ in range(40):
            assert await db.read_value(blocked_at) is not None
    finally:
        await db.close()


async def test_sqlite_statements_run_on_the_event_loop_thread(
    sqlite_memory_backend: Backend,
) -> None:
    db = Database(sqlite_memory_backend.database_url)
    threads_before = {t.ident for t in threading.enumerate()}
    try:
        async with db.read() as session:
            connection = await session.connection()
            raw = await connection.get_raw_connection()
            sqlite_connection = raw.driver_connection._connection  # type: ignore[union-attr]
            seen: list[int] = []
            sqlite_connection.create_function(
                "calling_thread", 0, lambda: seen.append(threading.get_ident()) or 1
            )
            assert (await session.execute(text("SELECT calling_thread()"))).scalar_one() == 1
        assert seen == [threading.get_ident()]
        assert {t.ident for t in threading.enumerate()} <= threads_before
    finally:
        await db.close()


async def test_the_sqlite_writer_is_taken_and_given_back_without_waiting_on_the_event_loop(
    tmp_path: Path,
) -> None:
    """A chat group's write takes the one writer connection and returns it within a single
    step of the event loop: under load (uploads streaming in) every extra turn is a wait
    behind whatever else is ready, and chat messages waited 8-22 ms for it."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/fd.db")
    turns = 0
    stop = False

    async def count_turns() -> None:
        nonlocal turns
        while not stop:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.ensure_future(count_turns())
    try:
        await asyncio.sleep(0)
        before = turns
        for _ in range(20):
            async with db.sqlite_driver() as connection:
                connection.execute("SELECT 1").fetchall()
        assert turns == before
    finally:
        stop = True
        await counter
        await db.close()


def _org(org_id: str) -> dict[str, object]:
    return {
        "id": org_id,
        "name": "Storage test",
        "site_key": f"sk_{org_id}",
        "allowed_origins": [],
        "identity_secret": "secret",
        "settings": {},
        "created_at": datetime.now(UTC),
    }


def _visitor(org_id: str, visitor_id: str) -> dict[str, object]:
    return {
        "id": visitor_id,
        "org_id": org_id,
        "created_at": datetime.now(UTC),
        "last_seen_at": datetime.now(UTC),
    }


async def test_after_postgresql_drops_every_connection_the_pool_recovers_by_itself(
    postgres_redis_backend: Backend,
) -> None:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.exc import DBAPIError

    db = Database(postgres_redis_backend.database_url)
    name = postgres_redis_backend.database_url.rsplit("/", 1)[1]
    try:
        async with db.read() as session:
            assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
        admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres")
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await admin.close()
        assert killed >= 1
        # Without a pre-ping the first statement on the dead connection may fail, and says
        # so; SQLAlchemy then discards the pool, and the next transaction gets a fresh one.
        try:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        except DBAPIError as error:
            assert error.connection_invalidated
        async with db.read() as session:
            assert (await session.execute(text("SELECT 2"))).scalar_one() == 2
    finally:
        await db.close()


async def test_sqlite_copies_its_write_ahead_log_into_the_database_file_in_the_background(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wal.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.start_background_checkpoints(interval=0.05)
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body)")
        for _ in range(20):
            async with db.engine.begin() as connection:
                await connection.exec_driver_sql(
                    "INSERT INTO notes (body) VALUES (?)", (os.urandom(50_000).hex(),)
                )
        async with db.engine.connect() as connection:
            automatic = (await connection.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar()
        assert automatic == 0  # the loop's own commits never checkpoint
        for _ in range(100):
            if path.stat().st_size > 1_500_000:
                break
            await asyncio.sleep(0.05)
        # About 2 MB were committed; the background task has moved them into the file.
        assert path.stat().st_size > 1_500_000
    finally:
        await db.close()


_SLOW_COUNT = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


async def _loop_ticks_while(work: object) -> tuple[int, object]:
    """How many 5 ms sleeps the event loop completed while `work` (a coroutine) ran."""
    ticks = 0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    try:
        result = await work  # type: ignore[misc]
    finally:
        done.set()
        await ticker
    return ticks, result


async def test_background_work_on_sqlite_runs_off_the_event_loop_while_ordinary_work_holds_it(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bg.db'}")

    async def slow_count(session: AsyncSession) -> int:
        return int((await session.execute(text(_SLOW_COUNT))).scalar_one())

    async def inline() -> int:
        async with db.transaction() as session:
            return await slow_count(session)

    try:
        started = asyncio.get_running_loop().time()
        inline_ticks, inline_result = await _loop_ticks_while(inline())
        took = asyncio.get_running_loop().time() - started
        background_ticks, background_result = await _loop_ticks_while(db.in_background(slow_count))
        assert inline_result == background_result == 3_000_000
        # The same statement: on the server's connection the loop stood still for all of it
        # (the sleeps that finished are those around it), in the background it went on.
        assert inline_ticks <= 3
        assert background_ticks >= min(10, int(took / 0.005) // 2)
    finally:
        await db.close()


async def test_a_chat_write_during_a_background_write_waits_for_it_and_succeeds(
    sqlite_memory_backend: Backend,
) -> None:
    db = Database(sqlite_memory_backend.database_url)
    org_id = new_id()
    try:
        async with db.transaction() as session:
            await session.execute(insert(Org).values(**_org(org_id)))
        holding = threading.Event()

        async def slow_background_write(session: AsyncSession) -> None:
            await session.execute(insert(Visitor).values(**_visitor(org_id, new_id())))
            holding.set()
            await session.execute(text(_SLOW_COUNT))  # the write lock held meanwhile

        writer = asyncio.create_task(db.in_background(slow_background_write))
        await asyncio.to_thread(holding.wait, 10)
        # The background transaction holds SQLite's write lock (BEGIN IMMEDIATE) and finishes
        # on its own thread; the server's connection waits for it (busy_timeout), no error.
        async with db.transaction() as session:
            await session.execute(insert(Visitor).values(**_visitor(org_id, new_id())))
        await writer
        async with db.read() as session:
            visitors = (
                await session.execute(
                    text("SELECT count(*) FROM visitors WHERE org_id = :o"), {"o": org_id}
                )
            ).scalar_one()
        assert visitors == 2
    finally:
        await db.close()
