"""Run Alembic migrations from code (the CLI's `migrate`, the demo, and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))

    def _upgrade(connection: object) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
    if engine.dialect.name == "sqlite":
        # The migration turned foreign keys off on its connection (migrations/env.py): drop
        # it, so the next one is opened with them on again.
        await engine.dispose()
