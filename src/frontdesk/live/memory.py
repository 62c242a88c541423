from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.core.clock import Clock
from frontdesk.live.base import (
    Activity,
    ConnectionState,
    LiveVisitor,
    aggregate,
    updated_connection,
)


@dataclass(slots=True)
class _Entry:
    """One live visitor (kept for every connected visitor: slotted to stay small)."""

    visit_id: str
    visit_started_at: datetime
    connections: dict[str, ConnectionState] = field(default_factory=dict)


class MemoryLiveState:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._orgs: dict[str, dict[str, _Entry]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def _live_states(self, entry: _Entry) -> list[ConnectionState]:
        now = self._clock.now()
        for cid in [cid for cid, s in entry.connections.items() if s.expires_at <= now]:
            del entry.connections[cid]
        return list(entry.connections.values())

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
        visitors = self._orgs.setdefault(org_id, {})
        entry = visitors.get(visitor_id)
        if entry is None or entry.visit_id != visit_id:
            previous = entry.connections if entry else {}
            entry = _Entry(visit_id, visit_started_at, dict(previous))
            visitors[visitor_id] = entry
        entry.connections[connection_id] = updated_connection(
            entry.connections.get(connection_id),
            now,
            activity=activity,
            url=url,
            title=title,
            og_image=og_image,
        )
        result = aggregate(
            org_id, visitor_id, entry.visit_id, entry.visit_started_at, self._live_states(entry)
        )
        assert result is not None
        return result

    async def remove_connection(
        self, org_id: str, visitor_id: str, connection_id: str
    ) -> LiveVisitor | None:
        visitors = self._orgs.get(org_id, {})
        entry = visitors.get(visitor_id)
        if entry is None:
            return None
        entry.connections.pop(connection_id, None)
        states = self._live_states(entry)
        if not states:
            del visitors[visitor_id]
            return None
        return aggregate(org_id, visitor_id, entry.visit_id, entry.visit_started_at, states)

    async def forget(self, org_id: str, visitor_id: str) -> None:
        self._orgs.get(org_id, {}).pop(visitor_id, None)

    async def get(self, org_id: str, visitor_id: str) -> LiveVisitor | None:
        entry = self._orgs.get(org_id, {}).get(visitor_id)
        if entry is None:
            return None
        return aggregate(
            org_id, visitor_id, entry.visit_id, entry.visit_started_at, self._live_states(entry)
        )

    async def list_org(self, org_id: str) -> list[LiveVisitor]:
        result = []
        visitors = self._orgs.get(org_id, {})
        for visitor_id in list(visitors):
            live = await self.get(org_id, visitor_id)
            if live is None:
                visitors.pop(visitor_id, None)
            else:
                result.append(live)
        return result


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(self._clock.now().timestamp()) // window_seconds
        current_window, count = self._windows.get(key, (window, 0))
        if current_window != window:
            count = 0
        count += 1
        self._windows[key] = (window, count)
        if len(self._windows) > 100_000:  # bound memory under a flood of distinct keys
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        return count <= limit

    async def close(self) -> None:
        return None
