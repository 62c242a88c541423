"""SQLite backups taken while the server serves chat, and restores that check what they are
given (storage/backup.py; the `frontdesk backup` / `restore` commands use these)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import pytest

from frontdesk.storage.backup import BackupError, backup_sqlite, check_backup, restore_sqlite
from frontdesk.storage.db import create_engine
from frontdesk.storage.migrate import upgrade
from tests.harness import Server, Socket, running_server

VISITORS = 10
MESSAGES_PER_VISITOR = 40
SEND_INTERVAL = 0.05  # per visitor: 10 visitors x 20 messages a second = 200 messages a second
BACKUP_AFTER = 1.0  # seconds into the two-second load


async def _migrated_database(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return url


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()


async def _chat(
    visitor: Socket, number: int, acked: dict[str, float], errors: list[object]
) -> None:
    """Sends this visitor's messages at a steady pace while reading its acknowledgements."""

    async def read() -> None:
        while sum(cid.startswith(f"v{number}-") for cid in acked) < MESSAGES_PER_VISITOR:
            frame = await visitor.next_frame(timeout=20)
            for event in frame["events"] if frame["type"] == "batch" else [frame]:
                if event["type"] == "ack":
                    acked[event["client_id"]] = time.monotonic()
                elif event["type"] == "error":
                    errors.append(event)
                    return

    reader = asyncio.create_task(read())
    for n in range(MESSAGES_PER_VISITOR):
        await visitor.send({"type": "message", "client_id": f"v{number}-{n}", "body": f"m{n}"})
        await asyncio.sleep(SEND_INTERVAL)
    await reader


async def test_a_backup_taken_during_chat_load_holds_every_message_acknowledged_before_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "live.db"
    url = await _migrated_database(database)
    backup = tmp_path / "backups" / "during-load.db"
    acked: dict[str, float] = {}  # client id -> when its ack reached the visitor
    errors: list[object] = []
    async with running_server(
        url, "memory://", "unused", visitor_messages_per_10s=MESSAGES_PER_VISITOR * 10
    ) as server:
        org = await server.create_org()
        async with contextlib.AsyncExitStack() as stack:
            visitors = [
                await stack.enter_async_context(server.visitor(org)) for _ in range(VISITORS)
            ]
            # Each visitor opens its chat first (the first message of a server also loads the
            # IP data), so the timed load is messages in open conversations.
            for i, visitor in enumerate(visitors):
                await visitor.send({"type": "message", "client_id": f"open-{i}", "body": "hi"})
                await visitor.expect("ack", client_id=f"open-{i}")
            load = asyncio.gather(
                *(_chat(visitor, i, acked, errors) for i, visitor in enumerate(visitors))
            )
            await asyncio.sleep(BACKUP_AFTER)
            backup_started = time.monotonic()
            acked_before_backup = set(acked)
            # On a thread, as `frontdesk backup` is another process: the server's event loop
            # keeps storing and acknowledging messages meanwhile.
            info = await asyncio.to_thread(backup_sqlite, database, backup)
            backup_finished = time.monotonic()
            await load
    assert not errors, errors
    assert len(acked) == VISITORS * MESSAGES_PER_VISITOR, f"{len(acked)} acknowledged"
    assert info.schema.up_to_date and info.path == backup
    # The load was running on both sides of the backup.
    assert len(acked_before_backup) >= 50
    acked_after_backup = {cid for cid, at in acked.items() if at > backup_finished}
    assert len(acked_after_backup) >= 50
    assert all(at <= backup_started for cid, at in acked.items() if cid in acked_before_backup)

    restored = tmp_path / "restored.db"
    restore_sqlite(backup, restored)
    stored = {str(row[0]) for row in _rows(restored, "SELECT client_msg_id FROM messages")}
    assert acked_before_backup <= stored, sorted(acked_before_backup - stored)[:5]
    # A snapshot of one instant: what was acknowledged after the copy finished is not in it...
    assert not acked_after_backup & stored
    # ...and each conversation in it is whole: its sequence numbers run 1..n with no gap.
    seqs: dict[str, list[int]] = defaultdict(list)
    for conversation_id, seq in _rows(restored, "SELECT conversation_id, seq FROM messages"):
        seqs[str(conversation_id)].append(int(str(seq)))
    assert seqs and all(sorted(s) == list(range(1, len(s) + 1)) for s in seqs.values())
    assert _rows(restored, "PRAGMA integrity_check") == [("ok",)]
    # The backup is one self-contained file (no -wal beside it to lose when it is copied).
    assert _rows(backup, "PRAGMA journal_mode") == [("delete",)]


