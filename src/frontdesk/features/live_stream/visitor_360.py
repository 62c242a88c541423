"""Visitor 360: everything known about one visitor, for the console's side panel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from frontdesk.core.errors import NotFound
from frontdesk.features import audience, calls, conversations, meetings
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.cards import account_brief
from frontdesk.features.live_stream.schemas import (
    EnrichmentSource,
    PageViewOut,
    Visitor360,
    VisitorProfile,
    VisitOut,
    VisitUtm,
)
from frontdesk.features.orgs import Authenticated
from frontdesk.features.visitors import get_visitor
from frontdesk.features.visitors.models import PageView, Visit
from frontdesk.runtime import Runtime

# The most recent visits and chats shown; older ones are not listed.
RECENT = 20


async def visitor_360(runtime: Runtime, actor: Authenticated, visitor_id: str) -> Visitor360:
    """Identity, company with its sources, the latest visits with their pages, and the chats
    the rep may see (features/audience), in a fixed number of queries."""
    async with runtime.db.read() as session:
        visitor = await get_visitor(session, actor.org_id, visitor_id)
        visits = list(
            (
                await session.execute(
                    select(Visit)
                    .where(Visit.visitor_id == visitor_id)
                    .order_by(Visit.started_at.desc())
                    .limit(RECENT)
                )
            ).scalars()
        )
        views = (
            list(
                (
                    await session.execute(
                        select(PageView)
                        .where(PageView.visit_id.in_([v.id for v in visits]))
                        .order_by(PageView.viewed_at)
                    )
                ).scalars()
            )
            if visits
            else []
        )
        convs = list(
            (
                await session.execute(
                    select(Conversation)
                    .where(Conversation.visitor_id == visitor_id)
                    .order_by(Conversation.created_at.desc())
                    .limit(RECENT)
                )
            ).scalars()
        )
        # Admins and team leads read every visitor's profile and chat list (a lead opens
        # Account 360's visitors); the chats themselves open under the rep's own rules.
        seen = [
            c for c in convs if actor.sees_every_rep or audience.rep_sees_conversation(actor, c)
        ]
        if not _may_see(actor, visits, convs, seen):
            # The same answer as an unknown id: a rep learns nothing about visitors routed
            # to others.
            raise NotFound("visitor not found")
        summaries = await conversations.summaries(session, seen)
        by_chat = await calls.calls_of_conversations(session, [c.id for c in seen])
        account = (
            await session.get(Account, visits[0].account_id)
            if visits and visits[0].account_id
            else None
        )
        booked = await meetings.meetings_for_visitor(session, actor.org_id, visitor_id)
    live = await runtime.live.get(actor.org_id, visitor_id)
    by_visit: dict[str, list[PageViewOut]] = {}
    for view in views:
        by_visit.setdefault(view.visit_id, []).append(
            PageViewOut(
                url=view.url,
                title=view.title,
                referrer=view.referrer,
                viewed_at=_iso(view.viewed_at),
            )
        )
    latest = visits[0] if visits else None
    enrichment = dict(latest.enrichment or {}) if latest else {}
    return Visitor360(
        visitor=VisitorProfile(
            id=visitor.id,
            name=visitor.name,
            email=visitor.email,
            identity_status=visitor.identity_status,
            first_seen_at=_iso(visitor.created_at),
            last_seen_at=_iso(visitor.last_seen_at),
            visit_count=visitor.visit_count,
            visitor_id=visitor.id,
            company=(enrichment.get("company") or {}).get("value") if latest else None,
            company_sources=_sources(enrichment),
            enrichment=enrichment,
            account=account_brief(account),
            online=live is not None,
            activity=live.activity if live else None,
            blocked=visitor.blocked_at is not None,
        ),
        visits=[
            VisitOut(
                id=v.id,
                started_at=_iso(v.started_at),
                last_seen_at=_iso(v.last_seen_at),
                ip=v.ip,
                user_agent=v.user_agent,
                referrer=v.referrer,
                landing_url=v.landing_url,
                utm=VisitUtm(
                    source=v.utm_source,
                    medium=v.utm_medium,
                    campaign=v.utm_campaign,
                    term=v.utm_term,
                    content=v.utm_content,
                ),
                page_views=by_visit.get(v.id, []),
            )
            for v in visits
        ],
        conversations=summaries,
        calls=sorted(
            (call for chat in by_chat.values() for call in chat),
            key=lambda call: call.created_at,
            reverse=True,
        ),
        meetings=booked,
    )


def _may_see(
    actor: Authenticated,
    visits: list[Visit],
    convs: list[Conversation],
    seen: list[Conversation],
) -> bool:
    """Visitor 360 follows the live stream's rule (features/audience); admins and team leads
    see every visitor. A rep sees a visitor their current visit is routed to (or routed to
    nobody), the visitor whose open chat they own, and a visitor of a chat they may see."""
    if actor.sees_every_rep or seen:
        return True
    owner = next((c.owner_rep_id for c in convs if c.status in conversations.OPEN_STATUSES), None)
    routed = visits[0].routed_rep_ids if visits else None
    return audience.rep_sees(actor, audience.of_visitor(routed, owner))


def _sources(enrichment: dict[str, Any]) -> list[EnrichmentSource]:
    """Each enriched value with where it came from and how sure we are."""
    return [
        EnrichmentSource.model_validate({"field": key, **value})
        for key, value in enrichment.items()
        if isinstance(value, dict) and "value" in value
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
