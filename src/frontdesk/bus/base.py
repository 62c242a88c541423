from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from frontdesk.core import tracing

# Handlers run on the event loop and must not block: they hand bytes to local sockets' queues.
Handler = Callable[[str, bytes], None]

# Published on a topic whose events may have been lost (a publish failed; see
# frontdesk.runtime.MissedTopics): every subscriber catches up from the database. Visitor
# sockets pass it on to the widget as the `resync` frame (docs/protocol.md).
RESYNC_TYPE = "resync"
RESYNC = b'{"type":"resync"}'


class Subscription(Protocol):
    async def cancel(self) -> None: ...


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, topic: str, data: bytes) -> None: ...

    async def publish_many(self, events: list[tuple[str, bytes]]) -> None:
        """Publishes in order. This process's subscribers get the events before it returns;
        on Redis the events are queued for other processes and go out in order in the
        background, pipelined with whatever else was queued meanwhile (it does not wait for
        Redis; a failure is logged and its topics get a resync later)."""
        ...

    async def publish_echo(self, topic: str, data: bytes) -> None:
        """Publishes so that this process receives the event the way it receives another
        process's (through Redis): the probe that measures the bus's receive lag."""
        ...

    async def flush(self) -> None:
        """Returns once everything published so far has left for the other processes."""
        ...

    async def subscribe(self, topic: str, handler: Handler) -> Subscription:
        """Returns once the subscription is live: events published after it are delivered."""
        ...

    async def ping(self) -> None:
        """Raises if the bus cannot carry events right now (readiness check, /readyz)."""
        ...

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Called after the bus lost and regained its connection (events may have been missed)."""
        ...


class TopicHandlers:
    """Local fan-out table shared by both backends: topic -> handlers, with refcounts."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def add(self, topic: str, handler: Handler) -> bool:
        """Returns True when this is the topic's first handler (the backend must subscribe)."""
        handlers = self._handlers.setdefault(topic, [])
        handlers.append(handler)
        return len(handlers) == 1

    def remove(self, topic: str, handler: Handler) -> bool:
        """Returns True when the topic has no handlers left (the backend may unsubscribe)."""
        handlers = self._handlers.get(topic)
        if not handlers:
            return False
        try:
            handlers.remove(handler)
        except ValueError:
            return False
        if not handlers:
            del self._handlers[topic]
            return True
        return False

    def dispatch(self, topic: str, data: bytes) -> None:
        if data.startswith(tracing.HEADER_MARK):
            # Sent by a process that traces (core/tracing.py): strip the header, and if this
            # process traces too, the delivery is a span of the sender's trace.
            data, parent = tracing.split_header(data)
            handlers = tuple(self._handlers.get(topic, ()))
            with tracing.span(
                "bus.deliver",
                {"messaging.destination.name": topic, "frontdesk.handlers": len(handlers)},
                kind="consumer",
                parent=parent,
            ):
                for handler in handlers:
                    handler(topic, data)
            return
        for handler in tuple(self._handlers.get(topic, ())):
            handler(topic, data)

    def topics(self) -> list[str]:
        return list(self._handlers)
