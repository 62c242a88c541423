"""aiosqlite connections that run SQLite calls on the event loop thread.

aiosqlite hands every DBAPI call (execute, fetch, commit, even cursor creation) to a worker
thread and waits for the answer: about two dozen thread round trips for one chat message, each
a wake-up of the loop. SQLite calls on a local file in WAL mode with synchronous=NORMAL take
microseconds, far less than the hop, and Frontdesk uses a single connection per process
anyway, so nothing ran in parallel on that thread. Running the calls inline halved the server
time of a visitor message and of a visitor's hello (bench/RESULTS.md).

The cost: a slow statement now blocks the loop for its duration, where before it blocked only
the requests waiting for the connection. SQLite is Frontdesk's one-process, one-machine mode;
deployments with heavy traffic use PostgreSQL (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as aiosqlite does
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite.Connection whose worker thread is never started."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        # SQLAlchemy's adapter also talks to `_tx` directly (to set the isolation level).
        self._tx = _RunNow()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    @property
    def sqlite_connection(self) -> sqlite3.Connection:
        """The sqlite3 connection itself: calls on it run on this (the loop's) thread, as
        every call through this class does."""
        return self._conn

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()


def inline_creator(*args: Any, **kwargs: Any) -> InlineConnection:
    """Used as SQLAlchemy's `async_creator_fn`: same arguments as sqlite3.connect."""
    kwargs["check_same_thread"] = False
    return InlineConnection(partial(sqlite3.connect, *args, **kwargs))
