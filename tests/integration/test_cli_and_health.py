"""The frontdesk command and the server's health and API description, as an operator uses them."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from frontdesk.features.visitors.tokens import identity_hash
from tests.harness import Server
from tests.support.ports import free_port as _free_port

FRONTDESK = str(Path(sys.executable).parent / "frontdesk")
# The command runs this checkout's code wherever its working directory is.
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _environment(**variables: str) -> dict[str, str]:
    """The test's environment without any FRONTDESK_* setting, plus the given ones."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    return {**base, "PYTHONPATH": SRC, **variables}


def _run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = _environment(
        FRONTDESK_DATABASE_URL=f"sqlite:///{tmp_path}/fd.db",
        FRONTDESK_DATA_DIR=str(tmp_path),
        **(env or {}),
    )
    # No stdin and a session of its own (no controlling terminal): as in a script or a
    # container started without -t.
    return subprocess.run(
        [FRONTDESK, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=tmp_path,
    )


def _org_rows(database: Path) -> list[tuple[str, str, str]]:
    assert database.exists(), f"no database at {database}"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT name, site_key, identity_secret FROM orgs").fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def test_an_operator_migrates_creates_an_org_and_a_rep_from_the_command_line(
    tmp_path: Path,
) -> None:
    assert _run(tmp_path, "migrate").returncode == 0
    org = _run(tmp_path, "create-org", "Acme", "--origin", "https://www.acme.example")
    assert org.returncode == 0 and org.stdout.strip().startswith("site_")
    rep = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "ann@acme.example",
        "--name",
        "Ann",
        "--role",
        "admin",
        "--password",
        "long-enough-pw",
    )
    assert rep.returncode == 0 and len(rep.stdout.strip()) == 32
    lead = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "lee@acme.example",
        "--name",
        "Lee",
        "--role",
        "lead",
        "--password",
        "long-enough-pw",
    )
    assert lead.returncode == 0, lead.stderr
    with contextlib.closing(sqlite3.connect(tmp_path / "fd.db")) as connection:
        roles = dict(connection.execute("SELECT email, role FROM reps").fetchall())
    assert roles == {"ann@acme.example": "admin", "lee@acme.example": "lead"}
    manager = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "max@acme.example",
        "--name",
        "Max",
        "--role",
        "manager",
        "--password",
        "long-enough-pw",
    )
    assert manager.returncode == 2 and "invalid choice: 'manager'" in manager.stderr
    again = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "ann@acme.example",
        "--name",
        "Ann",
        "--password",
        "long-enough-pw",
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = _run(
        tmp_path,
        "create-rep",
        "--org",
        "site_nope",
        "--email",
        "x@acme.example",
        "--name",
        "X",
        "--password",
        "long-enough-pw",
    )
    assert bad.returncode == 2 and "no org has site key" in bad.stderr
    short = _run(
        tmp_path,
        "create-rep",
        "--org",
        org.stdout.strip(),
        "--email",
        "y@acme.example",
        "--name",
        "Y",
        "--password",
        "short",
    )
    assert short.returncode == 2 and "8 characters" in short.stderr


