"""How every Redis connection of Frontdesk behaves when Redis restarts or does not answer.

Shared by the bus, the live state and the rate limiters (core/ratelimit.py), so that all of
them ride out a Redis restart the same way.
"""

from __future__ import annotations

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff


def redis_retry() -> Retry:
    """What every Redis connection of Frontdesk does when a command meets a dead connection.

    After Redis restarts, every pooled connection is dead, and the first command on each fails
    with "Connection closed by server". A pool built with ``from_url`` retries nothing by
    default (the client's own default retry applies only to pools it builds itself), so that
    first command became a 500 on sign-in, a 1011 on a console's snapshot and a failed
    publish. With this policy redis-py drops the dead connection and sends the command again
    on a fresh one. Three tries with 50-500 ms of jittered backoff also ride out a Redis that
    is still starting, yet a Redis that is really down fails a request within about a second.
    A retried command may run twice if the connection died after Redis ran it: harmless here
    (counters count one extra attempt, hashes and sets are idempotent, a message published
    twice is deduplicated by seq on the clients)."""
    return Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=3)


# A Redis host that does not answer at all (not even "connection refused") would otherwise hold
# each try for the operating system's connect timeout, minutes, times the retries above.
CONNECT_TIMEOUT_SECONDS = 2.0
