"""Counting the SQL statements a block of code sends (as Zulip's `assert_database_query_count`).

Lists and snapshots must load in a fixed number of queries however many rows they show; tests
count the statements while the block runs and compare the count for a few rows with the count
for many. The count hooks SQLAlchemy's `before_cursor_execute` on the engine's sync engine, so
it sees every statement SQLAlchemy sends, reads and writes alike. It does not see what bypasses
SQLAlchemy (the group-committed visitor messages: asyncpg pipelines on PostgreSQL, the sqlite3
connection on SQLite), nor BEGIN and COMMIT, which are not cursor executions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.storage.db import Database


@dataclass
class Statements:
    """The SQL sent while the block ran, in order."""

    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1}. {' '.join(s.split())[:160]}" for i, s in enumerate(self.sql))


@contextmanager
def counting_queries(target: AsyncEngine | Database) -> Iterator[Statements]:
    """Counts on an engine, or on all of a Database's (on a SQLite file, reads go through
    connections of their own: storage/db.py SQLITE_READERS)."""
    statements = Statements()
    engines = target.engines if isinstance(target, Database) else (target,)

    def record(
        connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        statements.sql.append(statement)

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
