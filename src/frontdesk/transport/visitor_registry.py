"""Per-process registry of open visitor sockets, by org.

Lets one message reach every local visitor socket of an org (for example "segments changed:
re-read your placement"), with one bus subscription per org per process instead of one per
socket, and caches each org's compiled segments.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson

from frontdesk.bus.base import Subscription
from frontdesk.features.segments.models import Segment
from frontdesk.features.segments.rules import CompiledSegment
from frontdesk.features.segments.service import compile_segments, list_segments
from frontdesk.runtime import Runtime, visitors_topic

log = logging.getLogger("frontdesk.visitors")


class OrgSegments:
    def __init__(self, rows: list[Segment]) -> None:
        self.by_id = {s.id: s for s in rows}
        self.compiled: list[CompiledSegment] = compile_segments(rows)
        self.uses_time = any(
            c.field == "visit.time_on_site" for s in self.compiled for c in s.rules.conditions
        )


class VisitorRegistry:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._orgs: dict[str, dict[object, Callable[[dict[str, Any]], None]]] = {}
        self._subs: dict[str, Subscription] = {}
        self._segments: dict[str, OrgSegments] = {}
        self._lock = asyncio.Lock()

    async def add(
        self, org_id: str, key: object, on_event: Callable[[dict[str, Any]], None]
    ) -> None:
        async with self._lock:
            if org_id not in self._subs:
                self._subs[org_id] = await self.runtime.bus.subscribe(
                    visitors_topic(org_id), self._on_event
                )
            self._orgs.setdefault(org_id, {})[key] = on_event

    async def remove(self, org_id: str, key: object) -> None:
        async with self._lock:
            members = self._orgs.get(org_id)
            if members is None:
                return
            members.pop(key, None)
            if not members:
                del self._orgs[org_id]
                self._segments.pop(org_id, None)
                sub = self._subs.pop(org_id, None)
                if sub is not None:
                    await sub.cancel()

    async def segments(self, org_id: str) -> OrgSegments:
        cached = self._segments.get(org_id)
        if cached is None:
            async with self.runtime.db.transaction() as session:
                cached = OrgSegments(await list_segments(session, org_id, self.runtime.clock.now()))
            if org_id in self._orgs:
                self._segments[org_id] = cached
        return cached

    def _on_event(self, topic: str, data: bytes) -> None:
        org_id = topic.split(".", 1)[1]
        event = orjson.loads(data)
        if event.get("type") == "placements.changed":
            self._segments.pop(org_id, None)
        for callback in list(self._orgs.get(org_id, {}).values()):
            try:
                callback(event)
            except Exception:
                log.exception("visitor registry callback failed")
