"""Online backups of a SQLite database, and restoring one (`frontdesk backup` / `restore`).

The copy is made with SQLite's online backup API (`sqlite3.Connection.backup`) in a single
step: every page is read inside one read transaction, so the backup is the database as it was
at one instant, and in WAL mode (the server's, storage/db.py) a reader blocks no writer: chat
goes on while the copy is made. `VACUUM INTO` would give a consistent snapshot too, but it
rebuilds every table and index instead of copying pages, so on the small machine the server
shares it costs more CPU and keeps its read transaction (and with it the un-checkpointed WAL)
open longer, and it does not sync its output. The pages go to a temporary file next to the
target, which is switched to a rollback journal (one self-contained file), checked, synced and
renamed into place: the target is either a complete, checked backup or absent.

Restoring copies a backup into the database file with the same API, after checking that the
backup is an intact Frontdesk database at a schema revision this version knows. It holds an
exclusive lock on the target while it writes, so a server cannot open it half-restored, and it
refuses a database that a running server has open unless forced.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from frontdesk.core.errors import FrontdeskError
from frontdesk.storage.durable import fsync_path
from frontdesk.storage.migrate import SchemaStatus, schema_status_of

# Tables every Frontdesk schema has had since the first migration: a database with an
# alembic_version table but without these is some other application's.
CORE_TABLES = frozenset({"orgs", "reps", "visitors", "conversations", "messages", "deadlines"})
BUSY_TIMEOUT_SECONDS = 30.0
INTEGRITY_PROBLEMS_SHOWN = 5


class BackupError(FrontdeskError):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int
    schema: SchemaStatus


def sqlite_file(database_url: str) -> Path:
    """The file of a SQLite database URL; BackupError for anything else (PostgreSQL, memory)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        # Without the password: pg_dump reads it from PGPASSWORD or ~/.pgpass.
        shown = URL.create(
            "postgresql", url.username, None, url.host, url.port, url.database
        ).render_as_string()
        raise BackupError(
            "this server uses PostgreSQL, which `frontdesk backup` and `restore` do not copy: "
            f"use pg_dump, for example\n  pg_dump --format=custom "
            f"--file=frontdesk-$(date +%F).dump '{shown}'\nand pg_restore to restore it "
            "(docs/operations.md, Backups)"
        )
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(f"no database file to back up in {url.render_as_string()!r}")
    return Path(url.database)


def _connect_existing(path: Path) -> sqlite3.Connection:
    # mode=rw: never create an empty database where the operator mistyped a path.
    return sqlite3.connect(
        f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
    )


def _schema_of(connection: sqlite3.Connection, what: Path) -> SchemaStatus:
    """The checked schema revision of an open Frontdesk database (BackupError if it is none)."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "alembic_version" not in tables or not tables >= CORE_TABLES:
        raise BackupError(
            f"{what} is a SQLite database but not a Frontdesk one (it lacks "
            f"{', '.join(sorted(({'alembic_version'} | CORE_TABLES) - tables))})"
        )
    current = tuple(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))
    return schema_status_of(current)


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(f"PRAGMA integrity_check({INTEGRITY_PROBLEMS_SHOWN})").fetchall()
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def backup_sqlite(source: Path, target: Path) -> BackupInfo:
    """Copy the database at `source` to the new file `target`, consistently, while a server
    may be writing to it."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists: give a new file name, or remove it first")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with (
            contextlib.closing(_connect_existing(source)) as live,
            contextlib.closing(sqlite3.connect(partial, isolation_level=None)) as copy,
        ):
            # pages=-1: one step, so one read transaction and one snapshot. In several steps
            # SQLite would restart the copy whenever the server wrote in between, and under
            # steady chat it might never finish.
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            problems = _integrity_problems(copy)
            if problems:
                raise BackupError(
                    f"the copy of {source} failed its integrity check, so the database itself "
                    f"is probably damaged: {'; '.join(problems)}"
                )
            schema = _schema_of(copy, source)
        fsync_path(partial)
        os.replace(partial, target)
        fsync_path(target.parent)
    except sqlite3.Error as error:
        raise BackupError(f"could not back up {source}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, target.stat().st_size, schema)


def check_backup(path: Path) -> SchemaStatus:
    """Check that `path` is an intact Frontdesk database whose schema this version can run
    (after `frontdesk migrate` when it is older); BackupError saying what is wrong otherwise."""
    if not path.is_file():
        raise BackupError(f"there is no backup at {path}")
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        ) as connection:
            problems = _integrity_problems(connection)
            if problems:
                raise BackupError(
                    f"{path} is damaged (integrity check: {'; '.join(problems)}); "
                    "nothing was restored"
                )
            schema = _schema_of(connection, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} is not a usable SQLite database ({error}); nothing was restored"
        ) from error
    if schema.unknown:
        raise BackupError(f"{path}: {schema.describe()}; nothing was restored")
    return schema


IN_USE = (
    "{target} is open in another process, most likely a running Frontdesk server; nothing was "
    "restored. Stop every `frontdesk serve` using it and run `frontdesk restore` again, then "
    "start the server. (--force restores under a running server: its database connection sees "
    "the restored data at once, its memory does not, so restart it straight away.)"
)


def restore_sqlite(backup: Path, target: Path, *, force: bool = False) -> SchemaStatus:
    """Replace the database at `target` with a checked copy of `backup`; the backup's schema
    status (pending migrations are the caller's to mention)."""
    schema = check_backup(backup)
    if target.exists() and target.resolve() == backup.resolve():
        raise BackupError(f"{backup} is the database itself; nothing to restore")
    existed = target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.closing(
            sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        ) as database:
            if not force:
                # An exclusive lock, kept until this connection closes: taking it fails while
                # any other connection has the database open (in WAL mode, the server's
                # connections hold a shared lock for as long as they are open), and holding it
                # keeps a server that starts meanwhile from reading a half-restored file.
                database.execute("PRAGMA busy_timeout=0")
                database.execute("PRAGMA locking_mode=EXCLUSIVE")
                try:
                    database.execute("BEGIN EXCLUSIVE")
                    database.execute("COMMIT")
                except sqlite3.OperationalError as error:
                    if "locked" in str(error) or "busy" in str(error):
                        raise BackupError(IN_USE.format(target=target)) from None
                    raise
            with contextlib.closing(
                sqlite3.connect(f"file:{backup}?mode=ro", uri=True, isolation_level=None)
            ) as source:
                source.backup(database, pages=-1)
    except sqlite3.Error as error:
        if not existed:
            target.unlink(missing_ok=True)
        raise BackupError(f"could not restore {backup} into {target}: {error}") from error
    except BackupError:
        if not existed:
            target.unlink(missing_ok=True)
        raise
    return schema
