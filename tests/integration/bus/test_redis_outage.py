"""Redis goes away and comes back under a running server (a throwaway redis-server of the
test's own, on PostgreSQL): nobody sees an error for a recovered bus, and every client catches
up with what was written meanwhile."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Backend
from tests.harness import Server, running_server
from tests.redis_server import ThrowawayRedis

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def redis_server(
    postgres_redis_backend: Backend, throwaway_redis: ThrowawayRedis
) -> AsyncIterator[Server]:
    async with running_server(
        postgres_redis_backend.database_url, throwaway_redis.url, "outage"
    ) as server:
        yield server


async def test_after_a_redis_restart_signing_in_snapshots_and_chat_work_at_once(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    server = redis_server
    org = await server.create_org()
    rep = await server.rep(org)  # signs in: the rate limiter's pooled connection is now used
    async with rep.socket() as console, server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        await console.expect("message", message__client_id="v1")

        throwaway_redis.restart()

        # Every pooled connection is dead now. A sign-in counts the attempt in Redis first.
        another = await server.sign_in(await server.create_rep(org))
        status, me = await another.request("GET", "/api/me")
        assert status == 200 and me["rep"]["id"] == another.rep_id
        # The open console resynchronises once the bus is back: a snapshot, not a 1011.
        resync = await console.expect("snapshot", timeout=10)
        assert [c["id"] for c in resync["conversations"] if c["status"] == "incoming"] == [cid]
        # A new console's snapshot reads live state from Redis too.
        async with another.socket() as second_console:
            assert second_console.snapshot is not None
        # Publishing works: the rep's reply reaches the visitor live.
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Hi!"}
        )
        await console.expect("ack", client_id="r1")
        await visitor.expect("message", message__client_id="r1")
