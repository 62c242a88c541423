"""The shared rate limiter (limits' moving windows) in memory and in Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from frontdesk.core.ratelimit import RateLimiter, create_rate_limiter, parse_rules
from tests.conftest import REDIS_HOST, REDIS_PORT, require_redis

pytestmark = pytest.mark.asyncio


def _url(kind: str) -> str:
    if kind == "redis":
        require_redis()
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    return "memory://"


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    instance = create_rate_limiter(_url(request.param), namespace=f"fdtest{uuid.uuid4().hex[:8]}")
    yield instance
    await instance.close()


async def test_a_rate_limit_allows_the_limit_and_refuses_the_next(limiter: RateLimiter) -> None:
    key = uuid.uuid4().hex
    results = [await limiter.hit(key, 3, 60) for _ in range(4)]
    assert results == [True, True, True, False]
    assert await limiter.hit(uuid.uuid4().hex, 3, 60) is True


async def test_rules_are_checked_without_counting_and_counted_together(
    limiter: RateLimiter,
) -> None:
    rules = parse_rules("2/minute; 5/hour")
    key = uuid.uuid4().hex
    assert await limiter.within(rules, key)
    assert await limiter.within(rules, key)  # looking does not count
    assert await limiter.hit_all(rules, key)
    assert await limiter.within(rules, key)
    assert await limiter.hit_all(rules, key)
    assert not await limiter.within(rules, key)
    assert not await limiter.hit_all(rules, key)


async def test_two_processes_on_one_redis_share_a_count() -> None:
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    first = create_rate_limiter(_url("redis"), namespace=namespace)
    second = create_rate_limiter(_url("redis"), namespace=namespace)
    other_app = create_rate_limiter(_url("redis"), namespace=f"fdtest{uuid.uuid4().hex[:8]}")
    try:
        assert await first.hit("k", 2, 60)
        assert await second.hit("k", 2, 60)
        assert not await first.hit("k", 2, 60)
        assert await other_app.hit("k", 2, 60)  # another namespace counts on its own
    finally:
        for limiter in (first, second, other_app):
            await limiter.close()


async def test_a_rule_that_is_not_one_is_refused_with_the_text() -> None:
    with pytest.raises(ValueError, match="ten per minute"):
        parse_rules("ten per minute")
    with pytest.raises(ValueError, match="at least one"):
        parse_rules("0/minute")
