"""Live visitor state (who is connected, activity, current page) and rate-limit counters.

Ephemeral by design: a fresh snapshot replaces it, and a crashed process's entries expire.
Two backends behind one interface: memory (one process) and Redis (several processes).
"""

from __future__ import annotations

from frontdesk.core.clock import Clock
from frontdesk.live.base import (
    ACTIVITY_STATES,
    ConnectionState,
    LiveState,
    LiveVisitor,
    RateLimiter,
    aggregate_activity,
)
from frontdesk.live.memory import MemoryLiveState, MemoryRateLimiter


def create_live_state(url: str, clock: Clock, namespace: str = "frontdesk") -> LiveState:
    if url.startswith("memory://"):
        return MemoryLiveState(clock)
    from frontdesk.live.redis import RedisLiveState

    return RedisLiveState(url, clock, namespace=namespace)


def create_local_rate_limiter(clock: Clock) -> RateLimiter:
    """Counts in this process only, with no round trip: for limits on the hot paths (visitor
    messages). Limits that must hold across processes use frontdesk.core.ratelimit."""
    return MemoryRateLimiter(clock)


__all__ = [
    "ACTIVITY_STATES",
    "ConnectionState",
    "LiveState",
    "LiveVisitor",
    "RateLimiter",
    "aggregate_activity",
    "create_live_state",
    "create_local_rate_limiter",
]
