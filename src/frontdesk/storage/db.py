"""Engine and session factory for SQLite (default) and PostgreSQL, through the same code."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.sql.expression import Executable

from frontdesk.storage.sqlite_inline import InlineConnection, inline_creator

log = logging.getLogger("frontdesk.storage")

T = TypeVar("T")


def _sqlite_path(url: str) -> Path | None:
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


# Read-only connections a SQLite file's process keeps beside its one writing connection
# (Database.read). Statements run inline on the loop's thread either way (sqlite_inline.py), so
# more connections add no parallelism: what they remove is the queue. With one connection,
# every session waited its turn in the pool's line, and each hand-over cost a turn of the
# event loop; when 20 uploads arrived at once, their 20 short authorisation reads stood
# between a chat message and its commit for 150-700 ms (bench/file_upload.py --mode burst).
SQLITE_READERS = 4


def create_engine(url: str, *, readers: bool = False) -> AsyncEngine:
    """The engine for `url`. For a SQLite file, `readers` makes the read-only pool of
    SQLITE_READERS connections (PRAGMA query_only: a write through one fails at once instead
    of waiting on the loop's thread for the writer's lock)."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One writing connection: SQLite has one writer at a time anyway, and a single
        # connection means no "database is locked" retries inside the process. Transactions
        # are short. Reads go through their own connections (WAL: readers never wait).
        engine = create_async_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=SQLITE_READERS if readers else 1,
            max_overflow=0,
            pool_timeout=30,
        )

        @event.listens_for(engine.sync_engine, "do_connect")
        def _inline(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["async_creator_fn"] = inline_creator

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            if readers:
                cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        return engine
    return create_async_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_size=10,
        max_overflow=10,
        # No pool_pre_ping: it would add a round trip to every transaction. After a database
        # restart the first statement on a stale connection fails, SQLAlchemy then discards
        # the whole pool, and the client retries (chat messages carry a client id, so a retry
        # is stored once); tests/integration/storage covers the recovery.
        pool_recycle=3600,
    )


def _json_dumps(value: object) -> str:
    # orjson: JSON columns (routing, enrichment, settings) are read and written on hot paths.
    return orjson.dumps(value).decode()


class _WalCheckpointer:
    """Copies SQLite's write-ahead log into the database file on a worker thread.

    SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, and
    with SQLite calls on the event loop (sqlite_inline.py) that commit held every socket for
    the few milliseconds of writing and syncing pages: the tail of the chat round trip. The
    server's own connection turns automatic checkpoints off and this task checkpoints every
    second from a second connection on a thread (sqlite3 releases the GIL while it works).
    PASSIVE never waits for the writer, so chat writes go on meanwhile; should the connection
    be replaced, SQLite's automatic checkpoint is back on by default."""

    def __init__(self, path: Path, interval: float) -> None:
        self._path = path
        self._interval = interval
        self._connection: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        # Cancelling the task does not stop a checkpoint already running on its thread; the
        # lock makes closing wait for it (closing a sqlite3 connection while another thread
        # uses it crashes the process), and _closed stops a late one opening a new connection.
        self._connection_lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await asyncio.to_thread(self._checkpoint)
            except sqlite3.Error:
                log.warning("WAL checkpoint failed; retrying in %s s", self._interval)

    def _checkpoint(self) -> None:
        with self._connection_lock:
            if self._closed:
                return
            if self._connection is None:
                self._connection = sqlite3.connect(self._path, check_same_thread=False)
                self._connection.execute("PRAGMA busy_timeout=1000")
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _close(self) -> None:
        with self._connection_lock:
            self._closed = True
            if self._connection is not None:
                connection, self._connection = self._connection, None
                connection.close()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.to_thread(self._close)