async def _one_message(server: Server, client_id: str) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": client_id, "body": "hello"})
        await visitor.expect("ack", client_id=client_id)


async def test_restore_refuses_a_database_a_running_server_has_open_unless_forced(
    tmp_path: Path,
) -> None:
    database = tmp_path / "frontdesk.db"
    url = await _migrated_database(database)
    backup = tmp_path / "backup.db"
    async with running_server(url, "memory://", "unused") as server:
        await _one_message(server, "before")
        backup_sqlite(database, backup)
        await _one_message(server, "after")
        with pytest.raises(BackupError, match=r"open in another process.*Stop every"):
            restore_sqlite(backup, database)
        messages = "SELECT client_msg_id FROM messages WHERE author_kind = 'visitor' ORDER BY 1"
        assert _rows(database, messages) == [("after",), ("before",)]  # untouched
        restore_sqlite(backup, database, force=True)
    assert _rows(database, messages) == [("before",)]
    # Stopped, the server no longer holds it: a plain restore goes through.
    restore_sqlite(backup, database)
    assert _rows(database, "PRAGMA integrity_check") == [("ok",)]


def _corrupted_copy(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over the second page (a b-tree page of the schema's first table).
    data[page_size : page_size + 64] = b"\xff" * 64
    target.write_bytes(bytes(data))
    return target


async def test_restore_refuses_what_is_not_an_intact_frontdesk_backup(tmp_path: Path) -> None:
    database = tmp_path / "frontdesk.db"
    await _migrated_database(database)
    good = tmp_path / "good.db"
    backup_sqlite(database, good)
    assert check_backup(good).up_to_date
    target = tmp_path / "target.db"

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("these are not the pages you are looking for\n" * 200)
    with pytest.raises(BackupError, match=r"notes\.txt is not a usable SQLite database"):
        restore_sqlite(not_sqlite, target)

    with pytest.raises(BackupError, match=r"is damaged|not a usable SQLite database"):
        restore_sqlite(_corrupted_copy(good, tmp_path / "corrupt.db"), target)

    other_app = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other_app)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("INSERT INTO alembic_version VALUES ('0006')")
        connection.commit()
    with pytest.raises(BackupError, match="not a Frontdesk one"):
        restore_sqlite(other_app, target)

    newer = tmp_path / "newer.db"
    backup_sqlite(database, newer)
    with contextlib.closing(sqlite3.connect(newer)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    with pytest.raises(BackupError, match="9999, which this version of Frontdesk does not know"):
        restore_sqlite(newer, target)

    assert not target.exists()  # nothing refused left a file behind
    restore_sqlite(good, target)
    assert _rows(target, "SELECT count(*) FROM orgs") == [(0,)]


async def test_an_older_backup_restores_and_says_which_migrations_are_pending(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{old}")
    try:
        await upgrade(engine, "0004")
    finally:
        await engine.dispose()
    backup = tmp_path / "old-backup.db"
    assert backup_sqlite(old, backup).schema.current == ("0004",)
    status = restore_sqlite(backup, tmp_path / "restored.db")
    # Every migration after 0004, in order (the list grows with each new migration).
    pending = [m.revision for m in status.pending]
    assert pending[:2] == ["0005", "0006"] and "0004" not in pending
    assert pending[-1] == status.head


async def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    database = tmp_path / "frontdesk.db"
    await _migrated_database(database)
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(database, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(BackupError, match="no database at"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "new.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frontdesk.db", "precious.db"]
