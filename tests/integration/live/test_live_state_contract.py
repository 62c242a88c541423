"""One contract for both live-state backends (memory and Redis), and for the in-process rate
limit (the shared one is tested in tests/integration/core/test_ratelimit.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from frontdesk.core.clock import FrozenClock
from frontdesk.live import LiveState, RateLimiter, create_live_state, create_local_rate_limiter
from tests.conftest import REDIS_HOST, REDIS_PORT, require_redis

pytestmark = pytest.mark.asyncio


@pytest.fixture
def clock() -> FrozenClock:
    from frontdesk.core.clock import SystemClock

    return FrozenClock(SystemClock().now())


def _url(kind: str) -> str:
    if kind == "redis":
        require_redis()
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    return "memory://"


@pytest.fixture(params=["memory", "redis"])
async def live(request: pytest.FixtureRequest, clock: FrozenClock) -> AsyncIterator[LiveState]:
    state = create_live_state(_url(request.param), clock, namespace=f"fdtest{uuid.uuid4().hex[:8]}")
    await state.start()
    yield state
    await state.close()


@pytest.fixture
async def limiter(clock: FrozenClock) -> AsyncIterator[RateLimiter]:
    instance = create_local_rate_limiter(clock)
    yield instance
    await instance.close()


async def test_a_connected_visitor_is_listed_with_their_page_and_activity(
    live: LiveState, clock: FrozenClock
) -> None:
    started = clock.now()
    state = await live.upsert_connection(
        "org",
        "v1",
        "tab1",
        visit_id="visit1",
        visit_started_at=started,
        activity="active",
        url="https://a/pricing",
        title="Pricing",
    )
    assert (state.activity, state.url, state.title, state.connections) == (
        "active",
        "https://a/pricing",
        "Pricing",
        1,
    )
    listed = await live.list_org("org")
    assert [v.visitor_id for v in listed] == ["v1"]
    assert listed[0].visit_started_at == started
    assert await live.list_org("another-org") == []


async def test_activity_is_aggregated_over_tabs(live: LiveState, clock: FrozenClock) -> None:
    now = clock.now()
    await live.upsert_connection(
        "org",
        "v",
        "tab1",
        visit_id="x",
        visit_started_at=now,
        activity="another_tab",
        url="https://a/",
        title="A",
    )
    state = await live.upsert_connection(
        "org",
        "v",
        "tab2",
        visit_id="x",
        visit_started_at=now,
        activity="idle",
        url="https://a/b",
        title="B",
    )
    assert state.activity == "idle" and state.connections == 2
    state = await live.upsert_connection(
        "org", "v", "tab1", visit_id="x", visit_started_at=now, activity="active"
    )
    assert state.activity == "active"
    remaining = await live.remove_connection("org", "v", "tab1")
    assert remaining is not None and remaining.activity == "idle"
    assert await live.remove_connection("org", "v", "tab2") is None
    assert await live.get("org", "v") is None


async def test_a_heartbeat_keeps_the_page_and_a_new_page_replaces_its_thumbnail(
    live: LiveState, clock: FrozenClock
) -> None:
    started = clock.now()
    await live.upsert_connection(
        "org",
        "v",
        "tab",
        visit_id="x",
        visit_started_at=started,
        url="https://a/pricing",
        title="Pricing",
        og_image="https://a/og.png",
    )
    clock.advance(25)
    beat = await live.upsert_connection("org", "v", "tab", visit_id="x", visit_started_at=started)
    assert (beat.url, beat.title, beat.og_image, beat.activity) == (
        "https://a/pricing",
        "Pricing",
        "https://a/og.png",
        "active",
    )
    assert beat.last_change_at == started  # a heartbeat is not a change
    page = await live.upsert_connection(
        "org", "v", "tab", visit_id="x", visit_started_at=started, url="https://a/", title="Home"
    )
    assert (page.url, page.title, page.og_image) == ("https://a/", "Home", None)
    assert page.last_change_at == clock.now() and page.visit_started_at == started


async def test_a_tab_that_stops_heartbeating_expires(live: LiveState, clock: FrozenClock) -> None:
    now = clock.now()
    await live.upsert_connection(
        "org", "v", "dead-tab", visit_id="x", visit_started_at=now, url="https://a/", title="A"
    )
    clock.advance(120)
    await live.upsert_connection(
        "org", "v", "live-tab", visit_id="x", visit_started_at=now, url="https://a/", title="A"
    )
    clock.advance(60)  # dead-tab is now 180 s old, past the 150 s expiry; live-tab is 60 s old
    state = await live.get("org", "v")
    assert state is not None and state.connections == 1
    clock.advance(timedelta(seconds=200).total_seconds())
    assert await live.get("org", "v") is None


async def test_a_rate_limit_allows_the_limit_and_refuses_the_next(limiter: RateLimiter) -> None:
    key = uuid.uuid4().hex
    results = [await limiter.hit(key, 3, 60) for _ in range(4)]
    assert results == [True, True, True, False]
    assert await limiter.hit(uuid.uuid4().hex, 3, 60) is True