class _BackgroundSqlite:
    """A thread with an event loop and a SQLite connection of its own, for bulk background
    work (retention's deletes) that must not hold up the server's loop.

    The work's statements run inline on that thread (sqlite3 releases the GIL while it works),
    each transaction from its `BEGIN IMMEDIATE` (the write lock taken at once, waited for on
    this thread) to its commit without ever waiting on the server's loop. That matters: the
    server's own connection, should it want to write meanwhile, waits for the lock on the
    server's loop (busy_timeout), which would deadlock with a transaction whose next statement
    had to be sent from that loop. So the server's writes wait at most one background
    transaction: keep them short."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="frontdesk-background-db", daemon=True
        )
        self._thread.start()
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._autocommit: async_sessionmaker[AsyncSession] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], autocommit: bool) -> T:
        future = asyncio.run_coroutine_threadsafe(self._transaction(work, autocommit), self._loop)
        return await asyncio.wrap_future(future)

    async def _transaction(
        self, work: Callable[[AsyncSession], Awaitable[T]], autocommit: bool
    ) -> T:
        if self._sessions is None:
            engine = create_engine(self._url)

            @event.listens_for(engine.sync_engine, "connect")
            def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()
                dbapi_connection.isolation_level = None  # `_begin` says BEGIN itself

            @event.listens_for(engine.sync_engine, "begin")
            def _begin(connection: Any) -> None:
                if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                    connection.exec_driver_sql("BEGIN IMMEDIATE")

            self._engine = engine
            self._sessions = async_sessionmaker(engine, expire_on_commit=False)
            self._autocommit = async_sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
            )
        sessions = self._autocommit if autocommit else self._sessions
        assert sessions is not None
        async with sessions() as session, session.begin():
            return await work(session)

    async def _dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def close(self) -> None:
        try:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._dispose(), self._loop))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
            self._loop.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # A SQLite file's reads use connections of their own (see SQLITE_READERS); an
        # in-memory database is one connection's own, and PostgreSQL's pool is shared.
        self._reader_engine: AsyncEngine | None = None
        self._readers = self.sessions
        if url.startswith("sqlite") and _sqlite_path(url) is not None:
            self._reader_engine = create_engine(url, readers=True)
            self._readers = async_sessionmaker(self._reader_engine, expire_on_commit=False)
        self._checkpointer: _WalCheckpointer | None = None
        self._background: _BackgroundSqlite | None = None

    async def start_background_checkpoints(self, interval: float = 1.0) -> None:
        """SQLite files only: checkpoint the WAL off the event loop (see _WalCheckpointer)."""
        path = _sqlite_path(self.url) if self.url.startswith("sqlite") else None
        if path is None or self._checkpointer is not None:
            return
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = _WalCheckpointer(path, interval)
        self._checkpointer.start()

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine of this database: the one that writes, and on a SQLite file the
        read-only one (for probes that watch all statements)."""
        if self._reader_engine is None:
            return (self.engine,)
        return (self.engine, self._reader_engine)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def postgres_driver(self) -> AsyncIterator[Any]:
        """A pooled connection's asyncpg connection itself, for what SQLAlchemy cannot send
        (asyncpg's pipelined fetchmany). Outside any transaction: each call is atomic on its
        own. If the connection turns out to be dead (PostgreSQL restarted), the whole pool is
        replaced, as SQLAlchemy does after its own statements fail that way, so the next
        caller gets a fresh connection instead of the next dead one."""
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            try:
                yield driver
            except BaseException:
                if driver is None or driver.is_closed():
                    await connection.invalidate()
                    await self.engine.dispose()
                raise

    @asynccontextmanager
    async def sqlite_driver(self) -> AsyncIterator[sqlite3.Connection]:
        """The pooled connection's sqlite3 connection, checked out like any other (so nothing
        else uses it meanwhile), for hot paths where SQLAlchemy's per-statement machinery
        costs several times the statement itself. The caller commits or rolls back before
        it awaits anything."""
        # Not `async with self.engine.connect()`: its exit closes the connection in a task of
        # its own (shielded from cancellation), two or three event-loop turns for every chat
        # group, each turn as long as whatever else is ready (20 uploads' reads: a chat
        # message's group waited 8-22 ms, bench/RESULTS.md 2026-12-06). On this inline
        # connection checking out and returning run no statement that waits, so nothing can
        # interrupt the return half-way: it needs no shield.
        connection = await self.engine.connect()
        try:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, InlineConnection)
            yield driver.sqlite_connection
        finally:
            await connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: commit on success, roll back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def in_background(
        self, work: Callable[[AsyncSession], Awaitable[T]], *, autocommit: bool = False
    ) -> T:
        """`work` in one transaction that does not hold up live chat (retention's deletes);
        with `autocommit`, on SQLite, each of its statements is a transaction of its own
        (for work that writes with one statement: the write lock is then never held between
        two statements).
        On a SQLite file: on a thread with a connection of its own (_BackgroundSqlite); `work`
        must not touch objects bound to the server's loop. Elsewhere (PostgreSQL, SQLite in
        memory): an ordinary transaction (PostgreSQL's statements never run on the loop)."""
        if self.url.startswith("sqlite") and _sqlite_path(self.url) is not None:
            if self._background is None:
                self._background = _BackgroundSqlite(self.url)
            return await self._background.run(work, autocommit)
        async with self.transaction() as session:
            return await work(session)

    async def read_value(self, statement: Executable) -> Any:
        """The first column of the first row of one read (None: no row), without an ORM
        session: for checks on hot paths (a session's machinery costs about a millisecond of
        the event loop, several times such a statement, and its close takes turns of its own)."""
        if self.is_postgres:
            async with self.engine.connect() as connection:
                return (await connection.execute(statement)).scalar()
        # SQLite: on an inline connection nothing in checking out or returning waits, so it
        # is returned without the shielded close task (see sqlite_driver).
        connection = await (self._reader_engine or self.engine).connect()
        try:
            return (await connection.execute(statement)).scalar()
        finally:
            await connection.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only (on a SQLite file, a read-only connection that never
        waits for the writer's; it sees what was committed when its first statement ran)."""
        async with self._readers() as session:
            yield session

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self._background is not None:
            background, self._background = self._background, None
            await background.close()
        if self._reader_engine is not None:
            await self._reader_engine.dispose()
        await self.engine.dispose()
