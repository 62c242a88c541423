"""`frontdesk migrate --check`, `frontdesk backup` and `frontdesk restore` as an operator runs
them: exit codes and what they print. In-process (cli.main) rather than subprocesses, so they
stay fast; tests/integration/test_cli_and_health.py runs the real command for the rest."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.storage.db import create_engine
from frontdesk.storage.migrate import schema_status_of, upgrade
from tests.conftest import _create_pg_database, _drop_pg_database, require_postgres

HEAD = schema_status_of(()).head


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The SQLite file the command is pointed at (not created); no other FRONTDESK_* setting."""
    for name in list(os.environ):
        if name.startswith("FRONTDESK_"):
            monkeypatch.delenv(name)
    path = tmp_path / "var" / "frontdesk.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "var"))
    # main() points the root logger at stderr for the process; the test process keeps its own.
    monkeypatch.setattr("frontdesk.cli.configure_logging", lambda *_: None)
    return path


def _migrate_to(url: str, revision: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_migrate_check_fails_naming_the_pending_migrations_until_migrate_runs(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"There is no database at {database} yet" in out
    assert "migration(s) pending: 0001 (initial schema), 0002" in out
    assert f"{HEAD} (" in out and "run `frontdesk migrate`" in out
    assert not database.parent.exists()  # checking created nothing, not even a secret

    database.parent.mkdir(parents=True)
    database.touch()  # a fresh, empty database
    assert main(["migrate", "--check"]) == 1
    assert "no revision (empty)" in capsys.readouterr().out

    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["migrate", "--check"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"the database schema is up to date (revision {HEAD})"
    )


def test_migrate_check_names_only_what_an_older_database_lacks(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _migrate_to(f"sqlite+aiosqlite:///{database}", "0004")
    assert main(["migrate", "--check"]) == 1
    out = capsys.readouterr().out
    assert "0005 (one open conversation per visitor)" in out
    assert "0004 (" not in out and "at revision 0004" in out


def test_migrate_check_on_postgresql(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_postgres()
    name = f"frontdesk_check_{uuid.uuid4().hex[:10]}"
    url = _create_pg_database(name)
    try:
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        assert main(["migrate", "--check"]) == 1
        assert "no revision (empty)" in capsys.readouterr().out
        _migrate_to(url, "head")
        assert main(["migrate", "--check"]) == 0
    finally:
        _drop_pg_database(name)


def test_backup_and_restore_from_the_command_line(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    backup = tmp_path / "backups" / "frontdesk-1.db"
    assert main(["backup", str(backup)]) == 0
    out = capsys.readouterr().out
    assert f"backed up {database} to {backup}" in out and f"schema revision {HEAD}" in out

    assert main(["backup", str(backup)]) == 2
    assert "already exists" in capsys.readouterr().err

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    assert main(["restore", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("frontdesk: ") and "not a usable SQLite database" in err

    assert main(["restore", str(backup)]) == 0
    assert f"restored {database} from {backup}" in capsys.readouterr().out


def test_backup_on_postgresql_says_to_use_pg_dump(
    database: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", "postgresql://frontdesk:s3cret@db:5432/frontdesk")
    assert main(["backup", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "postgresql://frontdesk@db:5432/frontdesk" in err
    assert "s3cret" not in err
    assert main(["restore", str(tmp_path / "x.db")]) == 2
    assert "pg_restore" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
