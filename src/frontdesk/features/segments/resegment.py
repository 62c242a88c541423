"""Re-segmenting every live visitor of an org at once, after an admin changed the segments.

Built for 10,000 live visitors in well under a second: rows are read with plain column
selects (no ORM objects), accounts, IP ranges, reps, teams and open chats are loaded once per
chunk, not per visitor, and only the visits whose placement changed are written, in one bulk
update.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from frontdesk.features.conversations import OPEN_STATUSES
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.routing import RoutingDirectory
from frontdesk.features.segments.events import PlacementsChanged, StreamResync
from frontdesk.features.segments.placement import AccountIndex, VisitorRow, VisitRow, place_visit
from frontdesk.features.segments.service import compile_segments, list_segments
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from frontdesk.runtime import Runtime, org_topic, visitors_topic

CHUNK = 5000  # SQLite allows 32,766 bound parameters; fewer round trips matter here
VISIT_COLUMNS = (
    Visit.id,
    Visit.org_id,
    Visit.ip,
    Visit.started_at,
    Visit.landing_url,
    Visit.referrer,
    Visit.utm_source,
    Visit.utm_medium,
    Visit.utm_campaign,
    Visit.page_view_count,
    Visit.segment_id,
    Visit.routed_rep_ids,
    Visit.routing_reason,
    Visit.account_id,
    Visit.enrichment,
)


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


@dataclass(frozen=True)
class Resegmented:
    live_visitors: int
    moved: int
    seconds: float


async def resegment_org(
    runtime: Runtime, org_id: str, *, reroute_segment_ids: Collection[str] = ()
) -> Resegmented:
    """Re-place every live visitor after segments, accounts, IP ranges or teams changed.

    `reroute_segment_ids`: segments whose routing inputs changed (their rule, or a team they
    name); their visitors are routed again (round robin keeps a still-eligible rep). Every
    other visitor keeps their reps unless they land in another segment, and visitors with an
    open chat keep theirs regardless: saving an unrelated segment never re-deals anyone."""
    started = time.perf_counter()
    lives = await runtime.live.list_org(org_id)
    visitor_of_visit = {live.visit_id: live.visitor_id for live in lives}
    url_of_visit = {live.visit_id: live.url for live in lives}
    now = runtime.clock.now()
    changes: list[dict[str, object]] = []
    async with runtime.db.transaction() as session:
        rows = await list_segments(session, org_id, now)
        segments = {s.id: s for s in rows}
        compiled = compile_segments(rows)
        index = await AccountIndex.load(session, org_id)
        routing_directory = await RoutingDirectory.load(session, org_id)
        visitors: dict[str, VisitorRow] = {}
        visits: dict[str, VisitRow] = {}
        pages: dict[str, list[str]] = {}
        for chunk in _chunks(list({live.visitor_id for live in lives})):
            result = await session.execute(
                select(
                    Visitor.id,
                    Visitor.org_id,
                    Visitor.email,
                    Visitor.identity_status,
                    Visitor.visit_count,
                ).where(Visitor.id.in_(chunk), Visitor.org_id == org_id)
            )
            visitors.update({row[0]: VisitorRow(*row) for row in result.all()})
        chatting: set[str] = set()
        for chunk in _chunks(list(visitors)):
            chatting.update(
                (
                    await session.execute(
                        select(Conversation.visitor_id).where(
                            Conversation.visitor_id.in_(chunk),
                            Conversation.status.in_(OPEN_STATUSES),
                        )
                    )
                ).scalars()
            )
        for chunk in _chunks(list(visitor_of_visit)):
            result = await session.execute(select(*VISIT_COLUMNS).where(Visit.id.in_(chunk)))
            visits.update({row[0]: VisitRow(*row) for row in result.all()})
            views = await session.execute(
                select(PageView.visit_id, PageView.url)
                .where(PageView.visit_id.in_(chunk))
                .order_by(PageView.viewed_at)
            )
            for visit_id, url in views.all():
                pages.setdefault(visit_id, []).append(url)
        for visit_id, visit in visits.items():
            visitor = visitors.get(visitor_of_visit[visit_id])
            if visitor is None:
                continue
            before = (visit.account_id, visit.enrichment)
            placement = await place_visit(
                session,
                runtime.ip_directory,
                visitor,
                visit,
                url_of_visit[visit_id],
                now,
                compiled=compiled,
                segments=segments,
                pages=pages.get(visit_id, []),
                index=index,
                reroute_segment_ids=reroute_segment_ids,
                hold_routing=visitor.id in chatting,
                routing_directory=routing_directory,
            )
            if placement.changed or before != (visit.account_id, visit.enrichment):
                changes.append(
                    {
                        "id": visit.id,
                        "segment_id": visit.segment_id,
                        "routed_rep_ids": visit.routed_rep_ids,
                        "routing_reason": visit.routing_reason,
                        "account_id": visit.account_id,
                        "enrichment": visit.enrichment,
                    }
                )
        if changes:
            await session.execute(update(Visit), changes)
    # Every process re-reads its sockets' placements; every console takes a fresh snapshot.
    await runtime.bus.publish(visitors_topic(org_id), PlacementsChanged().to_bytes())
    await runtime.bus.publish(org_topic(org_id), StreamResync().to_bytes())
    return Resegmented(len(lives), len(changes), time.perf_counter() - started)
