from __future__ import annotations

import time
from datetime import datetime
from typing import Any, cast

import orjson
import redis.asyncio as aioredis

from frontdesk.core.clock import Clock
from frontdesk.core.redis_options import CONNECT_TIMEOUT_SECONDS, redis_retry
from frontdesk.live.base import (
    CONNECTION_TTL_SECONDS,
    Activity,
    ConnectionState,
    LiveVisitor,
    aggregate,
    updated_connection,
)

# Per visitor: a hash with one field per open tab ("c:<connection id>") plus "visit".
# Per org: a sorted set of visitor ids scored by when their newest tab expires.


def redis_pool(url: str, **options: Any) -> aioredis.ConnectionPool:
    """An ordinary connection pool with the retry policy above (the bus's)."""
    return aioredis.ConnectionPool.from_url(
        url, retry=redis_retry(), socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, **options
    )


def _blocking_pool(url: str) -> aioredis.BlockingConnectionPool:
    """Past 100 commands in flight, wait for a free connection instead of failing the request."""
    return aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=100,
        timeout=10,
        retry=redis_retry(),
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
    )


class RedisLiveState:
    def __init__(self, url: str, clock: Clock, namespace: str = "frontdesk") -> None:
        self._url = url
        self._clock = clock
        self._ns = f"{namespace}:live"
        self._redis: aioredis.Redis | None = None

    @property
    def redis(self) -> aioredis.Redis:
        assert self._redis is not None, "live state not started"
        return self._redis

    async def start(self) -> None:
        self._redis = aioredis.Redis.from_pool(_blocking_pool(self._url))
        await self._redis.ping()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _visitor_key(self, org_id: str, visitor_id: str) -> str:
        return f"{self._ns}:{org_id}:v:{visitor_id}"

    def _org_key(self, org_id: str) -> str:
        return f"{self._ns}:{org_id}:online"

    def _decode(
        self, org_id: str, visitor_id: str, raw: dict[bytes, bytes]
    ) -> tuple[LiveVisitor | None, list[bytes]]:
        now = self._clock.now()
        visit = raw.get(b"visit")
        states, stale = [], []
        for name, value in raw.items():
            if not name.startswith(b"c:"):
                continue
            state = ConnectionState.from_json(value)
            if state.expires_at <= now:
                stale.append(name)
            else:
                states.append(state)
        if visit is None or not states:
            return None, stale
        info = orjson.loads(visit)
        return (
            aggregate(
                org_id,
                visitor_id,
                info["visit_id"],
                datetime.fromisoformat(info["started_at"]),
                states,
            ),
            stale,
        )

    async def upsert_connection(
        self,
        org_id: str,
        visitor_id: str,
        connection_id: str,
        *,
        visit_id: str,
        visit_started_at: datetime,
        activity: Activity | None = None,
        url: str | None = None,
        title: str | None = None,
        og_image: str | None = None,
    ) -> LiveVisitor:
        now = self._clock.now()
        key = self._visitor_key(org_id, visitor_id)
        field = f"c:{connection_id}"
        existing = await self.redis.hget(key, field)
        state = updated_connection(
            ConnectionState.from_json(existing) if existing else None,
            now,
            activity=activity,
            url=url,
            title=title,
            og_image=og_image,
        )
        visit = orjson.dumps({"visit_id": visit_id, "started_at": visit_started_at.isoformat()})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={field: state.to_json(), "visit": visit})
            # Wall-clock expiry on the key cleans up after a crashed process.
            pipe.expire(key, CONNECTION_TTL_SECONDS + 30)
            pipe.zadd(self._org_key(org_id), {visitor_id: time.time() + CONNECTION_TTL_SECONDS})
            pipe.hgetall(key)
            results = await pipe.execute()
        live, _ = self._decode(org_id, visitor_id, results[-1])
        assert live is not None
        return live

    async def remove_connection(
        self, org_id: str, visitor_id: str, connection_id: str
    ) -> LiveVisitor | None:
        key = self._visitor_key(org_id, visitor_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(key, f"c:{connection_id}")
            pipe.hgetall(key)
            results = await pipe.execute()
        live, stale = self._decode(org_id, visitor_id, results[-1])
        if live is None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.zrem(self._org_key(org_id), visitor_id)
                await pipe.execute()
        elif stale:
            await self.redis.hdel(key, *stale)
        return live

    async def forget(self, org_id: str, visitor_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._visitor_key(org_id, visitor_id))
            pipe.zrem(self._org_key(org_id), visitor_id)
            await pipe.execute()

    async def get(self, org_id: str, visitor_id: str) -> LiveVisitor | None:
        raw = await self.redis.hgetall(self._visitor_key(org_id, visitor_id))
        live, _ = self._decode(org_id, visitor_id, cast(dict[bytes, bytes], raw))
        return live

    async def list_org(self, org_id: str) -> list[LiveVisitor]:
        org_key = self._org_key(org_id)
        await self.redis.zremrangebyscore(org_key, "-inf", time.time())
        ids = [cast(bytes, v).decode() for v in await self.redis.zrange(org_key, 0, -1)]
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for visitor_id in ids:
                pipe.hgetall(self._visitor_key(org_id, visitor_id))
            raws = await pipe.execute()
        result = []
        for visitor_id, raw in zip(ids, raws, strict=True):
            live, _ = self._decode(org_id, visitor_id, raw)
            if live is not None:
                result.append(live)
        return result
