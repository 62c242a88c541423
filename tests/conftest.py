"""Shared fixtures: real databases and buses.

SQLite + the in-process bus always run. PostgreSQL + Redis run when reachable; under CI=true
an unreachable PostgreSQL or Redis fails the run instead of skipping (issue 2).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


PG_UP = _reachable(PG_HOST, PG_PORT)
REDIS_UP = _reachable(REDIS_HOST, REDIS_PORT)


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [
        name
        for name, up in (
            ("PostgreSQL on 127.0.0.1:5432", PG_UP),
            ("Redis on 127.0.0.1:6379", REDIS_UP),
        )
        if not up
    ]
    if IN_CI and missing:
        raise pytest.UsageError(
            f"CI=true but {' and '.join(missing)} unreachable: these tests must run in CI, not skip"
        )


def require_postgres() -> None:
    if not PG_UP:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")


def require_redis() -> None:
    if not REDIS_UP:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    bus_url: str
    namespace: str


def _create_pg_database(name: str) -> str:
    import asyncpg  # type: ignore[import-untyped]

    async def create() -> None:
        conn = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", database="postgres"
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"


def _drop_pg_database(name: str) -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", database="postgres"
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _migrate(url: str) -> None:
    from frontdesk.storage.db import create_engine
    from frontdesk.storage.migrate import upgrade

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def sqlite_memory_backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    path = tmp_path_factory.mktemp("db") / "frontdesk.db"
    url = f"sqlite+aiosqlite:///{path}"
    _migrate(url)
    return Backend("sqlite+memory", url, "memory://", "unused")


@pytest.fixture(scope="session")
def postgres_redis_backend() -> Iterator[Backend]:
    require_postgres()
    require_redis()
    name = f"frontdesk_test_{uuid.uuid4().hex[:10]}"
    url = _create_pg_database(name)
    _migrate(url)
    yield Backend(
        "postgres+redis",
        url,
        f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        f"fdtest{uuid.uuid4().hex[:8]}",
    )
    _drop_pg_database(name)


@pytest.fixture(params=["sqlite+memory", "postgres+redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Run the test once per backend pair: the same code on SQLite+memory and PostgreSQL+Redis."""
    if request.param == "sqlite+memory":
        return request.getfixturevalue("sqlite_memory_backend")  # type: ignore[no-any-return]
    return request.getfixturevalue("postgres_redis_backend")  # type: ignore[no-any-return]


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
async def server(backend: Backend) -> AsyncIterator[object]:
    """A Frontdesk server on 127.0.0.1 with a frozen clock, once per backend pair."""
    from tests.harness import running_server

    async with running_server(backend.database_url, backend.bus_url, backend.namespace) as srv:
        yield srv


@pytest.fixture
async def sqlite_server(sqlite_memory_backend: Backend) -> AsyncIterator[object]:
    """The same on SQLite + the in-process bus only (for tests where the backend is not the point)."""
    from tests.harness import running_server

    async with running_server(sqlite_memory_backend.database_url, "memory://", "unused") as srv:
        yield srv


@pytest.fixture
def smtp_inbox() -> Iterator[list[object]]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); emails it receives land in the list."""
    from aiosmtpd.controller import Controller

    received: list[object] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["FRONTDESK_TEST_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        yield received
    finally:
        controller.stop()
        os.environ.pop("FRONTDESK_TEST_SMTP_URL", None)


# Production's Argon2id cost (64 MiB and 3 passes: 0.1-0.6 s per hash or check on the 2-core CI
# machine) is what a real sign-in should pay, not what each of the suite's hundreds of test
# sign-ins must: tests that run in this process hash with the same algorithm at its lowest
# cost. The CLI, packaging and multi-process tests run real processes at the real cost, and
# test_cli_and_health checks the stored hash's parameters.
TEST_PASSWORD_COST = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    from argon2 import PasswordHasher

    from frontdesk.features.orgs import service

    cheap = PasswordHasher(**TEST_PASSWORD_COST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "_hasher", cheap)
        yield
