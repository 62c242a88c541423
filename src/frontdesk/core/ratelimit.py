"""Rate limits shared by every process: moving windows from the `limits` library.

On `memory://` the counts live in this process; on `redis://` they live in Redis under the
app's namespace, so a limit holds however many processes serve the site. Rules are written the
way `limits` parses them ("10/minute; 100/hour"), so operators can configure them as text.

The visitor message limit does not use this: it is counted per socket in the process that holds
it (`live.MemoryRateLimiter`, docs/architecture.md), because `limits`' memory storage sweeps all
its keys on a background task after every hit, which would cost the chat hot path.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter


@cache
def parse_rules(text: str) -> tuple[RateLimitItem, ...]:
    """'10/minute; 100/hour' -> rules; ValueError with the offending text otherwise."""
    try:
        rules = tuple(parse_many(text))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a rate limit; write it like '10/minute' or '10/minute; 100/hour'"
        ) from None
    if not rules or any(rule.amount < 1 for rule in rules):
        raise ValueError(f"{text!r} must allow at least one event per window")
    return rules


class RateLimiter:
    """Named moving-window limits over one storage (memory or Redis)."""

    def __init__(
        self, storage: Storage, close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        # Budgets of an amount (bytes) rather than events: a fixed window counts them with one
        # increment, where a moving window would keep one entry per unit.
        self._budgets = FixedWindowRateLimiter(storage)
        self._close = close
        self._per_seconds: dict[tuple[int, int], RateLimitItem] = {}

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Counts one event; True while `key` is within `limit` events per `window_seconds`."""
        rule = self._per_seconds.get((limit, window_seconds))
        if rule is None:
            rule = self._per_seconds.setdefault(
                (limit, window_seconds), RateLimitItemPerSecond(limit, window_seconds)
            )
        return await self._strategy.hit(rule, key)

    async def spend(self, key: str, amount: int, budget: int, window_seconds: int) -> bool:
        """Counts `amount` (for example KiB of uploads) against `budget` per fixed window of
        `window_seconds`; True while the key is still within it."""
        rule = RateLimitItemPerSecond(budget, window_seconds)
        return await self._budgets.hit(rule, key, cost=max(1, amount))

    async def hit_all(self, rules: Sequence[RateLimitItem], key: str) -> bool:
        """Counts one event against every rule; False if any of them is already used up."""
        allowed = True
        for rule in rules:
            allowed = await self._strategy.hit(rule, key) and allowed
        return allowed

    async def within(self, rules: Sequence[RateLimitItem], key: str) -> bool:
        """True while one more event would be within every rule (counts nothing)."""
        for rule in rules:
            if not await self._strategy.test(rule, key):
                return False
        return True

    async def seconds_until_allowed(self, rules: Sequence[RateLimitItem], key: str) -> float:
        """0 while one more event would be within every rule (counts nothing); otherwise how
        long until it would be, for an error that says when to try again."""
        wait = 0.0
        for rule in rules:
            if not await self._strategy.test(rule, key):
                stats = await self._strategy.get_window_stats(rule, key)
                wait = max(wait, stats.reset_time - time.time(), 1.0)
        return wait

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


def create_rate_limiter(url: str, namespace: str = "frontdesk") -> RateLimiter:
    """memory:// keeps counts in this process; redis://... shares them through Redis."""
    if url.startswith("memory://"):
        return RateLimiter(MemoryStorage())
    import redis.asyncio as aioredis

    from frontdesk.core.redis_options import CONNECT_TIMEOUT_SECONDS, redis_retry

    # The same retry as the bus and live state: the first sign-in after a Redis restart meets
    # a dead pooled connection and must be retried on a fresh one, not become a 500.
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=20,
        timeout=5,
        retry=redis_retry(),
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
    )
    options: dict[str, Any] = {"connection_pool": pool}
    storage = RedisStorage(
        "async+" + url, implementation="redispy", key_prefix=f"{namespace}:limits", **options
    )
    return RateLimiter(storage, close=pool.aclose)
