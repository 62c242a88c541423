"""Redis goes away and comes back under a running server (a throwaway redis-server of the
test's own, on PostgreSQL): nobody sees an error for a recovered bus, and every client catches
up with what was written meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.conftest import Backend
from tests.harness import PASSWORD, Server, running_server
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


async def test_a_rep_reply_sent_while_redis_is_down_reaches_the_connected_visitor_once_it_is_back(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    server = redis_server
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console, server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        ack = await visitor.expect("ack", client_id="v1")
        cid, seen = ack["message"]["conversation_id"], ack["message"]["seq"]
        await console.expect("message", message__client_id="v1")

        throwaway_redis.stop()
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Here!"}
        )
        await console.expect("ack", client_id="r1")  # stored; its publish failed
        throwaway_redis.start()
        back = asyncio.get_running_loop().time()

        # What the widget does with a resync: resume from the last seq it saw.
        await visitor.expect("resync", timeout=5)
        await visitor.send({"type": "resume", "after_seq": seen, "conversation_id": cid})
        # The rep's reply accepted the chat: the visitor learns who has it.
        state = await visitor.expect("conversation", timeout=5, conversation__status="active")
        assert state["conversation"]["rep"]["id"] == rep.rep_id
        reply = await visitor.expect("message", timeout=5, message__client_id="r1")
        assert reply["message"]["body"] == "Here!"
        assert asyncio.get_running_loop().time() - back < 5
        await console.expect("snapshot", timeout=5)  # the console caught up too


async def test_a_reply_whose_publish_failed_while_redis_stayed_up_reaches_the_visitor(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    """No reconnect tells anyone that something was lost: the process whose publish failed
    sends the resync itself once Redis takes its publishes again."""
    server = redis_server
    org = await server.create_org()
    rep = await server.rep(org)
    redis = aioredis.from_url(throwaway_redis.url)
    try:
        async with rep.socket() as console, server.visitor(org) as visitor:
            await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
            ack = await visitor.expect("ack", client_id="v1")
            cid, seen = ack["message"]["conversation_id"], ack["message"]["seq"]
            await console.expect("message", message__client_id="v1")

            # Redis stays up and the subscriptions stay open, but PUBLISH fails.
            await redis.execute_command("ACL", "SETUSER", "default", "-publish")
            await console.send(
                {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Here!"}
            )
            await console.expect("ack", client_id="r1")
            await redis.execute_command("ACL", "SETUSER", "default", "+publish")

            await visitor.expect("resync", timeout=5)
            await visitor.send({"type": "resume", "after_seq": seen, "conversation_id": cid})
            await visitor.expect("message", timeout=5, message__client_id="r1")
            await console.expect("snapshot", timeout=5)
    finally:
        await redis.aclose()


async def test_a_sign_out_and_an_ip_block_made_while_redis_is_down_take_effect_once_it_is_back(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    server = redis_server
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    leaving = await server.rep(org)
    async with leaving.socket() as console, server.visitor(org) as visitor:
        throwaway_redis.stop()
        status, _ = await leaving.request("POST", "/api/auth/logout")
        assert status == 200
        status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "127.0.0.1/32"})
        assert status == 200
        throwaway_redis.start()
        assert await console.closed_code(timeout=5) == 4401
        await visitor.expect("blocked", timeout=5)
        assert await visitor.closed_code() == 4403


async def test_signing_in_while_redis_is_down_says_to_try_again_shortly_not_500(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    server = redis_server
    org = await server.create_org()
    email = await server.create_rep(org)
    throwaway_redis.stop()
    try:
        async with server.http().post(
            server.url + "/api/auth/login", json={"email": email, "password": PASSWORD}
        ) as response:
            status, body = response.status, await response.json()
            retry_after = response.headers.get("Retry-After")
    finally:
        throwaway_redis.start()
    assert status == 503, body
    assert retry_after == "5"
    assert body["error"]["code"] == "unavailable"
    # Once Redis is back the same sign-in works.
    assert (await server.sign_in(email)).rep_id


async def test_a_visitor_frame_that_needs_redis_while_it_is_down_gets_unavailable(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    server = redis_server
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        throwaway_redis.stop()
        try:
            await visitor.send({"type": "activity", "state": "idle"})
            error = await visitor.expect("error", timeout=10)
        finally:
            throwaway_redis.start()
        # Said in words the widget can show, not an "internal" error with a stack trace.
        assert error["code"] == "unavailable", error


async def test_while_redis_refuses_publishes_a_chat_on_one_process_still_goes_both_ways_live(
    redis_server: Server, throwaway_redis: ThrowawayRedis
) -> None:
    """Issue 21: the sockets of the process that stored a message get it without Redis, so a
    visitor and a rep on the same process keep chatting while PUBLISH fails; the topics get
    their resync once it works again (for other processes)."""
    server = redis_server
    org = await server.create_org()
    rep = await server.rep(org)
    redis = aioredis.from_url(throwaway_redis.url)
    try:
        async with rep.socket() as console, server.visitor(org) as visitor:
            await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
            cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
            await console.expect("message", message__client_id="v1")

            await redis.execute_command("ACL", "SETUSER", "default", "-publish")
            await console.send(
                {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Here!"}
            )
            await console.expect("ack", client_id="r1")
            reply = await visitor.expect("message", timeout=5, message__client_id="r1")
            assert reply["message"]["body"] == "Here!"
            await visitor.send({"type": "message", "client_id": "v2", "body": "Thanks"})
            await visitor.expect("ack", client_id="v2")
            await console.expect("message", timeout=5, message__client_id="v2")
            await redis.execute_command("ACL", "SETUSER", "default", "+publish")
            await visitor.expect("resync", timeout=5)
    finally:
        await redis.aclose()


async def test_a_subscriber_connection_that_goes_silent_is_opened_again_and_listeners_told(
    throwaway_redis: ThrowawayRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis that stops answering without closing the connection (frozen, or a network
    path that drops packets): the subscriber's pings go unanswered, the connection is taken
    for dead, opened again once Redis answers, and the listeners resynchronise."""
    import signal

    from frontdesk.bus import redis as redis_bus

    monkeypatch.setattr(redis_bus, "HEALTH_INTERVAL", 0.1)
    publisher = redis_bus.RedisBus(throwaway_redis.url, namespace="silent")
    subscriber = redis_bus.RedisBus(throwaway_redis.url, namespace="silent")
    await publisher.start()
    await subscriber.start()
    reconnected = asyncio.Event()
    subscriber.on_reconnect(reconnected.set)
    received: list[bytes] = []
    try:
        await subscriber.subscribe("org.1", lambda _t, d: received.append(d))
        process = throwaway_redis._process
        assert process is not None
        process.send_signal(signal.SIGSTOP)
        await asyncio.sleep(0.5)  # several pings without an answer
        process.send_signal(signal.SIGCONT)
        await asyncio.wait_for(reconnected.wait(), timeout=10)
        await publisher.publish("org.1", b"after")
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received == [b"after"]
    finally:
        await publisher.close()
        await subscriber.close()
