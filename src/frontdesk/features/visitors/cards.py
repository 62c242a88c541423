"""Visitor cards for the live stream: live state joined with what the database knows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features.conversations.models import Conversation
from frontdesk.features.visitors.events import VisitorCard
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.live import LiveVisitor

CHUNK = 500  # stay far below SQLite's bound-parameter limit


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def build_cards(
    session: AsyncSession, org_id: str, lives: Sequence[LiveVisitor]
) -> list[VisitorCard]:
    if not lives:
        return []
    visitor_ids = [live.visitor_id for live in lives]
    visit_ids = [live.visit_id for live in lives]
    visitors: dict[str, Visitor] = {}
    visits: dict[str, Visit] = {}
    conversations: dict[str, Conversation] = {}
    for chunk in _chunks(visitor_ids):
        rows = await session.execute(
            select(Visitor).where(Visitor.org_id == org_id, Visitor.id.in_(chunk))
        )
        visitors.update({v.id: v for v in rows.scalars()})
        open_rows = await session.execute(
            select(Conversation).where(
                Conversation.org_id == org_id,
                Conversation.visitor_id.in_(chunk),
                Conversation.status.in_(("incoming", "active")),
            )
        )
        conversations.update({c.visitor_id: c for c in open_rows.scalars()})
    for chunk in _chunks(visit_ids):
        visit_rows = await session.execute(
            select(Visit).where(Visit.org_id == org_id, Visit.id.in_(chunk))
        )
        visits.update({v.id: v for v in visit_rows.scalars()})
    cards = []
    for live in lives:
        visitor = visitors.get(live.visitor_id)
        visit = visits.get(live.visit_id)
        if visitor is None or visit is None:
            continue
        cards.append(card_for(live, visitor, visit, conversations.get(visitor.id)))
    return cards


def card_for(
    live: LiveVisitor, visitor: Visitor, visit: Visit, conversation: Conversation | None
) -> VisitorCard:
    return VisitorCard(
        visitor_id=visitor.id,
        visit_id=visit.id,
        name=visitor.name,
        email=visitor.email,
        identity_status=visitor.identity_status,
        company=None,
        segment=None,
        url=live.url,
        title=live.title,
        og_image=live.og_image,
        activity=live.activity,
        visit_started_at=visit.started_at,
        page_views=visit.page_view_count,
        referrer=visit.referrer,
        utm={
            "source": visit.utm_source,
            "medium": visit.utm_medium,
            "campaign": visit.utm_campaign,
        },
        returning=visitor.visit_count > 1,
        conversation_id=conversation.id if conversation else None,
        conversation_status=conversation.status if conversation else None,
        routed_rep_ids=list(conversation.routed_rep_ids or []) if conversation else [],
        routing_reason=conversation.routing_reason if conversation else None,
    )
