from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, cast

import orjson

Activity = Literal["active", "another_tab", "idle"]
ACTIVITY_STATES: tuple[str, ...] = ("active", "another_tab", "idle")

# A connection that has not been refreshed for this long belongs to a dead process or a
# vanished browser. Browsers throttle timers in hidden tabs to about once a minute, and the
# widget heartbeats every 25 s when visible, so 150 s leaves room for two missed beats.
CONNECTION_TTL_SECONDS = 150


# Both classes are slotted frozen dataclasses rather than pydantic models: the memory backend
# keeps a ConnectionState per open tab and every visitor socket keeps its LiveVisitor, and a
# pydantic instance (its __dict__ and fields-set set) costs about 1 KiB against about 100 bytes
# (issue 2, idle sockets). Values come only from our own code or our own Redis entries.


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionState:
    """What one open tab (one socket) of a visitor last reported."""

    activity: Activity = "active"
    url: str = ""
    title: str = ""
    og_image: str | None = None
    updated_at: datetime
    expires_at: datetime

    def to_json(self) -> bytes:
        # Same JSON shape as before (pydantic's), so processes of either version can share Redis.
        return orjson.dumps(
            {
                "activity": self.activity,
                "url": self.url,
                "title": self.title,
                "og_image": self.og_image,
                "updated_at": self.updated_at,
                "expires_at": self.expires_at,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> ConnectionState:
        data: dict[str, Any] = orjson.loads(raw)
        activity = data.get("activity", "active")
        if activity not in ACTIVITY_STATES:
            raise ValueError(f"unknown activity {activity!r}")
        return cls(
            activity=cast(Activity, activity),
            url=data.get("url", ""),
            title=data.get("title", ""),
            og_image=data.get("og_image"),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveVisitor:
    """A visitor's live state, aggregated over their open tabs."""

    org_id: str
    visitor_id: str
    visit_id: str
    visit_started_at: datetime
    activity: Activity
    url: str
    title: str
    og_image: str | None
    connections: int
    last_change_at: datetime


def updated_connection(
    state: ConnectionState | None,
    now: datetime,
    *,
    activity: Activity | None,
    url: str | None,
    title: str | None,
    og_image: str | None,
) -> ConnectionState:
    """One tab's state after a change (or a heartbeat: only the expiry moves). Shared by both
    backends so they cannot drift apart."""
    expires = now + timedelta(seconds=CONNECTION_TTL_SECONDS)
    if state is None:
        state = ConnectionState(updated_at=now, expires_at=expires)
    updated_at = state.updated_at
    if activity is not None and activity != state.activity:
        updated_at = now
    else:
        activity = state.activity
    if url is not None and url != state.url:
        updated_at = now
    else:
        url = state.url
    if title is None:
        title, og_image = state.title, state.og_image
    # else: a new page replaces the thumbnail, even with none.
    return ConnectionState(
        activity=activity,
        url=url,
        title=title,
        og_image=og_image,
        updated_at=updated_at,
        expires_at=expires,
    )


def aggregate_activity(states: list[ConnectionState]) -> Activity:
    """Any active tab makes the visitor active; a visible idle tab beats hidden tabs."""
    activities = {s.activity for s in states}
    if "active" in activities:
        return "active"
    if "idle" in activities:
        return "idle"
    return "another_tab"


def aggregate(
    org_id: str,
    visitor_id: str,
    visit_id: str,
    visit_started_at: datetime,
    states: list[ConnectionState],
) -> LiveVisitor | None:
    if not states:
        return None
    latest = max(states, key=lambda s: s.updated_at)
    return LiveVisitor(
        org_id=org_id,
        visitor_id=visitor_id,
        visit_id=visit_id,
        visit_started_at=visit_started_at,
        activity=aggregate_activity(states),
        url=latest.url,
        title=latest.title,
        og_image=latest.og_image,
        connections=len(states),
        last_change_at=latest.updated_at,
    )


class LiveState(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

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
        """Create or change one tab's state (and refresh its expiry); returns the aggregate."""
        ...

    async def remove_connection(
        self, org_id: str, visitor_id: str, connection_id: str
    ) -> LiveVisitor | None:
        """Returns the remaining aggregate, or None when the visitor has no tab left."""
        ...

    async def forget(self, org_id: str, visitor_id: str) -> None:
        """Drop everything live about a visitor (an erasure request)."""
        ...

    async def get(self, org_id: str, visitor_id: str) -> LiveVisitor | None: ...

    async def list_org(self, org_id: str) -> list[LiveVisitor]: ...


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Counts one event; True while the key is within `limit` events per window."""
        ...

    async def close(self) -> None: ...
