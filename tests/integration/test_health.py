"""Liveness (/healthz) and readiness (/readyz), as a load balancer or an orchestrator probes them."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from frontdesk.app import READINESS_TIMEOUT
from tests.conftest import Backend
from tests.harness import Server, running_server
from tests.support.ports import free_port as _free_port


async def _probe(server: Server, path: str) -> tuple[int, object]:
    async with server.http().get(server.url + path) as response:
        return response.status, await response.json()


async def test_a_server_whose_database_and_bus_answer_is_live_and_ready(server: Server) -> None:
    assert await _probe(server, "/healthz") == (200, {"status": "ok"})
    assert await _probe(server, "/readyz") == (
        200,
        {"status": "ok", "checks": {"database": "ok", "bus": "ok"}},
    )


async def test_an_unreachable_database_makes_the_server_unready_but_still_live() -> None:
    # Nothing listens on the port: PostgreSQL refuses the connection at once.
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/frontdesk"
    async with running_server(url, "memory://", "unused") as server:
        status, body = await _probe(server, "/readyz")
        assert status == 503
        assert body == {
            "status": "unavailable",
            "checks": {"database": "failed: ConnectionRefusedError", "bus": "ok"},
        }
        assert await _probe(server, "/healthz") == (200, {"status": "ok"})


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung database host)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


async def test_a_database_that_does_not_answer_makes_the_server_unready_within_the_timeout(
    silent_listener: int,
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_listener}/frontdesk"
    async with running_server(url, "memory://", "unused") as server:
        started = asyncio.get_running_loop().time()
        status, body = await _probe(server, "/readyz")
        waited = asyncio.get_running_loop().time() - started
    assert status == 503
    assert body == {
        "status": "unavailable",
        "checks": {"database": f"no answer within {READINESS_TIMEOUT:g} s", "bus": "ok"},
    }
    assert waited < READINESS_TIMEOUT + 2


@pytest.fixture
async def throwaway_redis(tmp_path: Path) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of the test's own (the shared one on 6379 is never stopped)."""
    port = _free_port()
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = aioredis.from_url(url)
    try:
        async with asyncio.timeout(10):
            while True:  # until it answers PING
                try:
                    await client.ping()
                    break
                except aioredis.ConnectionError:
                    await asyncio.sleep(0.05)
        yield url, process
    finally:
        await client.aclose()
        process.terminate()
        process.wait(timeout=10)


async def test_a_redis_bus_that_went_down_makes_the_server_unready(
    sqlite_memory_backend: Backend,
    throwaway_redis: tuple[str, subprocess.Popen[bytes]],
) -> None:
    redis_url, redis_process = throwaway_redis
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    async with running_server(sqlite_memory_backend.database_url, redis_url, namespace) as server:
        assert (await _probe(server, "/readyz"))[0] == 200
        redis_process.terminate()
        await asyncio.to_thread(redis_process.wait, 10)
        status, body = await _probe(server, "/readyz")
        assert status == 503
        assert isinstance(body, dict)
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["bus"].startswith("failed: ")
        assert await _probe(server, "/healthz") == (200, {"status": "ok"})


async def test_a_request_that_gets_no_database_connection_in_time_is_told_to_retry(
    sqlite_server: Server,
) -> None:
    server = sqlite_server
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    engine = server.runtime.db.engine
    # SQLite's writing pool has one connection: hold it, and wait half a second instead of 30.
    engine.pool._timeout = 0.5  # type: ignore[attr-defined]
    async with engine.connect():
        status, body = await admin.request("POST", "/api/teams", {"name": "Sales"})
        assert status == 503, body
        assert body["error"]["code"] == "unavailable" and "try again" in body["error"]["message"]
        # Reads have connections of their own: the console still loads meanwhile.
        status, body = await admin.request("GET", "/api/teams")
        assert status == 200, body
        assert body["teams"] == []
    status, body = await admin.request("POST", "/api/teams", {"name": "Sales"})
    assert status == 200, body
