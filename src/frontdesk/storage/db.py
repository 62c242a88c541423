"""Engine and session factory for SQLite (default) and PostgreSQL, through the same code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from frontdesk.storage.sqlite_inline import inline_creator


def _sqlite_path(url: str) -> Path | None:
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer at a time anyway, and a single connection
        # means no "database is locked" retries inside the process. Transactions are short.
        engine = create_async_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
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


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: commit on success, roll back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
