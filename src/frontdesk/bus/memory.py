from __future__ import annotations

from collections.abc import Callable

from frontdesk.bus.base import Handler, TopicHandlers


class _MemorySubscription:
    # One per visitor socket (its visitor topic), kept while the socket is open.
    __slots__ = ("_bus", "_handler", "_topic")

    def __init__(self, bus: MemoryBus, topic: str, handler: Handler) -> None:
        self._bus, self._topic, self._handler = bus, topic, handler

    async def cancel(self) -> None:
        self._bus._handlers.remove(self._topic, self._handler)


class MemoryBus:
    """In-process bus: publish calls the topic's handlers directly."""

    def __init__(self) -> None:
        self._handlers = TopicHandlers()

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, topic: str, data: bytes) -> None:
        self._handlers.dispatch(topic, data)

    async def publish_many(self, events: list[tuple[str, bytes]]) -> None:
        for topic, data in events:
            self._handlers.dispatch(topic, data)

    async def publish_echo(self, topic: str, data: bytes) -> None:
        self._handlers.dispatch(topic, data)

    async def flush(self) -> None:
        return None  # nothing is queued

    async def subscribe(self, topic: str, handler: Handler) -> _MemorySubscription:
        self._handlers.add(topic, handler)
        return _MemorySubscription(self, topic, handler)

    async def ping(self) -> None:
        return None  # in-process: always ready

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        return None  # never disconnects
