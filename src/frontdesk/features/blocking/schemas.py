"""What the blocking API sends: Blocked & Reported."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime


class BlockResult(Closed):
    visitor_id: str
    blocked: Literal[True]
    report_id: str | None


class BlockedVisitorOut(Closed):
    id: str
    name: str | None
    email: str | None
    blocked_at: IsoTime | None


class IpBlockOut(Closed):
    id: str
    cidr: str
    expires_at: IsoTime | None


class IpBlockDetail(Closed):
    id: str
    cidr: str
    reason: str | None
    created_at: IsoTime
    expires_at: IsoTime | None
    active: bool


class ReportOut(Closed):
    id: str
    visitor_id: str
    conversation_id: str | None
    rep_id: str | None
    reason: str | None
    ip: str | None
    status: Literal["open", "reviewed"]
    created_at: IsoTime


class BlocksOverview(Closed):
    blocked_visitors: list[BlockedVisitorOut]
    ip_blocks: list[IpBlockDetail]
    reports: list[ReportOut]
