from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from frontdesk.bus.base import RESYNC, Handler, TopicHandlers
from frontdesk.core.metrics import BUS_PUBLISH, count_error
from frontdesk.core.redis_options import CONNECT_TIMEOUT_SECONDS
from frontdesk.live.redis import redis_pool

log = logging.getLogger("frontdesk.bus")

# Events this process publishes go out to Redis behind an origin tag: the mark and 8 random
# bytes per bus. This process's own subscribers got them already (publish_many delivers
# locally first), so the reader drops what comes back with its own tag, and other processes
# strip the tag. Neither JSON nor the tracing header starts with this byte.
ORIGIN_MARK = b"\x1f"
ORIGIN_LEN = 9
# One pipeline carries at most this many queued events (one round trip each).
MAX_PIPELINE = 512
# What may wait for Redis, in bytes. Redis that accepts writes slower than the database
# commits would otherwise grow this queue without end; past the bound the oldest events are
# dropped and their topics get a resync (clients catch up from the database, as after a
# failed publish), so memory stays bounded and nothing stored is lost.
MAX_OUTBOX_BYTES = 32 * 1024 * 1024


class _RedisSubscription:
    def __init__(self, bus: RedisBus, topic: str, handler: Handler) -> None:
        self._bus, self._topic, self._handler = bus, topic, handler

    async def cancel(self) -> None:
        await self._bus._unsubscribe(self._topic, self._handler)


