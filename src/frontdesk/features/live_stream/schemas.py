"""Visitor 360 (GET /api/visitors/{id}): who the visitor is, their visits and conversations."""

from __future__ import annotations

from typing import Any

from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.accounts.schemas import AccountBrief
from frontdesk.features.calls.schemas import CallOut
from frontdesk.features.conversations.events import ConversationSummary
from frontdesk.features.live_stream.events import Activity, IdentityStatus
from frontdesk.features.meetings.schemas import MeetingOut


class EnrichmentSource(Closed):
    """One enriched fact with where it came from and how sure we are."""

    field: str
    value: Any
    source: str | None = None
    confidence: str | None = None


class VisitorProfile(Closed):
    id: str
    name: str | None
    email: str | None
    identity_status: IdentityStatus
    first_seen_at: IsoTime | None
    last_seen_at: IsoTime | None
    visit_count: int
    visitor_id: str
    company: str | None
    company_sources: list[EnrichmentSource]
    # The latest visit's enrichment as stored (each fact as {value, source, confidence}).
    enrichment: dict[str, Any]
    account: AccountBrief | None
    online: bool
    activity: Activity | None
    blocked: bool


class PageViewOut(Closed):
    url: str
    title: str | None
    referrer: str | None
    viewed_at: IsoTime | None


class VisitUtm(Closed):
    source: str | None
    medium: str | None
    campaign: str | None
    term: str | None
    content: str | None


class VisitOut(Closed):
    id: str
    started_at: IsoTime | None
    last_seen_at: IsoTime | None
    ip: str | None
    user_agent: str | None
    referrer: str | None
    landing_url: str | None
    utm: VisitUtm
    page_views: list[PageViewOut]


class Visitor360(Closed):
    visitor: VisitorProfile
    visits: list[VisitOut]
    conversations: list[ConversationSummary]
    # Calls in the chats listed above, newest first.
    calls: list[CallOut]
    # Meetings the visitor booked (newest first), cancelled ones included.
    meetings: list[MeetingOut]
