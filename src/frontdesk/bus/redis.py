from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from frontdesk.bus.base import Handler, TopicHandlers

log = logging.getLogger("frontdesk.bus")


class _RedisSubscription:
    def __init__(self, bus: RedisBus, topic: str, handler: Handler) -> None:
        self._bus, self._topic, self._handler = bus, topic, handler

    async def cancel(self) -> None:
        await self._bus._unsubscribe(self._topic, self._handler)


class RedisBus:
    """Redis pub/sub: one connection per process for all subscriptions, refcounted per topic.

    Channel names are prefixed with the namespace so several deployments (or test runs) can
    share one Redis. After a lost connection the reader reconnects, subscribes again to every
    topic and tells its listeners, so sockets can resynchronise from the database.
    """

    def __init__(self, url: str, namespace: str = "frontdesk") -> None:
        self._url = url
        self._prefix = f"{namespace}:bus:"
        self._handlers = TopicHandlers()
        self._redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}
        self._reconnect_callbacks: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()
        self._closed = False

    async def start(self) -> None:
        self._redis = aioredis.from_url(self._url, health_check_interval=15)
        await self._redis.ping()
        await self._open_pubsub()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def _open_pubsub(self) -> None:
        assert self._redis is not None
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
        # A placeholder channel keeps the connection in subscribe mode so get_message works.
        await self._pubsub.subscribe(self._prefix + "_keepalive")
        topics = self._handlers.topics()
        if topics:
            await self._pubsub.subscribe(*(self._prefix + t for t in topics))

    async def close(self) -> None:
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def ping(self) -> None:
        assert self._redis is not None, "bus not started"
        await self._redis.ping()

    async def publish(self, topic: str, data: bytes) -> None:
        assert self._redis is not None, "bus not started"
        await self._redis.publish(self._prefix + topic, data)

    async def publish_many(self, events: list[tuple[str, bytes]]) -> None:
        assert self._redis is not None, "bus not started"
        if len(events) == 1:
            await self.publish(*events[0])
            return
        # A pipeline without MULTI: one round trip, Redis keeps the order.
        async with self._redis.pipeline(transaction=False) as pipe:
            for topic, data in events:
                pipe.publish(self._prefix + topic, data)
            await pipe.execute()

    async def subscribe(self, topic: str, handler: Handler) -> _RedisSubscription:
        if self._handlers.add(topic, handler):
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._confirmations.setdefault(topic, []).append(future)
            async with self._lock:
                await self._pubsub.subscribe(self._prefix + topic)
            try:
                await asyncio.wait_for(asyncio.shield(future), timeout=5)
            except TimeoutError:
                log.warning("redis subscribe confirmation timed out", extra={"topic": topic})
        return _RedisSubscription(self, topic, handler)

    async def _unsubscribe(self, topic: str, handler: Handler) -> None:
        if self._handlers.remove(topic, handler) and not self._closed:
            async with self._lock:
                with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
                    await self._pubsub.unsubscribe(self._prefix + topic)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._reconnect_callbacks.append(callback)

    async def _read_forever(self) -> None:
        prefix_len = len(self._prefix)
        while not self._closed:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                kind = message["type"]
                channel = message["channel"].decode()[prefix_len:]
                if kind == b"message" or kind == "message":
                    self._handlers.dispatch(channel, message["data"])
                elif kind in ("subscribe", b"subscribe"):
                    for future in self._confirmations.pop(channel, []):
                        if not future.done():
                            future.set_result(None)
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("redis bus connection lost, reconnecting", extra={"error": str(exc)})
                await self._reconnect()
            except Exception:
                log.exception("redis bus handler failed")

    async def _reconnect(self) -> None:
        delay = 0.1
        while not self._closed:
            try:
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                await self._open_pubsub()
                for callback in self._reconnect_callbacks:
                    callback()
                return
            except (RedisConnectionError, RedisTimeoutError, OSError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
