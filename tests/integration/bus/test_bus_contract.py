"""One contract for both bus backends: in-process and Redis pub/sub."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from frontdesk.bus import Bus, create_bus
from frontdesk.bus.base import RESYNC
from tests.conftest import REDIS_HOST, REDIS_PORT, require_redis

pytestmark = pytest.mark.asyncio


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    if request.param == "redis":
        require_redis()
        instance = create_bus(
            f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=f"fdtest{uuid.uuid4().hex[:8]}"
        )
    else:
        instance = create_bus("memory://")
    await instance.start()
    yield instance
    await instance.close()


async def _collect(received: list[bytes], count: int, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(received) < count and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)


async def test_a_subscriber_receives_what_is_published_on_its_topic_only(bus: Bus) -> None:
    received: list[bytes] = []
    await bus.subscribe("org.a", lambda _t, data: received.append(data))
    await bus.publish("org.b", b"not for you")
    await bus.publish("org.a", b"one")
    await bus.publish("org.a", b"two")
    await _collect(received, 2)
    await asyncio.sleep(0.05)
    assert received == [b"one", b"two"]


async def test_a_group_published_at_once_arrives_complete_and_in_order(bus: Bus) -> None:
    org: list[bytes] = []
    visitor: list[bytes] = []
    await bus.subscribe("org.g", lambda _t, data: org.append(data))
    await bus.subscribe("visitor.g", lambda _t, data: visitor.append(data))
    await bus.publish_many([("org.g", b"1"), ("visitor.g", b"a"), ("org.g", b"2"), ("org.g", b"3")])
    await _collect(org, 3)
    await _collect(visitor, 1)
    assert org == [b"1", b"2", b"3"] and visitor == [b"a"]


async def test_every_subscriber_of_a_topic_gets_the_same_bytes(bus: Bus) -> None:
    first: list[bytes] = []
    second: list[bytes] = []
    await bus.subscribe("visitor.x", lambda _t, d: first.append(d))
    await bus.subscribe("visitor.x", lambda _t, d: second.append(d))
    await bus.publish("visitor.x", b'{"type":"message"}')
    await _collect(first, 1)
    await _collect(second, 1)
    assert first == second == [b'{"type":"message"}']


async def test_after_cancelling_a_subscription_nothing_more_arrives(bus: Bus) -> None:
    kept: list[bytes] = []
    dropped: list[bytes] = []
    await bus.subscribe("t", lambda _t, d: kept.append(d))
    subscription = await bus.subscribe("t", lambda _t, d: dropped.append(d))
    await subscription.cancel()
    await bus.publish("t", b"after")
    await _collect(kept, 1)
    assert kept == [b"after"] and dropped == []


async def test_a_published_event_reaches_another_process_through_redis() -> None:
    require_redis()
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    publisher = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    subscriber = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    await publisher.start()
    await subscriber.start()
    try:
        received: list[bytes] = []
        await subscriber.subscribe("org.1", lambda _t, d: received.append(d))
        await publisher.publish("org.1", b"across")
        await _collect(received, 1)
        assert received == [b"across"]
    finally:
        await publisher.close()
        await subscriber.close()


async def test_this_process_subscribers_get_an_event_before_publish_returns_and_only_once(
    bus: Bus,
) -> None:
    """Issue 21: no Redis round trip for a console or tab on the publishing process, and the
    copy Redis sends back to the publisher is not delivered a second time."""
    received: list[bytes] = []
    await bus.subscribe("org.local", lambda _t, d: received.append(d))
    await bus.publish_many([("org.local", b"1"), ("org.local", b"2")])
    assert received == [b"1", b"2"]
    await bus.flush()
    await asyncio.sleep(0.1)  # Redis's copy for this process has come back by now
    assert received == [b"1", b"2"]


async def test_events_queued_in_the_background_reach_another_process_in_publish_order() -> None:
    require_redis()
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    publisher = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    subscriber = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    await publisher.start()
    await subscriber.start()
    try:
        received: list[bytes] = []
        await subscriber.subscribe("org.1", lambda _t, d: received.append(d))
        sent = [str(n).encode() for n in range(2000)]
        # Many callers in one loop turn, and more while the first batch is on its way.
        await asyncio.gather(*(publisher.publish("org.1", data) for data in sent[:1000]))
        for data in sent[1000:]:
            await publisher.publish_many([("org.1", data)])
        await _collect(received, len(sent))
        assert received == sent
    finally:
        await publisher.close()
        await subscriber.close()


async def test_what_was_published_just_before_close_still_reaches_another_process() -> None:
    require_redis()
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    publisher = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    subscriber = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    await publisher.start()
    await subscriber.start()
    try:
        received: list[bytes] = []
        await subscriber.subscribe("visitor.1", lambda _t, d: received.append(d))
        await publisher.publish_many([("visitor.1", b"last words")])
        await publisher.close()
        await _collect(received, 1)
        assert received == [b"last words"]
    finally:
        await subscriber.close()


async def test_the_echo_probe_comes_back_through_the_bus_to_its_own_process(bus: Bus) -> None:
    received: list[bytes] = []
    await bus.subscribe("metrics.probe.1", lambda _t, d: received.append(d))
    await bus.publish_echo("metrics.probe.1", b"12.5")
    await _collect(received, 1)
    assert received == [b"12.5"]


async def test_events_redis_cannot_take_fast_enough_are_dropped_for_a_resync_not_queued_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The queue for Redis is bounded in bytes: past it, the oldest events go and their topics
    get a resync, so a process cannot run out of memory behind a slow Redis."""
    require_redis()
    from frontdesk.bus import redis as redis_bus

    monkeypatch.setattr(redis_bus, "MAX_OUTBOX_BYTES", 20_000)
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    publisher = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    subscriber = create_bus(f"redis://{REDIS_HOST}:{REDIS_PORT}/0", namespace=namespace)
    await publisher.start()
    await subscriber.start()
    try:
        received: list[bytes] = []
        await subscriber.subscribe("visitor.1", lambda _t, d: received.append(d))
        # 100 events of 1 KB published without the sender getting a turn: Redis "falls
        # behind" by 100 KB, five times the bound.
        for n in range(100):
            await publisher.publish_many([("visitor.1", b"%03d" % n + b"x" * 1000)])
        queued = cast(Any, publisher)._outbox_bytes
        assert queued <= 20_000
        await _collect(received, 1_000, timeout=3.0)
        events = [e for e in received if e != RESYNC]
        # The newest events arrive, in order; the oldest were dropped, and a resync follows.
        assert 0 < len(events) < 100
        assert [e[:3] for e in events] == [b"%03d" % n for n in range(100 - len(events), 100)]
        assert RESYNC in received
    finally:
        await publisher.close()
        await subscriber.close()
