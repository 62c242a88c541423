"""Raw SQL for SQLite: the group-commit writer's statements (group_writer.py runs them).

The same work as sql_postgres.WRITE_VISITOR_MESSAGE, as a short transaction on the sqlite3
connection itself (statements there are function calls on this thread, not round trips).
SQLAlchemy's per-statement machinery cost about four times SQLite's own work here
(bench/RESULTS.md), so the group goes straight to the driver, with the values stored in the
formats SQLAlchemy uses for these columns (tests read them back through the ORM).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

from frontdesk.storage.base import UTCDateTime

# A visitor's open chat, if its visitor already wrote in it (conversations.meta.visitor_replied;
# ConversationMeta keeps that key's name and JSON form): the sequence is bumped and the row
# locked, and what the frames need comes back, the author's name included (as
# messages.visitor_display_name spells it). The statuses are lifecycle.OPEN_STATUSES.
BUMP_OPEN_CHAT = """
UPDATE conversations SET last_seq = last_seq + 1, last_message_at = ?
WHERE visitor_id = ? AND org_id = ? AND status IN ('incoming', 'active')
    AND json_extract(meta, '$.visitor_replied') = 1
RETURNING id, org_id, visitor_id, owner_rep_id, routed_rep_ids, last_seq,
    (SELECT coalesce(v.name, v.email, 'Visitor') FROM visitors AS v
     WHERE v.id = conversations.visitor_id)
"""
INSERT_VISITOR_MESSAGE = """
INSERT INTO messages (id, org_id, conversation_id, seq, author_kind, author_rep_id, body,
    body_html, client_msg_id, internal, meta, created_at)
VALUES (?, ?, ?, ?, 'visitor', NULL, ?, ?, ?, 0, ?, ?)
"""

# The datetime columns' own bind processing (UTCDateTime, then SQLite's DATETIME text), so a
# raw statement stores exactly what the ORM would and reads back the same way.
_DIALECT = SQLiteDialect_aiosqlite()
_STORED_DATETIME = cast(
    Callable[[datetime], str], UTCDateTime().dialect_impl(_DIALECT).bind_processor(_DIALECT)
)


def stored_datetime(value: datetime) -> str:
    """An aware datetime as the ORM stores it in SQLite (UTC, naive, microseconds)."""
    return _STORED_DATETIME(value)
