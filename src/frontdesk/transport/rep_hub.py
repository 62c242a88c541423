"""Per-process fan-out to rep consoles: one bus subscription per org, batches per socket.

Chat messages and typing go out at once. Visitor-state changes are coalesced per socket: at most
one batch every `rep_batch_interval` seconds, with only the newest state of each visitor, so 500
changes a second across 10,000 visitors stay a few frames a second per rep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson

from frontdesk.bus.base import Subscription
from frontdesk.runtime import Runtime, org_topic
from frontdesk.transport.sockets import FrameSender

log = logging.getLogger("frontdesk.rep_hub")

IMMEDIATE = {"message", "typing"}


class RepSocket:
    """What the hub needs to know about one open console."""

    __slots__ = (
        "_flush_handle",
        "_last_flush",
        "is_admin",
        "org_id",
        "pending",
        "rep_id",
        "resync",
        "sender",
    )

    def __init__(
        self,
        org_id: str,
        rep_id: str,
        is_admin: bool,
        sender: FrameSender,
        resync: Callable[[], None],
    ) -> None:
        self.org_id = org_id
        self.rep_id = rep_id
        self.is_admin = is_admin
        self.sender = sender
        self.resync = resync
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = 0.0

    def may_see(self, visibility: dict[str, Any] | None) -> bool:
        if self.is_admin or not visibility:
            return True
        routed = visibility.get("routed_rep_ids") or []
        return not routed or self.rep_id in routed or visibility.get("owner_rep_id") == self.rep_id


def _key(event: dict[str, Any]) -> tuple[str, str]:
    kind = event["type"]
    if kind.startswith("visitor."):
        return (
            "visitor",
            event["visitor_id"] if "visitor_id" in event else event["visitor"]["visitor_id"],
        )
    if kind == "conversation.updated":
        return ("conversation", event["conversation"]["id"])
    if kind == "rep.changed":
        return ("rep", event["rep_id"])
    return (kind, str(id(event)))


def _merge(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Coalesce two pending events about the same visitor into the one the console needs."""
    if old is None:
        return new
    if new["type"] == "visitor.updated":
        if old["type"] == "visitor.joined":
            return {**old, "visitor": {**old["visitor"], **new["changes"]}}
        if old["type"] == "visitor.updated":
            return {**new, "changes": {**old["changes"], **new["changes"]}}
        return new  # after a left, a stray update changes nothing; the newest wins
    return new


class RepHub:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.interval = runtime.settings.rep_batch_interval
        self._orgs: dict[str, set[RepSocket]] = {}
        self._subs: dict[str, Subscription] = {}
        self._lock = asyncio.Lock()
        runtime.bus.on_reconnect(self._on_bus_reconnect)

    async def add(self, socket: RepSocket) -> None:
        async with self._lock:
            sockets = self._orgs.setdefault(socket.org_id, set())
            if socket.org_id not in self._subs:
                self._subs[socket.org_id] = await self.runtime.bus.subscribe(
                    org_topic(socket.org_id), self._on_org_event
                )
            sockets.add(socket)

    async def remove(self, socket: RepSocket) -> None:
        async with self._lock:
            sockets = self._orgs.get(socket.org_id)
            if sockets is None:
                return
            sockets.discard(socket)
            if socket._flush_handle is not None:
                socket._flush_handle.cancel()
            if not sockets:
                del self._orgs[socket.org_id]
                sub = self._subs.pop(socket.org_id, None)
                if sub is not None:
                    await sub.cancel()

    def sockets_of_rep(self, rep_id: str) -> list[RepSocket]:
        return [s for sockets in self._orgs.values() for s in sockets if s.rep_id == rep_id]

    def _on_bus_reconnect(self) -> None:
        # Events may have been lost while Redis was away: every console takes a fresh snapshot.
        for sockets in self._orgs.values():
            for socket in sockets:
                socket.resync()

    def _on_org_event(self, topic: str, data: bytes) -> None:
        org_id = topic.split(".", 1)[1]
        sockets = self._orgs.get(org_id)
        if not sockets:
            return
        event = orjson.loads(data)
        if event["type"] == "stream.resync":
            # Segments or routing changed for many visitors at once: a fresh snapshot is
            # cheaper and simpler than thousands of per-visitor updates.
            for socket in sockets:
                socket.pending.clear()
                socket.resync()
            return
        visibility = event.get("visibility")
        if event["type"] in IMMEDIATE:
            for socket in sockets:
                if socket.may_see(visibility):
                    socket.sender.send_bytes(data)
            return
        key = _key(event)
        for socket in sockets:
            if socket.may_see(visibility):
                socket.pending[key] = _merge(socket.pending.get(key), event)
                self._schedule_flush(socket)

    def _schedule_flush(self, socket: RepSocket) -> None:
        if socket._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        at = max(loop.time(), socket._last_flush + self.interval)
        socket._flush_handle = loop.call_at(at, self._flush, socket)

    def _flush(self, socket: RepSocket) -> None:
        socket._flush_handle = None
        socket._last_flush = asyncio.get_running_loop().time()
        if not socket.pending:
            return
        events = list(socket.pending.values())
        socket.pending = {}
        socket.sender.send_bytes(orjson.dumps({"type": "batch", "events": events}))
