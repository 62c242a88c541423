"""Closing the Redis-backed live state and rate limiter closes their connections: a restarted
or reconfigured server leaves nothing open on the Redis server."""

from __future__ import annotations

import gc
import uuid

from frontdesk.core.clock import SystemClock
from frontdesk.core.ratelimit import create_rate_limiter
from frontdesk.live import create_live_state
from tests.conftest import REDIS_HOST, REDIS_PORT, require_redis

URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


async def test_closing_the_redis_live_state_and_rate_limiter_leaves_no_connection_open() -> None:
    require_redis()
    namespace = f"fdtest{uuid.uuid4().hex[:8]}"
    live = create_live_state(URL, SystemClock(), namespace=namespace)
    await live.start()
    limiter = create_rate_limiter(URL, namespace=namespace)
    assert await limiter.hit("login:1.2.3.4", limit=5, window_seconds=60)
    await live.close()
    await limiter.close()
    del live, limiter
    # A connection still open here is reported by its __del__ as a ResourceWarning, which
    # the test run turns into a failure (pyproject: filterwarnings = error).
    gc.collect()
