"""Rows written before conversation meta was typed still read, and keep their JSON: what
consoles receive in summaries and what is stored after an edit are what the old code wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, text

from frontdesk.core.ids import new_id
from frontdesk.features import conversations
from frontdesk.features.conversations import edit_meta
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import Visitor
from frontdesk.storage.db import Database
from tests.conftest import Backend

pytestmark = pytest.mark.asyncio

# Between them, every key the three features wrote before the model, in the formats they wrote
# (timestamps from datetime.isoformat(), with and without microseconds).
OLD_ROWS: list[dict[str, Any]] = [
    {},
    {
        "experience_id": "exp1",
        "experience_name": "Default",
        "timeout_at": "2026-01-05T09:05:00+00:00",
        "rep_window_ends_at": "2026-01-05T09:00:30.250000+00:00",
        "ask_identity": True,
        "bot_greeted": True,
        "visitor_replied": True,
        "transfer": {
            "from_rep_id": "r1",
            "from_rep_name": "Ann",
            "to_rep_id": "r2",
            "note": None,
            "at": "2026-01-05T09:01:00.123456+00:00",
            "waiting": True,
        },
    },
    {"experience_id": "exp1", "experience_name": "Default", "offline": True},
    {
        "auto_pounce": True,
        "text_source": "template",
        "model_rejected": "the model timed out",
        "nudged": True,
        "visitor_replied": True,
        "awaiting_rep_since": "2026-01-05T09:02:00.000001+00:00",
        "rep_timeout_at": "2026-01-05T09:04:00.000001+00:00",
    },
    {"invitation_id": "inv1", "visitor_replied": True, "auto_pounce_resolution": "spam"},
]


async def _store_old_rows(db: Database) -> tuple[str, list[str]]:
    org_id, visitor_id = new_id(), new_id()
    now = datetime.now(UTC)
    ids = [new_id() for _ in OLD_ROWS]
    # What was stored, written as the old code's JSON column did: straight into the table.
    store_meta = text(
        "UPDATE conversations SET meta = CAST(:meta AS json) WHERE id = :id"
        if db.is_postgres
        else "UPDATE conversations SET meta = :meta WHERE id = :id"
    )
    async with db.transaction() as session:
        await session.execute(
            insert(Org).values(
                id=org_id,
                name="Meta test",
                site_key=f"sk_{org_id}",
                allowed_origins=[],
                identity_secret="secret",
                settings={},
                created_at=now,
            )
        )
        await session.execute(
            insert(Visitor).values(id=visitor_id, org_id=org_id, created_at=now, last_seen_at=now)
        )
        for conversation_id, meta in zip(ids, OLD_ROWS, strict=True):
            await session.execute(
                insert(Conversation).values(
                    id=conversation_id,
                    org_id=org_id,
                    visitor_id=visitor_id,
                    status="ended",
                    origin="inbound",
                    routed_rep_ids=[],
                    last_seq=0,
                    created_at=now,
                    tags=[],
                )
            )
            await session.execute(store_meta, {"meta": json.dumps(meta), "id": conversation_id})
    return org_id, ids


async def _stored_json(db: Database, conversation_id: str) -> object:
    async with db.read() as session:
        raw = (
            await session.execute(
                text("SELECT meta FROM conversations WHERE id = :id"), {"id": conversation_id}
            )
        ).scalar_one()
    return json.loads(raw) if isinstance(raw, str) else raw


async def test_old_rows_read_typed_and_give_consoles_the_same_meta(backend: Backend) -> None:
    db = Database(backend.database_url)
    try:
        _, ids = await _store_old_rows(db)
        async with db.read() as session:
            rows = [await session.get(Conversation, cid) for cid in ids]
            assert all(row is not None for row in rows)
            loaded = [row for row in rows if row is not None]
            summaries = await conversations.summaries(session, loaded)
        transferred, offline, auto_pounce = loaded[1].meta, loaded[2].meta, loaded[3].meta
        assert transferred.transfer is not None and transferred.transfer.from_rep_name == "Ann"
        assert transferred.timeout_at == datetime(2026, 1, 5, 9, 5, tzinfo=UTC)
        assert offline.offline and not offline.visitor_replied
        assert auto_pounce.awaiting_rep_since == datetime(2026, 1, 5, 9, 2, 0, 1, tzinfo=UTC)
        assert loaded[4].meta.auto_pounce_resolution == "spam"
        assert [s.model_dump(mode="json")["meta"] for s in summaries] == OLD_ROWS
    finally:
        await db.close()


async def test_an_edited_old_row_keeps_its_keys_and_formats(backend: Backend) -> None:
    db = Database(backend.database_url)
    try:
        _, ids = await _store_old_rows(db)
        async with db.transaction() as session:
            conversation = await session.get(Conversation, ids[1])
            assert conversation is not None
            with edit_meta(conversation) as meta:
                meta.offline = True
        assert await _stored_json(db, ids[1]) == {**OLD_ROWS[1], "offline": True}
    finally:
        await db.close()
