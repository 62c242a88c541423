"""Per-process fan-out to rep consoles: one bus subscription per org, one batch per org.

Chat messages and typing go out at once. Visitor-state changes are coalesced per org: at most
one batch every `rep_batch_interval` seconds, holding only the newest state of each visitor, so
500 changes a second across 10,000 visitors become four frames a second per console. A batch is
serialised once for every socket that may see the same events (all admins, and every rep of an
org without routing), not once per socket. Who may see each event is decided by its
`visibility` and features/audience/visibility.py, as everywhere else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson

from frontdesk.bus.base import RESYNC_TYPE, Subscription
from frontdesk.features.audience import Visibility, from_event
from frontdesk.features.conversations.events import ConversationUpdated, RepMessage, Typing
from frontdesk.features.copilot.events import CopilotChanged
from frontdesk.features.live_stream.events import (
    VisitorJoined,
    VisitorLeft,
    VisitorTyping,
    VisitorUpdated,
)
from frontdesk.features.orgs import RepChanged
from frontdesk.features.proactive.events import InvitationUpdated
from frontdesk.features.segments.events import StreamResync
from frontdesk.protocol.console_frames import Batch
from frontdesk.runtime import Runtime, org_topic
from frontdesk.transport.sockets import FrameSender

log = logging.getLogger("frontdesk.rep_hub")

# Sent at once, not batched: chat messages and typing (a rep's, or a visitor's).
IMMEDIATE = {RepMessage.name, Typing.name, VisitorTyping.name}
Key = tuple[str, str]


class RepSocket:
    """What the hub needs to know about one open console."""

    __slots__ = ("is_admin", "org_id", "rep_id", "resync", "sender")

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

    def may_see(self, visibility: Visibility) -> bool:
        return visibility.admits(self.rep_id, is_admin=self.is_admin)


def _key(event: dict[str, Any]) -> Key:
    kind = event["type"]
    if kind == VisitorJoined.name:
        return ("visitor", event["visitor"]["visitor_id"])
    if kind == VisitorUpdated.name or kind == VisitorLeft.name:
        return ("visitor", event["visitor_id"])
    if kind == ConversationUpdated.name:
        return ("conversation", event["conversation"]["id"])
    if kind == RepChanged.name:
        return ("rep", event["rep_id"])
    if kind == InvitationUpdated.name:
        return ("invitation", event["invitation"]["id"])
    if kind == CopilotChanged.name:
        return ("copilot", "")  # the newest on/off wins
    return (kind, str(id(event)))


def _merge(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Coalesce two pending events about the same visitor into the one the console needs."""
    if old is None:
        return new
    if new["type"] == VisitorUpdated.name:
        if old["type"] == VisitorJoined.name:
            return {**old, "visitor": {**old["visitor"], **new["changes"]}}
        if old["type"] == VisitorUpdated.name:
            return {**new, "changes": {**old["changes"], **new["changes"]}}
        return new  # after a left, a stray update changes nothing; the newest wins
    return new


def _left_audience(event: dict[str, Any], old: Visibility) -> dict[str, Any]:
    """The visitor left a console's audience (`old`): what it gets instead of `event`."""
    visitor_id = event["visitor"]["visitor_id"] if "visitor" in event else event["visitor_id"]
    return VisitorLeft(visitor_id=visitor_id, visibility=old).model_dump(mode="json")


class _OrgStream:
    """One org's sockets in this process and the events waiting for the next batch."""

    __slots__ = ("flush_handle", "last_flush", "pending", "sockets", "subscription")

    def __init__(self) -> None:
        self.sockets: set[RepSocket] = set()
        self.subscription: Subscription | None = None
        # key -> (event, visibility, audiences it left); a visitor's newest state replaces
        # older ones.
        self.pending: dict[Key, tuple[dict[str, Any], Visibility, tuple[Visibility, ...]]] = {}
        self.flush_handle: asyncio.TimerHandle | None = None
        self.last_flush = 0.0


