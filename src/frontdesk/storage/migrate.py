"""Run Alembic migrations from code (the CLI's `migrate`, the demo, and tests), and tell
which ones a database still lacks (`migrate --check`, and `restore` checking a backup).

Alembic (with Mako and Pygments) is imported by the functions that use it: the `frontdesk`
command imports this module for every command, and `serve` never migrates (a restarted
server spent ~0.1-0.2 s of CPU importing it; issue 21)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

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


@dataclass(frozen=True)
class Migration:
    revision: str
    title: str  # the first line of the migration's docstring

    def __str__(self) -> str:
        return f"{self.revision} ({self.title})"


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands against the migrations this version ships."""

    current: tuple[str, ...]  # the database's revision(s); empty for a database never migrated
    pending: tuple[Migration, ...]  # oldest first: what `frontdesk migrate` would run
    unknown: tuple[str, ...]  # revisions this version does not ship (a newer version wrote them)
    head: str

    @property
    def up_to_date(self) -> bool:
        return not self.pending and not self.unknown

    def describe(self) -> str:
        """One paragraph for an operator."""
        at = f"revision {', '.join(self.current)}" if self.current else "no revision (empty)"
        if self.unknown:
            return (
                f"the database is at {at}, which this version of Frontdesk does not know "
                f"(its newest is {self.head}): a newer version migrated it. Run that version, "
                "or restore a backup made before the upgrade"
            )
        if self.pending:
            return (
                f"{len(self.pending)} migration(s) pending: "
                f"{', '.join(str(m) for m in self.pending)}. The database is at {at}; run "
                "`frontdesk migrate`"
            )
        return f"the database schema is up to date (revision {self.head})"


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def schema_status_of(current: Sequence[str]) -> SchemaStatus:
    """The status of a database whose alembic_version table holds `current`."""
    from alembic.util import CommandError

    scripts = _scripts()
    head = scripts.get_current_head() or ""
    known = {script.revision for script in scripts.walk_revisions()}
    unknown = tuple(revision for revision in current if revision not in known)
    if unknown:
        return SchemaStatus(tuple(current), (), unknown, head)
    try:
        # From the heads down to (not including) the current revisions; all of them when the
        # database was never migrated.
        ahead = list(scripts.iterate_revisions("heads", tuple(current) or "base"))
    except CommandError as error:  # e.g. a revision on a branch this version abandoned
        return SchemaStatus(tuple(current), (), (f"{', '.join(current)}: {error}",), head)
    pending = tuple(
        Migration(script.revision, (script.doc or "").strip().split("\n")[0])
        for script in reversed(ahead)
    )
    return SchemaStatus(tuple(current), pending, (), head)


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """Read the database's revision and compare it with the migrations this version ships."""
    from alembic.migration import MigrationContext

    def _current(connection: Connection) -> tuple[str, ...]:
        return tuple(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    return schema_status_of(current)
