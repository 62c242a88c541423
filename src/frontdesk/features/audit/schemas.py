"""What the audit log API takes and sends."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from frontdesk.core.schemas import Closed, IsoTime


class AuditEntryOut(Closed):
    id: str
    created_at: IsoTime
    actor_rep_id: str | None
    actor_name: str
    # system: the server itself (the retention policy's purge; actor_rep_id is null)
    actor_kind: Literal["session", "api_token", "system"]
    action: str
    summary: str
    target: dict[str, Any]
    details: dict[str, Any]
    ip: str | None
    request_id: str | None


class AuditPage(Closed):
    entries: list[AuditEntryOut]
    # Pass as `before` for the next (older) page; null on the last page.
    next_before: str | None


class AuditQuery(Closed):
    # The id of the last entry of the previous page: entries older than it.
    before: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")
    limit: int = Field(50, ge=1, le=200)