class RepHub:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.interval = runtime.settings.rep_batch_interval
        self._orgs: dict[str, _OrgStream] = {}
        self._lock = asyncio.Lock()
        runtime.bus.on_reconnect(self._on_bus_reconnect)

    async def add(self, socket: RepSocket) -> None:
        async with self._lock:
            stream = self._orgs.get(socket.org_id)
            if stream is None:
                stream = self._orgs[socket.org_id] = _OrgStream()
                stream.subscription = await self.runtime.bus.subscribe(
                    org_topic(socket.org_id), self._on_org_event
                )
            stream.sockets.add(socket)

    async def remove(self, socket: RepSocket) -> None:
        async with self._lock:
            stream = self._orgs.get(socket.org_id)
            if stream is None:
                return
            stream.sockets.discard(socket)
            if not stream.sockets:
                del self._orgs[socket.org_id]
                if stream.flush_handle is not None:
                    stream.flush_handle.cancel()
                if stream.subscription is not None:
                    await stream.subscription.cancel()

    def sockets_of_rep(self, rep_id: str) -> list[RepSocket]:
        return [s for stream in self._orgs.values() for s in stream.sockets if s.rep_id == rep_id]

    def _on_bus_reconnect(self) -> None:
        # Events may have been lost while Redis was away: every console takes a fresh snapshot.
        for stream in self._orgs.values():
            stream.pending.clear()
            for socket in stream.sockets:
                socket.resync()

    def _on_org_event(self, topic: str, data: bytes) -> None:
        stream = self._orgs.get(topic.split(".", 1)[1])
        if stream is None or not stream.sockets:
            return
        event = orjson.loads(data)
        kind = event["type"]
        if kind == StreamResync.name or kind == RESYNC_TYPE:
            # Segments or routing changed for many visitors at once: a fresh snapshot is
            # cheaper and simpler than thousands of per-visitor updates. (RESYNC: an event for
            # this org was lost on the bus somewhere; the snapshot has what it said.)
            stream.pending.clear()
            for socket in stream.sockets:
                socket.resync()
            return
        visibility = from_event(event.get("visibility"))
        if kind in IMMEDIATE:
            for socket in stream.sockets:
                if socket.may_see(visibility):
                    socket.sender.send_bytes(data)
            return
        key = _key(event)
        previous = stream.pending.get(key)
        lefts: tuple[Visibility, ...] = ()
        if previous is not None:
            lefts = previous[2]
            # The visitor's audience changed within the batch (a move to another segment, a
            # chat transferred): the newest event replaces the older ones, so the consoles
            # that could see the card before and cannot now must still be told it left.
            if key[0] == "visitor" and previous[1] != visibility and previous[1] not in lefts:
                lefts = (*lefts, previous[1])
        stream.pending[key] = (
            _merge(previous[0] if previous else None, event),
            visibility,
            lefts,
        )
        if stream.flush_handle is None:
            loop = asyncio.get_running_loop()
            at = max(loop.time(), stream.last_flush + self.interval)
            stream.flush_handle = loop.call_at(at, self._flush, stream)

    def _flush(self, stream: _OrgStream) -> None:
        stream.flush_handle = None
        stream.last_flush = asyncio.get_running_loop().time()
        if not stream.pending:
            return
        pending = list(stream.pending.values())
        stream.pending = {}
        # The events are the publishers' frames as they came off the bus (each one a
        # BatchEvent, made from its model): they are put in the `Batch` frame as they are,
        # not validated again into models, once per batch and audience, not per socket.
        everything = [event for event, _, _ in pending]
        restricted = any(not v.everyone or lefts for _, v, lefts in pending)
        shared: bytes | None = None
        by_subset: dict[tuple[tuple[int, bool], ...], bytes] = {}
        for socket in stream.sockets:
            if socket.is_admin or not restricted:
                if shared is None:
                    shared = orjson.dumps({"type": Batch.name, "events": everything})
                socket.sender.send_bytes(shared)
                continue
            # (index, True): the event itself; (index, False): only that the visitor left
            # this console's audience.
            visible = tuple(
                (i, seen)
                for i, (_, v, lefts) in enumerate(pending)
                if (seen := socket.may_see(v)) or any(socket.may_see(old) for old in lefts)
            )
            if not visible:
                continue
            data = by_subset.get(visible)
            if data is None:
                data = orjson.dumps(
                    {
                        "type": Batch.name,
                        "events": [
                            pending[i][0]
                            if seen
                            else _left_audience(pending[i][0], pending[i][2][-1])
                            for i, seen in visible
                        ],
                    }
                )
                by_subset[visible] = data
            socket.sender.send_bytes(data)
