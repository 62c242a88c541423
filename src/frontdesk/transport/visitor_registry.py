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
from frontdesk.features.segments.placement import AccountIndex
from frontdesk.features.segments.rules import CompiledSegment
from frontdesk.features.segments.service import compile_segments, list_segments
from frontdesk.features.visitors.cards import experience_names
from frontdesk.runtime import Runtime, visitors_topic

log = logging.getLogger("frontdesk.visitors")


PAGE_FIELDS = {"page.url", "visit.pages", "visit.page_views", "visit.time_on_site"}


class OrgSegments:
    """What placing a visitor needs from the org, cached per process until segments, accounts,
    IP ranges or routing change (every such change publishes placements.changed)."""

    def __init__(
        self, rows: list[Segment], index: AccountIndex, experiences: dict[str | None, str]
    ) -> None:
        self.by_id = {s.id: s for s in rows}
        self.compiled: list[CompiledSegment] = compile_segments(rows)
        fields = {c.field for s in self.compiled for c in s.rules.conditions}
        self.uses_time = "visit.time_on_site" in fields
        # Only re-place on a page view when some rule looks at pages.
        self.page_sensitive = bool(fields & PAGE_FIELDS)
        self.index = index
        self.experiences = experiences


class VisitorRegistry:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._orgs: dict[str, dict[object, Callable[[dict[str, Any]], None]]] = {}
        self._subs: dict[str, Subscription] = {}
        self._segments: dict[str, OrgSegments] = {}
        self._lock = asyncio.Lock()
        # How many visitor hellos do their database work at once (see ws_visitor._welcome).
        self.welcome_slots = asyncio.Semaphore(32)

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
                cached = OrgSegments(
                    await list_segments(session, org_id, self.runtime.clock.now()),
                    await AccountIndex.load(session, org_id),
                    await experience_names(session, org_id),
                )
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
