from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

Activity = Literal["active", "another_tab", "idle"]
ACTIVITY_STATES: tuple[str, ...] = ("active", "another_tab", "idle")

# A connection that has not been refreshed for this long belongs to a dead process or a
# vanished browser. Browsers throttle timers in hidden tabs to about once a minute, and the
# widget heartbeats every 25 s when visible, so 150 s leaves room for two missed beats.
CONNECTION_TTL_SECONDS = 150


class ConnectionState(BaseModel):
    """What one open tab (one socket) of a visitor last reported."""

    model_config = ConfigDict(extra="forbid")

    activity: Activity = "active"
    url: str = ""
    title: str = ""
    og_image: str | None = None
    updated_at: datetime
    expires_at: datetime


class LiveVisitor(BaseModel):
    """A visitor's live state, aggregated over their open tabs."""

    model_config = ConfigDict(extra="forbid")

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
    changes: dict[str, object] = {"expires_at": expires}
    if activity is not None and activity != state.activity:
        changes.update(activity=activity, updated_at=now)
    if url is not None and url != state.url:
        changes.update(url=url, updated_at=now)
    if title is not None:
        changes["title"] = title
        # A new page replaces the thumbnail, even with none.
        changes["og_image"] = og_image
    return state.model_copy(update=changes)


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

    async def get(self, org_id: str, visitor_id: str) -> LiveVisitor | None: ...

    async def list_org(self, org_id: str) -> list[LiveVisitor]: ...


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Counts one event; True while the key is within `limit` events per window."""
        ...

    async def close(self) -> None: ...
