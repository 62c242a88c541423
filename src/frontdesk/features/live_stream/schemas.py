"""Visitor 360 (GET /api/visitors/{id}): who the visitor is, their visits and conversations."""

from __future__ import annotations

from typing import Any

from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.accounts.schemas import AccountBrief, AccountOut
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


# ---- Account 360 (GET /api/accounts/{id}/360) ------------------------------------------------


class AccountVisitor(Closed):
    """A visitor from the company, with their latest activity."""

    id: str
    name: str | None
    email: str | None
    last_seen_at: IsoTime | None
    visit_count: int
    online: bool
    activity: Activity | None
    current_url: str | None
    current_title: str | None


class DayCount(Closed):
    date: str  # YYYY-MM-DD in the answer's zone
    count: int


class PageCount(Closed):
    url: str
    title: str | None
    views: int


class Campaign(Closed):
    """Visits that landed with these UTM parameters."""

    source: str | None
    medium: str | None
    campaign: str | None
    term: str | None
    content: str | None
    visits: int
    visitors: int
    last_at: IsoTime | None


class AdClick(Closed):
    """An ad click id kept from a visit's landing URL (gclid, msclkid, fbclid, li_fat_id)."""

    kind: str
    value: str
    visitor_id: str
    landing_url: str
    at: IsoTime | None


class Classified(Closed):
    """A conversation's classification: the company's classification history."""

    conversation_id: str
    visitor_id: str
    at: IsoTime | None
    rep_name: str | None
    qualified: bool | None
    deal_value: float | None
    tags: list[str]


class Account360(Closed):
    account: AccountOut
    owner_name: str | None
    visitor_total: int  # every known visitor the reader may see
    visitors: list[AccountVisitor]  # the most recently active first (at most 200)
    online_now: list[AccountVisitor]
    zone: str
    page_views_by_day: list[DayCount]  # the last 30 days, in `zone`
    top_pages: list[PageCount]  # the last 30 days
    campaigns: list[Campaign]
    ad_clicks: list[AdClick]  # newest first (at most 50)
    conversations: list[ConversationSummary]  # newest first (at most 50)
    classification: list[Classified]  # newest first (at most 50)
    meetings: list[MeetingOut]  # booked by the company's visitors, latest start first (at most 50)
    calls: list[CallOut]  # in the chats listed, newest first (at most 50)