class MissedTopics:
    """Topics whose events this process failed to publish, until each has had a resync.

    A failed publish is logged and the write it announces stands (runtime.publish_stored), but
    its recipients would not hear of it: other processes' readers may never have lost their
    connection (a flaky link from this process, a publish that timed out), so nothing would
    make them catch up. Once publishing works again, every topic noted here gets one RESYNC
    event and its subscribers catch up from the database: consoles take a snapshot, visitor
    widgets resume from their last seq. Retries back off from 0.25 s to 2 s, and a bus
    reconnect retries at once. Past `limit` topics the rest are dropped with a warning; their
    clients catch up at their next reconnect or resume.
    """

    def __init__(
        self,
        publish: Callable[[list[tuple[str, bytes]]], Awaitable[None]],
        *,
        limit: int = 10_000,
        first_retry: float = 0.25,
        max_retry: float = 2.0,
    ) -> None:
        self._publish = publish
        self._limit = limit
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._topics: dict[str, None] = {}  # insertion-ordered set
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned = False

    def __len__(self) -> int:
        return len(self._topics)

    def add(self, topics: list[str]) -> None:
        for topic in topics:
            if len(self._topics) >= self._limit and topic not in self._topics:
                if not self._warned:
                    self._warned = True
                    log.warning("too many topics missed events; the rest catch up on reconnect")
                break
            self._topics[topic] = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._announce(), name="redis-bus-resync")

    def retry_now(self) -> None:
        self._wake.set()

    async def _announce(self) -> None:
        delay = self._first_retry
        while self._topics:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()
            topics = list(self._topics)
            try:
                await self._publish([(topic, RESYNC) for topic in topics])
            except Exception as exc:
                delay = min(delay * 2, self._max_retry)
                log.info("bus still refuses publishes", extra={"error": str(exc)})
                continue
            for topic in topics:
                self._topics.pop(topic, None)
            self._warned = False
            delay = self._first_retry
            log.info("bus publishes work again: resync sent to %d topic(s)", len(topics))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class RedisBus:
    """Redis pub/sub: one connection per process for all subscriptions, refcounted per topic.

    Channel names are prefixed with the namespace so several deployments (or test runs) can
    share one Redis. After a lost connection the reader reconnects, subscribes again to every
    topic and tells its listeners, so sockets can resynchronise from the database. Topics
    whose events failed to publish get a resync event once publishing works (MissedTopics).

    Publishing does not wait for Redis (issue 21): publish_many hands the events to this
    process's own subscribers at once, in order, then queues them for one background sender
    that pipelines everything queued meanwhile to Redis in the same order (one round trip
    per batch, not one per caller). So a stored chat message is acknowledged right after its
    commit, a console or widget tab on the same process sees it without a Redis round trip,
    and a burst of commits shares its PUBLISH round trips. Delivery stays best-effort as
    before: a failed batch marks its topics missed, and they get a resync once Redis takes
    publishes again (clients catch up from the database by sequence number).
    """

    def __init__(self, url: str, namespace: str = "frontdesk") -> None:
        self._url = url
        self._prefix = f"{namespace}:bus:"
        self._handlers = TopicHandlers()
        self._redis: aioredis.Redis | None = None  # publishing
        self._subscriber: aioredis.Redis | None = None  # the pub/sub connection
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}
        self._reconnect_callbacks: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()
        self._closed = False
        self._missed = MissedTopics(self._publish_many)
        self._origin = ORIGIN_MARK + os.urandom(ORIGIN_LEN - 1)
        self._outbox: list[tuple[str, bytes]] = []  # (topic, tagged data), oldest first
        self._outbox_bytes = 0
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Publishes retry on a dead pooled connection (see redis_retry). The subscriber must
        # not: redis-py would quietly reconnect and resubscribe, and nobody would learn that
        # events were missed meanwhile. Without a retry the reader sees the loss, reconnects
        # itself and tells its listeners (_reconnect). It is pinged every 15 s so a silently
        # dead connection is noticed too.
        # from_pool: the client owns its pool, so aclose() also closes the pool's connections
        # (Redis(connection_pool=...) leaves them open, one leaked socket per bus).
        self._redis = aioredis.Redis.from_pool(redis_pool(self._url))
        self._subscriber = aioredis.Redis.from_pool(
            aioredis.ConnectionPool.from_url(
                self._url, health_check_interval=15, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        )
        await self._redis.ping()
        await self._open_pubsub()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def _open_pubsub(self) -> None:
        assert self._subscriber is not None
        self._pubsub = self._subscriber.pubsub(ignore_subscribe_messages=False)
        # A placeholder channel keeps the connection in subscribe mode so get_message works.
        await self._pubsub.subscribe(self._prefix + "_keepalive")
        topics = self._handlers.topics()
        if topics:
            await self._pubsub.subscribe(*(self._prefix + t for t in topics))

    async def close(self) -> None:
        # What was published before close still goes out (a message stored just before a
        # shutdown reaches the other processes), for a bounded time.
        if self._sender is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self._sender), timeout=5)
        self._closed = True
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sender
        await self._missed.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()
        if self._subscriber is not None:
            await self._subscriber.aclose()

    async def ping(self) -> None:
        assert self._redis is not None, "bus not started"
        await self._redis.ping()

    async def publish(self, topic: str, data: bytes) -> None:
        await self.publish_many([(topic, data)])

    async def publish_many(self, events: list[tuple[str, bytes]]) -> None:
        """Delivers to this process's subscribers now and queues the events for Redis (see
        the class docstring); returns without waiting for Redis."""
        dispatch = self._handlers.dispatch
        for topic, data in events:
            try:
                dispatch(topic, data)
            except Exception:
                log.exception("redis bus handler failed")
        if self._closed:
            return
        origin = self._origin
        self._outbox.extend((topic, origin + data) for topic, data in events)
        self._outbox_bytes += sum(len(data) + ORIGIN_LEN for _, data in events)
        if self._outbox_bytes > MAX_OUTBOX_BYTES:
            self._shed_outbox()
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(
                self._send_queued(), name="redis-bus-sender"
            )

    async def publish_echo(self, topic: str, data: bytes) -> None:
        """Published through Redis without the origin tag, so this process gets it back
        through its reader like another process's event (the bus receive-lag probe)."""
        await self._publish_many([(topic, data)])

    async def flush(self) -> None:
        """Waits until everything published so far was handed to Redis (or failed)."""
        while self._sender is not None:
            await asyncio.wait([self._sender])

    def _shed_outbox(self) -> None:
        """Drops the oldest queued events until the queue is back under half its bound; their
        topics are marked missed (a resync once Redis keeps up)."""
        cut = 0
        while cut < len(self._outbox) and self._outbox_bytes > MAX_OUTBOX_BYTES // 2:
            self._outbox_bytes -= len(self._outbox[cut][1])
            cut += 1
        dropped = [topic for topic, _ in self._outbox[:cut]]
        del self._outbox[:cut]
        count_error("bus_publish")
        log.warning(
            "Redis is not keeping up: %d queued event(s) dropped for a resync", len(dropped)
        )
        self._missed.add(list(dict.fromkeys(dropped)))

    async def _send_queued(self) -> None:
        try:
            while self._outbox:
                batch = self._outbox[:MAX_PIPELINE]
                del self._outbox[:MAX_PIPELINE]
                self._outbox_bytes -= sum(len(data) for _, data in batch)
                started = perf_counter()
                try:
                    await self._publish_many(batch)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    count_error("bus_publish")
                    log.warning("could not publish %d event(s)", len(batch), exc_info=True)
                    if not self._closed:
                        self._missed.add(list(dict.fromkeys(topic for topic, _ in batch)))
                else:
                    BUS_PUBLISH.observe(perf_counter() - started)
        finally:
            self._sender = None
            if self._outbox and not self._closed:  # queued after a cancellation
                self._sender = asyncio.get_running_loop().create_task(
                    self._send_queued(), name="redis-bus-sender"
                )

    async def _publish_many(self, events: list[tuple[str, bytes]]) -> None:
        assert self._redis is not None, "bus not started"
        if len(events) == 1:
            topic, data = events[0]
            await self._redis.publish(self._prefix + topic, data)
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
                try:
                    await self._pubsub.subscribe(self._prefix + topic)
                except (RedisConnectionError, RedisTimeoutError):
                    # The connection died under us: the reader is about to reconnect, and it
                    # subscribes again to every topic in the table, this one included, which
                    # confirms the wait below (and its listeners resynchronise).
                    log.info("redis subscribe deferred to the reconnect", extra={"topic": topic})
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
                if kind == b"message" or kind == "message":
                    data = message["data"]
                    if data[:1] == ORIGIN_MARK:
                        if data[:ORIGIN_LEN] == self._origin:
                            continue  # this process's own: its subscribers have it already
                        data = data[ORIGIN_LEN:]
                    self._handlers.dispatch(message["channel"].decode()[prefix_len:], data)
                    continue
                channel = message["channel"].decode()[prefix_len:]
                if kind in ("subscribe", b"subscribe"):
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
                log.warning("redis bus reconnected; clients are resynchronising")
                self._missed.retry_now()
                for callback in self._reconnect_callbacks:
                    callback()
                return
            except (RedisConnectionError, RedisTimeoutError, OSError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)  # one cheap attempt a second: back soon after Redis