@pytest.fixture(scope="module")
def migrated_with_an_org(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database that `frontdesk migrate` and `frontdesk create-org` made, once per module
    (two process starts fewer for each test below; the operator test above runs both itself)."""
    template = tmp_path_factory.mktemp("cli-template")
    assert _run(template, "migrate").returncode == 0
    org = _run(template, "create-org", "Acme", "--origin", "https://www.acme.example")
    assert org.returncode == 0, org.stderr
    return template / "fd.db", org.stdout.strip()


@pytest.fixture
def org_site_key(tmp_path: Path, migrated_with_an_org: tuple[Path, str]) -> str:
    """This test's own copy of that database (in tmp_path, where _run points the CLI)."""
    database, site_key = migrated_with_an_org
    shutil.copyfile(database, tmp_path / "fd.db")
    return site_key


def test_create_rep_without_a_password_or_a_terminal_says_what_to_pass(
    tmp_path: Path, org_site_key: str
) -> None:
    site_key = org_site_key
    result = _run(
        tmp_path, "create-rep", "--org", site_key, "--email", "ann@acme.example", "--name", "Ann"
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "EOFError" not in result.stderr
    assert "no terminal" in result.stderr
    assert "--password" in result.stderr and "--generate-password" in result.stderr


def test_create_rep_can_generate_the_password_and_print_it(
    tmp_path: Path, org_site_key: str
) -> None:
    site_key = org_site_key
    result = _run(
        tmp_path,
        "create-rep",
        "--org",
        site_key,
        "--email",
        "ann@acme.example",
        "--name",
        "Ann",
        "--generate-password",
    )
    assert result.returncode == 0, result.stderr
    rep_id, password = result.stdout.split()
    assert len(rep_id) == 32 and len(password) >= 16
    with contextlib.closing(sqlite3.connect(tmp_path / "fd.db")) as connection:
        (stored,) = connection.execute(
            "SELECT password_hash FROM reps WHERE id = ?", (rep_id,)
        ).fetchone()
    assert PasswordHasher().verify(stored, password)
    # Argon2id at the library's default cost (the in-process tests use a cheaper one).
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_operator_shows_and_rotates_the_identity_secret(
    tmp_path: Path, org_site_key: str
) -> None:
    site_key = org_site_key
    [(_, _, stored)] = _org_rows(tmp_path / "fd.db")

    shown = _run(tmp_path, "show-identity-secret", "--org", site_key)
    assert shown.returncode == 0 and shown.stdout.strip() == stored

    rotated = _run(tmp_path, "rotate-identity-secret", "--org", site_key)
    assert rotated.returncode == 0
    new = rotated.stdout.strip()
    assert len(new) >= 32 and new != stored
    assert "old secret no longer verifies" in rotated.stderr
    [(_, _, now_stored)] = _org_rows(tmp_path / "fd.db")
    assert now_stored == new
    assert identity_hash(new, "ada@acme.example") != identity_hash(stored, "ada@acme.example")
    assert _run(tmp_path, "show-identity-secret", "--org", site_key).stdout.strip() == new

    unknown = _run(tmp_path, "show-identity-secret", "--org", "site_nope")
    assert unknown.returncode == 2 and "no org has site key" in unknown.stderr


def test_the_default_database_lives_in_the_data_directory(tmp_path: Path) -> None:
    # No FRONTDESK_DATABASE_URL: each data directory gets its own database (issue 13: a second
    # org was written into the first demo's ./var/frontdesk.db).
    for name in ("one", "two"):
        env = _environment(FRONTDESK_DATA_DIR=str(tmp_path / name))
        for args in (["migrate"], ["create-org", f"Org {name}"]):
            result = subprocess.run(
                [FRONTDESK, *args],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
            assert result.returncode == 0, result.stderr
    assert [row[0] for row in _org_rows(tmp_path / "one" / "frontdesk.db")] == ["Org one"]
    assert [row[0] for row in _org_rows(tmp_path / "two" / "frontdesk.db")] == ["Org two"]
    assert not (tmp_path / "var").exists()


@contextlib.contextmanager
def _demo(cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """`frontdesk demo` running until the block ends; yields the site key it printed."""
    process = subprocess.Popen(
        [FRONTDESK, "demo", "--port", str(_free_port()), "--site-port", str(_free_port())],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        site_key = None
        output = []
        # Reads until the banner is complete (or the process ends: then the assert says why).
        for line in process.stdout:
            output.append(line)
            if line.strip().startswith("Site key:"):
                site_key = line.split(":", 1)[1].strip()
            if line.startswith("Press Ctrl+C"):
                break
        assert site_key, "".join(output)
        yield site_key
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.timeout(120)
def test_two_demos_with_different_data_directories_share_nothing(tmp_path: Path) -> None:
    one = _environment(FRONTDESK_DATA_DIR=str(tmp_path / "one"))
    two = _environment(FRONTDESK_DATA_DIR=str(tmp_path / "two"))
    with _demo(tmp_path, one) as first, _demo(tmp_path, two) as second:
        assert first != second
    assert [row[:2] for row in _org_rows(tmp_path / "one" / "frontdesk.db")] == [
        ("Northwind Analytics", first)
    ]
    assert [row[:2] for row in _org_rows(tmp_path / "two" / "frontdesk.db")] == [
        ("Northwind Analytics", second)
    ]
    assert not (tmp_path / "var").exists()

    # A third data directory pointed at the first demo's database on purpose reuses its org
    # instead of adding a second Northwind without reps of its own.
    three = _environment(
        FRONTDESK_DATA_DIR=str(tmp_path / "three"),
        FRONTDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'one' / 'frontdesk.db'}",
    )
    with _demo(tmp_path, three) as third:
        assert third == first
    assert len(_org_rows(tmp_path / "one" / "frontdesk.db")) == 1


def test_serve_refuses_to_start_with_a_placeholder_secret(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "serve",
        "--port",
        "0",
        env={"FRONTDESK_SECRET_KEY": "change-me", "FRONTDESK_ENV": "production"},
    )
    assert result.returncode == 2
    assert "FRONTDESK_SECRET_KEY" in result.stderr


@pytest.mark.asyncio
async def test_health_and_the_openapi_description_are_served(sqlite_server: Server) -> None:
    http = sqlite_server.http()
    async with http.get(sqlite_server.url + "/healthz") as response:
        assert response.status == 200 and (await response.json()) == {"status": "ok"}
    async with http.get(sqlite_server.url + "/openapi.json") as response:
        spec = await response.json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/auth/login",
        "/api/conversations/{conversation_id}/accept",
        "/api/segments",
        "/api/webhooks",
        "/api/visitors/{visitor_id}/invitations",
    ):
        assert path in spec["paths"], path
    login = spec["paths"]["/api/auth/login"]["post"]
    assert (
        login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/LoginBody"
    )
    async with http.get(sqlite_server.url + "/api/nothing-here") as response:
        assert response.status == 404 and (await response.json())["error"]["code"] == "not_found"
