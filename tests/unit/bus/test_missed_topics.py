"""Topics whose events failed to publish get one resync each once publishing works again."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.bus.base import RESYNC
from frontdesk.bus.redis import MissedTopics

pytestmark = pytest.mark.asyncio


async def test_each_missed_topic_gets_one_resync_once_the_bus_takes_publishes_again() -> None:
    attempts: list[list[tuple[str, bytes]]] = []
    delivered = asyncio.Event()
    bus_is_up = False

    async def publish(events: list[tuple[str, bytes]]) -> None:
        attempts.append(events)
        if not bus_is_up:
            raise ConnectionError("Redis is away")
        delivered.set()

    missed = MissedTopics(publish, limit=3, first_retry=0.01, max_retry=0.02)
    missed.add(["visitor.a", "org.x"])
    missed.add(["visitor.a", "visitor.b", "visitor.c"])  # one too many for the limit: dropped
    assert len(missed) == 3
    while len(attempts) < 2:  # it keeps trying while Redis refuses
        await asyncio.sleep(0.01)
    bus_is_up = True
    missed.retry_now()
    await asyncio.wait_for(delivered.wait(), 5)
    assert attempts[-1] == [("visitor.a", RESYNC), ("org.x", RESYNC), ("visitor.b", RESYNC)]
    assert len(missed) == 0
    await missed.close()
