"""Live-stream events for rep consoles: a visitor joined, changed or left (sent coalesced, in
batches, by transport/rep_hub.py), a visitor typing in their chat (sent at once), and the
snapshot a console starts from."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict
from typing_extensions import TypedDict

from frontdesk.core.events import Event
from frontdesk.core.schemas import Closed, IsoTime
from frontdesk.features.accounts.schemas import AccountBrief
from frontdesk.features.audience import Visibility
from frontdesk.features.conversations.events import ConversationStatus, ConversationSummary
from frontdesk.features.orgs.schemas import Availability, Role
from frontdesk.features.segments.schemas import LiveSegmentOut

IdentityStatus = Literal["anonymous", "unverified", "verified"]
Activity = Literal["active", "another_tab", "idle"]


class CardUtm(Closed):
    source: str | None
    medium: str | None
    campaign: str | None


class VisitorCard(Closed):
    visitor_id: str
    visit_id: str
    name: str | None
    email: str | None
    identity_status: IdentityStatus
    company: str | None
    # {"company": {"value", "source", "confidence"}, "country": {...}, "employees": {...}, ...}
    enrichment: dict[str, Any]
    account: AccountBrief | None
    segment: str | None
    experience: str | None
    url: str
    title: str
    # Both are relative image-proxy URLs ("/img?u=...&s=...") or None, never a raw URL: a
    # visitor chose them, and a rep's browser loading one directly would reveal the rep's IP.
    og_image: str | None
    favicon: str | None
    activity: Activity
    visit_started_at: datetime
    page_views: int
    referrer: str | None
    utm: CardUtm
    returning: bool
    conversation_id: str | None
    conversation_status: ConversationStatus | None
    routed_rep_ids: list[str]
    routing_reason: str | None


class VisitorChanges(TypedDict, total=False):
    """The card fields a `visitor.updated` event changes (only those that changed)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    activity: Activity
    url: str
    title: str
    og_image: str | None
    favicon: str | None
    page_views: int
    name: str | None
    email: str | None
    identity_status: IdentityStatus


class VisitorJoined(Event):
    """To consoles (batched): a visitor arrived, or moved into this console's audience; the whole card."""

    type: Literal["visitor.joined"] = "visitor.joined"
    visitor: VisitorCard
    visibility: Visibility


class VisitorUpdated(Event):
    """To consoles (batched): fields of a card changed."""

    type: Literal["visitor.updated"] = "visitor.updated"
    visitor_id: str
    changes: VisitorChanges
    visibility: Visibility


class VisitorLeft(Event):
    """To consoles (batched): the visitor left (or moved out of this console's audience)."""

    type: Literal["visitor.left"] = "visitor.left"
    visitor_id: str
    visibility: Visibility


class VisitorTyping(Event):
    """To consoles (at once): the visitor is typing in their chat; only for the consoles that
    may see the chat."""

    type: Literal["typing"] = "typing"
    conversation_id: str
    is_typing: bool
    rep_name: None = None
    visitor_id: str
    # Sneak peek (the org's `messenger.sneak_peek`): what the visitor has typed so far and not
    # sent, at most 1,000 characters (their last ones); never stored. Null without sneak peek.
    draft: str | None = None
    visibility: Visibility


__all__ = [
    "Activity",
    "IdentityStatus",
    "Visibility",
    "VisitorCard",
    "VisitorChanges",
    "VisitorJoined",
    "VisitorLeft",
    "VisitorTyping",
    "VisitorUpdated",
]


# ---- the console's snapshot (features/live_stream/snapshot.py builds it) ----------------------


class SnapshotRep(Closed):
    """The signed-in rep."""

    id: str
    name: str
    role: Role
    availability: Availability
    auto_pounce_enabled: bool
    auto_pounce_off_reason: str | None
    voice_video_enabled: bool


class RepPresence(Closed):
    """A colleague, for names and availability."""

    id: str
    name: str
    availability: Availability
    active: bool


class Snapshot(Event):
    """Everything the console shows, after `hello` and whenever it must resynchronise (segments
    changed, or events may have been lost on the bus): it replaces all the console held."""

    type: Literal["snapshot"] = "snapshot"
    rep: SnapshotRep
    reps: list[RepPresence]
    # The live visitors this rep may see.
    visitors: list[VisitorCard]
    # Open conversations and the most recent ones this rep may see.
    conversations: list[ConversationSummary]
    segments: list[LiveSegmentOut]
    server_time: IsoTime
