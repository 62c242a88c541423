"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from frontdesk.storage.db import create_engine
from frontdesk.storage.models import Base
from tests.conftest import Backend

pytestmark = pytest.mark.asyncio


async def test_models_and_migrations_agree(backend: Backend) -> None:
    engine = create_engine(backend.database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []
