"""Migration 0006 (rep emails unique per org) rebuilds the reps table on SQLite without losing
what refers to it, and leaves foreign keys enforced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from frontdesk.app import build_runtime
from frontdesk.features.orgs import service as orgs
from frontdesk.features.orgs.models import Rep, RepSession
from frontdesk.settings import load_settings
from frontdesk.storage.migrate import upgrade
from tests.harness import PASSWORD

pytestmark = pytest.mark.asyncio


async def test_upgrading_an_existing_sqlite_database_keeps_reps_and_their_sessions(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        {},
        environment="test",
        database_url=f"sqlite:///{tmp_path}/fd.db",
        secret_key="test-secret-" + "x" * 32,
    )
    runtime = build_runtime(settings)
    try:
        await upgrade(runtime.db.engine, "0005")
        # Rows as a 0005 database holds them, written in SQL: today's models have columns
        # (added by later migrations) that table does not have yet.
        # As text, the way SQLAlchemy stores datetimes on SQLite (sqlite3's own datetime
        # adapter is deprecated since Python 3.12).
        moment = datetime.now(UTC).replace(tzinfo=None)
        now, later = (str(t) for t in (moment, moment + timedelta(days=1)))
        async with runtime.db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO orgs (id, name, site_key, allowed_origins, identity_secret,"
                    " idle_after_seconds, settings, created_at) VALUES ('org1', 'Before',"
                    " 'site_before', '[\"https://a.example\"]', 'secret', 60, '{}', :now)"
                ),
                {"now": now},
            )
            await session.execute(
                text(
                    "INSERT INTO reps (id, org_id, email, name, role, password_hash,"
                    " availability, auto_pounce_enabled, voice_video_enabled, active,"
                    " created_at) VALUES ('rep1', 'org1', 'kept@example.com', 'Kept', 'admin',"
                    " :hash, 'away', 0, 0, 1, :now)"
                ),
                {"hash": orgs.hash_password(PASSWORD), "now": now},
            )
            await session.execute(
                text(
                    "INSERT INTO rep_sessions (id, org_id, rep_id, token_hash, csrf_token,"
                    " created_at, expires_at) VALUES ('s1', 'org1', 'rep1', 'h', 'c', :now,"
                    " :later)"
                ),
                {"now": now, "later": later},
            )

        await upgrade(runtime.db.engine, "head")

        async with runtime.db.read() as session:
            assert (await session.execute(select(func.count()).select_from(Rep))).scalar() == 1
            sessions = (
                await session.execute(select(func.count()).select_from(RepSession))
            ).scalar()
            assert sessions == 1
            enforced = (await session.execute(text("PRAGMA foreign_keys"))).scalar()
            assert enforced == 1
        # The kept rep still signs in with the password they had.
        await orgs.sign_in(runtime, "kept@example.com", PASSWORD, ip=None, user_agent=None)
        # The same email may now exist in another org.
        async with runtime.db.transaction() as session:
            other = await orgs.create_org(session, runtime, "After", ["https://b.example"])
            await orgs.create_rep(
                session,
                runtime,
                org_id=other.id,
                email="kept@example.com",
                name="Also",
                role="admin",
                password="another-good-passphrase",
            )
    finally:
        await runtime.rate_limiter.close()
        await runtime.db.close()
