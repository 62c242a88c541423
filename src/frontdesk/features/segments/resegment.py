"""Re-segmenting every live visitor of an org at once, after an admin changed the segments."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import select

from frontdesk.features.segments.placement import AccountIndex, place_visit
from frontdesk.features.segments.service import compile_segments, list_segments
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from frontdesk.runtime import Runtime, org_topic, visitors_topic

CHUNK = 500


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


@dataclass(frozen=True)
class Resegmented:
    live_visitors: int
    moved: int
    seconds: float


async def resegment_org(runtime: Runtime, org_id: str, *, reroute: bool = False) -> Resegmented:
    """`reroute`: routing rules changed too, so recompute routing even where the segment stayed."""
    started = time.perf_counter()
    lives = await runtime.live.list_org(org_id)
    moved = 0
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        rows = await list_segments(session, org_id, now)
        segments = {s.id: s for s in rows}
        compiled = compile_segments(rows)
        index = await AccountIndex.load(session, org_id)
        visitors: dict[str, Visitor] = {}
        visits: dict[str, Visit] = {}
        pages: dict[str, list[str]] = {}
        for chunk in _chunks([live.visitor_id for live in lives]):
            visitors.update(
                {
                    v.id: v
                    for v in (
                        await session.execute(select(Visitor).where(Visitor.id.in_(chunk)))
                    ).scalars()
                }
            )
        for chunk in _chunks([live.visit_id for live in lives]):
            visits.update(
                {
                    v.id: v
                    for v in (
                        await session.execute(select(Visit).where(Visit.id.in_(chunk)))
                    ).scalars()
                }
            )
            for visit_id, url in (
                await session.execute(
                    select(PageView.visit_id, PageView.url)
                    .where(PageView.visit_id.in_(chunk))
                    .order_by(PageView.viewed_at)
                )
            ).all():
                pages.setdefault(visit_id, []).append(url)
        for live in lives:
            visitor, visit = visitors.get(live.visitor_id), visits.get(live.visit_id)
            if visitor is None or visit is None or visitor.org_id != org_id:
                continue
            placement = await place_visit(
                session,
                runtime.ip_directory,
                visitor,
                visit,
                live.url,
                now,
                compiled=compiled,
                segments=segments,
                pages=pages.get(visit.id, []),
                index=index,
                force_routing=reroute,
            )
            moved += placement.changed
    # Every process re-reads its sockets' placements; every console takes a fresh snapshot.
    await runtime.bus.publish(visitors_topic(org_id), orjson.dumps({"type": "placements.changed"}))
    await runtime.bus.publish(org_topic(org_id), orjson.dumps({"type": "stream.resync"}))
    return Resegmented(len(lives), moved, time.perf_counter() - started)
