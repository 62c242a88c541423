"""Placing a visitor for the live stream: their segment, routing and company, and the card.

How a visit is placed (the rules, company precedence, routing) is the segments feature's
(features/segments/placement.py, also used to re-place a whole org at once). This module runs
it for one visitor as they arrive, browse and identify, on the hot path: the org's segments,
accounts, IP ranges and experiences come from a per-process cache (`OrgSegments`, kept by
transport/visitor_registry.py and dropped whenever `placements.changed` is published), and the
visitor's card is built only when some console will be told about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from frontdesk.features import conversations
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.cards import card_for, experience_names
from frontdesk.features.live_stream.events import VisitorCard
from frontdesk.features.orgs.models import Org
from frontdesk.features.segments import (
    AccountIndex,
    CompiledSegment,
    compile_segments,
    list_segments,
    place_visit,
)
from frontdesk.features.segments.models import Segment
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.live import LiveVisitor
from frontdesk.runtime import Runtime

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
        # Only read a visit's page history when some rule looks at it.
        self.uses_pages = "visit.pages" in fields
        # Whether any segment routes by steps (routing reads the org's reps).
        self.routes = any((s.routing or {}).get("steps") for s in rows)
        self.index = index
        self.experiences = experiences


async def load_org_segments(runtime: Runtime, org_id: str) -> OrgSegments:
    async with runtime.db.transaction() as session:
        return OrgSegments(
            await list_segments(session, org_id, runtime.clock.now()),
            await AccountIndex.load(session, org_id),
            await experience_names(session, org_id),
        )


class OrgPlacementData(Protocol):
    """Where a tab gets its org's OrgSegments: the per-process cache
    (transport/visitor_registry.py, `VisitorRegistry.segments`)."""

    async def segments(self, org_id: str) -> OrgSegments: ...


@dataclass(frozen=True, slots=True)
class PlacedVisitor:
    routed_rep_ids: list[str]
    # Segment or routing changed: consoles move the card.
    changed: bool
    # Built when asked for or when the placement changed (and the visitor is live).
    card: VisitorCard | None
    # The visitor's open chat, read with the card (None when no card was asked for).
    conversation: Conversation | None


async def place_for_stream(
    runtime: Runtime,
    org: Org,
    org_data: OrgSegments,
    visitor_id: str,
    visit_id: str,
    current_url: str,
    *,
    live: LiveVisitor | None,
    hold_routing: bool,
    with_card: bool,
    ip: str | None = None,
) -> PlacedVisitor | None:
    """Re-evaluate one visitor's segment and routing (stored on the visit); None when the
    visitor or the visit is gone. `hold_routing`: the visitor has an open chat, so their reps
    stay (see place_visit); a hello is placed before its rows are written instead
    (live_stream/arrivals.py). `ip`: the connected visitor's full address, for enrichment (the
    visit may store less of it)."""
    now = runtime.clock.now()
    card = None
    conversation = None
    async with runtime.db.transaction() as session:
        visitor = await session.get(Visitor, visitor_id)
        visit = await session.get(Visit, visit_id)
        if visitor is None or visit is None:
            return None
        if with_card:
            # Read before placing: a tab arriving while its visitor has an open chat (a second
            # tab, a reload) must keep the chat's reps too, and the caller only learns of the
            # chat from this call.
            conversation = await conversations.open_conversation_for_visitor(session, visitor.id)
            hold_routing = hold_routing or conversation is not None
        placement = await place_visit(
            session,
            runtime.ip_directory,
            visitor,
            visit,
            current_url,
            now,
            compiled=org_data.compiled,
            segments=org_data.by_id,
            index=org_data.index,
            hold_routing=hold_routing,
            ip=ip,
        )
        if with_card or placement.changed:
            if not with_card:
                conversation = await conversations.open_conversation_for_visitor(
                    session, visitor.id
                )
            account = org_data.index.by_id.get(visit.account_id) if visit.account_id else None
            live = live or await runtime.live.get(org.id, visitor.id)
            if live is not None:
                card = card_for(
                    live,
                    visitor,
                    visit,
                    conversation,
                    account,
                    org_data.experiences,
                    website_origins=org.allowed_origins,
                )
    return PlacedVisitor(placement.routed_rep_ids, placement.changed, card, conversation)
