"""The SQLite WAL checkpointer, stopped while a checkpoint is on its way on its thread (as when
the server shuts down): the checkpoint must not use or reopen a connection after closing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from frontdesk.storage.db import _WalCheckpointer


class _HeldCheckpointer(_WalCheckpointer):
    """Holds its second checkpoint on the worker thread until the test releases it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, interval=0.001)
        self.calls = 0
        self.first_done = threading.Event()
        self.second_started = threading.Event()
        self.release = threading.Event()
        self.second_done = threading.Event()

    def _checkpoint(self) -> None:
        self.calls += 1
        if self.calls == 1:
            super()._checkpoint()
            self.first_done.set()
            return
        if self.calls == 2:
            self.second_started.set()
            self.release.wait(10)
            try:
                super()._checkpoint()
            finally:
                self.second_done.set()


async def test_a_checkpoint_still_running_when_the_server_stops_opens_no_connection_after_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "frontdesk.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=wal")
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    checkpointer = _HeldCheckpointer(path)
    checkpointer.start()
    assert await asyncio.to_thread(checkpointer.second_started.wait, 10)
    assert checkpointer.first_done.is_set()

    await checkpointer.stop()  # cancels the task; the thread is still inside the checkpoint
    checkpointer.release.set()
    assert await asyncio.to_thread(checkpointer.second_done.wait, 10)

    assert checkpointer._connection is None
