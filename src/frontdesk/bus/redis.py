from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

import hiredis
import redis.asyncio as aioredis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
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
# The subscriber connection is pinged this often; when nothing at all (not even the pong)
# has come back for twice as long, it is taken for dead and opened again.
HEALTH_INTERVAL = 15.0
KEEPALIVE_TOPIC = "_keepalive"


def _command(*parts: str | bytes) -> bytes:
    """One Redis command in RESP (what the subscriber connection writes)."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


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
        # The pub/sub connection: opened by redis-py (URL, password, TLS, timeouts), then
        # read here (see _read_forever).
        self._subscriber_pool: aioredis.ConnectionPool | None = None
        self._connection: Any = None
        self._last_heard = 0.0
        # The background sender's own connection (see _send_batch), opened on first use.
        self._publisher: Any = None
        self._pinger: asyncio.TimerHandle | None = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}
        self._reconnect_callbacks: list[Callable[[], None]] = []
        self._closed = False
        self._missed = MissedTopics(self._publish_many)
        self._origin = ORIGIN_MARK + os.urandom(ORIGIN_LEN - 1)
        self._outbox: list[tuple[str, bytes]] = []  # (topic, tagged data), oldest first
        self._outbox_bytes = 0
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Publishes retry on a dead pooled connection (see redis_retry). The subscriber does
        # not: a lost subscriber connection is seen by the reader, which opens it again,
        # subscribes again to every topic and tells its listeners (_reconnect). It is pinged
        # every HEALTH_INTERVAL seconds so a silently dead connection is noticed too.
        # from_pool: the client owns its pool, so aclose() also closes the pool's connections
        # (Redis(connection_pool=...) leaves them open, one leaked socket per bus).
        self._redis = aioredis.Redis.from_pool(redis_pool(self._url))
        self._subscriber_pool = aioredis.ConnectionPool.from_url(
            self._url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        await self._redis.ping()
        await self._open_subscriber()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def _open_subscriber(self) -> None:
        """Opens the subscriber connection and subscribes to every topic in the table (and a
        placeholder that keeps the connection in subscribe mode)."""
        assert self._subscriber_pool is not None
        connection = self._subscriber_pool.make_connection()  # type: ignore[no-untyped-call]
        await connection.connect()
        self._connection = connection
        self._last_heard = asyncio.get_running_loop().time()
        channels = [self._prefix + t for t in [KEEPALIVE_TOPIC, *self._handlers.topics()]]
        self._write(_command("SUBSCRIBE", *channels))
        if self._pinger is None:
            self._pinger = asyncio.get_running_loop().call_later(HEALTH_INTERVAL, self._ping)

    def _write(self, command: bytes) -> bool:
        """Writes on the subscriber connection; False when it is not open (the reader is about
        to open it again, subscribing to every topic in the table)."""
        connection = self._connection
        writer = connection._writer if connection is not None else None
        if writer is None or writer.transport.is_closing():
            return False
        writer.write(command)
        return True

    def _ping(self) -> None:
        loop = asyncio.get_running_loop()
        self._pinger = None
        if self._closed:
            return
        if loop.time() - self._last_heard > 2 * HEALTH_INTERVAL:
            log.warning("redis bus connection silent, reconnecting")
            writer = self._connection._writer if self._connection is not None else None
            if writer is not None:
                writer.transport.abort()  # the reader sees the end and reconnects
        else:
            self._write(_command("PING"))
        self._pinger = loop.call_later(HEALTH_INTERVAL, self._ping)

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
        if self._pinger is not None:
            self._pinger.cancel()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self._close_subscriber()
        await self._close_publisher()
        if self._redis is not None:
            await self._redis.aclose()
        if self._subscriber_pool is not None:
            await self._subscriber_pool.aclose()

    async def _close_subscriber(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)

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
                    await self._send_batch(batch)
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

    async def _send_batch(self, events: list[tuple[str, bytes]]) -> None:
        """PUBLISHes the events in order on the sender's own connection: one write for all,
        their replies parsed by hiredis as they come (a redis-py pipeline cost about as much
        again in Python). A dead connection is replaced and the batch sent again, as the
        pooled connections do (redis_retry: three tries, 50-500 ms apart); Redis refusing a
        PUBLISH raises ResponseError (the caller marks the topics missed)."""
        commands = b"".join([_command("PUBLISH", self._prefix + t, d) for t, d in events])
        backoff = ExponentialWithJitterBackoff(base=0.05, cap=0.5)
        attempt = 0
        while True:
            try:
                await self._publish_on_own_connection(commands, len(events))
                return
            except (RedisConnectionError, RedisTimeoutError, OSError):
                attempt += 1
                if attempt >= 3 or self._closed:
                    raise
                await asyncio.sleep(backoff.compute(attempt))

    async def _publish_on_own_connection(self, commands: bytes, replies: int) -> None:
        connection = self._publisher
        if connection is None:
            assert self._subscriber_pool is not None, "bus not started"
            connection = self._subscriber_pool.make_connection()  # type: ignore[no-untyped-call]
            await connection.connect()
            self._publisher = connection
        writer, stream = connection._writer, connection._reader
        refused: Exception | None = None
        try:
            if writer is None or stream is None or writer.transport.is_closing():
                raise RedisConnectionError("the publishing connection is closed")
            writer.write(commands)
            await writer.drain()
            parser = hiredis.Reader()
            while replies:
                data = await stream.read(65536)
                if not data:
                    raise RedisConnectionError("Redis closed the publishing connection")
                parser.feed(data)
                while replies and (reply := parser.gets()) is not False:
                    replies -= 1
                    if isinstance(reply, Exception) and refused is None:
                        refused = reply
        except BaseException:
            # Replies may still be on their way: the connection is not used again.
            await self._close_publisher()
            raise
        if refused is not None:
            raise ResponseError(str(refused))

    async def _close_publisher(self) -> None:
        connection, self._publisher = self._publisher, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)

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
            if not self._write(_command("SUBSCRIBE", self._prefix + topic)):
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
            self._write(_command("UNSUBSCRIBE", self._prefix + topic))

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._reconnect_callbacks.append(callback)

    async def _read_forever(self) -> None:
        """Reads the subscriber connection: each read's replies are parsed by hiredis and
        handed to the topic's handlers at once, with no await per event (redis-py's
        get_message cost about as much as the delivery itself)."""
        while not self._closed:
            try:
                connection = self._connection
                if connection is None or connection._reader is None:
                    raise RedisConnectionError("the subscriber connection is closed")
                parser = hiredis.Reader()
                stream = connection._reader
                loop = asyncio.get_running_loop()
                while True:
                    data = await stream.read(65536)
                    if not data:
                        raise RedisConnectionError("Redis closed the subscriber connection")
                    self._last_heard = loop.time()
                    parser.feed(data)
                    while (reply := parser.gets()) is not False:
                        self._on_reply(reply)
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError, hiredis.ProtocolError) as exc:
                log.warning("redis bus connection lost, reconnecting", extra={"error": str(exc)})
                await self._reconnect()

    def _on_reply(self, reply: Any) -> None:
        if not isinstance(reply, list) or len(reply) < 2:
            if isinstance(reply, Exception):
                log.warning("redis bus: %s", reply)
            return
        kind = reply[0]
        if kind == b"message":
            data = reply[2]
            if data[:1] == ORIGIN_MARK:
                if data[:ORIGIN_LEN] == self._origin:
                    return  # this process's own: its subscribers have it already
                data = data[ORIGIN_LEN:]
            try:
                self._handlers.dispatch(reply[1][len(self._prefix) :].decode(), data)
            except Exception:
                log.exception("redis bus handler failed")
        elif kind == b"subscribe":
            channel = reply[1][len(self._prefix) :].decode()
            for future in self._confirmations.pop(channel, []):
                if not future.done():
                    future.set_result(None)

    async def _reconnect(self) -> None:
        delay = 0.1
        while not self._closed:
            try:
                await self._close_subscriber()
                await self._open_subscriber()
                log.warning("redis bus reconnected; clients are resynchronising")
                self._missed.retry_now()
                for callback in self._reconnect_callbacks:
                    callback()
                return
            except (RedisConnectionError, RedisTimeoutError, OSError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)  # one cheap attempt a second: back soon after Redis
