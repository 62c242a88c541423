"""Live-stream events for rep consoles: a visitor joined, changed or left (sent coalesced, in
batches, by transport/rep_hub.py), and a visitor typing in their chat (sent at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from frontdesk.core.events import Event
from frontdesk.features.audience import Visibility


class VisitorCard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visitor_id: str
    visit_id: str
    name: str | None
    email: str | None
    identity_status: str
    company: str | None
    # {"company": {"value", "source", "confidence"}, "country": {...}, "employees": {...}, ...}
    enrichment: dict[str, Any]
    account: dict[str, Any] | None
    segment: str | None
    experience: str | None
    url: str
    title: str
    # Both are relative image-proxy URLs ("/img?u=...&s=...") or None, never a raw URL: a
    # visitor chose them, and a rep's browser loading one directly would reveal the rep's IP.
    og_image: str | None
    favicon: str | None
    activity: str
    visit_started_at: datetime
    page_views: int
    referrer: str | None
    utm: dict[str, str | None]
    returning: bool
    conversation_id: str | None
    conversation_status: str | None
    routed_rep_ids: list[str]
    routing_reason: str | None


class VisitorJoined(Event):
    name = "visitor.joined"
    visitor: VisitorCard
    visibility: Visibility


class VisitorUpdated(Event):
    name = "visitor.updated"
    visitor_id: str
    changes: dict[str, Any]
    visibility: Visibility


class VisitorLeft(Event):
    name = "visitor.left"
    visitor_id: str
    visibility: Visibility


class VisitorTyping(Event):
    """The visitor is typing in their chat: for the consoles that may see the chat."""

    name = "typing"
    conversation_id: str
    is_typing: bool
    rep_name: None = None
    visitor_id: str
    visibility: Visibility
