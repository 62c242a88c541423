"""Hellos that arrive together are written together (issue 21): one statement per table for the
group, each hello still welcomed with what is true of its own visitor, and one bad row never
loses the others."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from frontdesk.core.ids import new_id
from frontdesk.features import visitors
from frontdesk.features.live_stream import load_org_segments
from frontdesk.features.live_stream.arrivals import ArrivalRequest, ArrivalResult, arrival_writer
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from tests.harness import SITE_ORIGIN, OrgInfo, Server
from tests.query_count import counting_queries

pytestmark = pytest.mark.asyncio


async def _requests(server: Server, org: OrgInfo) -> tuple[Org, ArrivalRequest]:
    async with server.runtime.db.read() as session:
        row = await session.get(Org, org.id)
    assert row is not None
    placement = await load_org_segments(server.runtime, org.id)
    return row, ArrivalRequest(
        org=row,
        placement=placement,
        visitor_id=new_id(),
        known=False,
        stored_ip="198.51.100.7",
        ip="198.51.100.7",
        user_agent="Mozilla/5.0",
        page=visitors.PageInfo(SITE_ORIGIN + "/", "Home", None),
        record_page_view=True,
        tracked=True,
    )


async def _together(server: Server, *requests: ArrivalRequest) -> list[object]:
    writer = arrival_writer(server.runtime)
    return list(await asyncio.gather(*(writer.arrive(r) for r in requests), return_exceptions=True))


async def _page_views(server: Server, visitor_id: str) -> int:
    async with server.runtime.db.read() as session:
        return int(
            (
                await session.execute(select(func.count()).where(PageView.visitor_id == visitor_id))
            ).scalar_one()
        )


async def test_hellos_arriving_together_are_stored_with_one_statement_per_table_and_each_welcomed_as_itself(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, created = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Pricing readers",
            "rules": {
                "match": "all",
                "conditions": [{"field": "page.url", "op": "contains", "value": "/pricing"}],
            },
        },
    )
    assert status == 200, created
    pricing_segment = created["segment"]["id"]
    _, base = await _requests(server, org)
    base = replace(base, placement=await load_org_segments(server.runtime, org.id))
    # A visitor seen before (their token names them), back within the visit's 30 minutes.
    (earlier,) = await _together(server, replace(base, visitor_id=new_id()))
    assert isinstance(earlier, ArrivalResult)

    reader = replace(
        base,
        visitor_id=new_id(),
        page=visitors.PageInfo(SITE_ORIGIN + "/pricing", "Pricing", None),
    )
    # Global Privacy Control: no address, user agent or page view is kept for this one.
    private = replace(base, visitor_id=new_id(), tracked=False, stored_ip=None, ip=None)
    returning = replace(base, visitor_id=earlier.visitor.id, known=True)
    with counting_queries(server.runtime.db) as statements:
        results = await _together(server, reader, private, returning)
    assert all(isinstance(r, ArrivalResult) for r in results), results
    new_reader, new_private, back = [r for r in results if isinstance(r, ArrivalResult)]

    # One statement per table for the whole group: reads of the known visitor, their latest
    # visit, open chat, open invitations and the visit's pages; one INSERT each for the new
    # visitors, visits and page views; one UPDATE of the continuing visit's page count. (The
    # clock is frozen: last-seen times do not change, so nothing else is updated.)
    inserts = [s for s in statements.sql if s.startswith("INSERT")]
    assert len(inserts) == 3, str(statements)
    assert statements.count == 9, str(statements)

    assert new_reader.new_visitor and new_reader.visit.segment_id == pricing_segment
    assert new_private.new_visitor and new_private.visit.segment_id != pricing_segment
    assert (back.new_visitor, back.new_visit) == (False, False)
    assert back.visitor.id == earlier.visitor.id and back.visit.id == earlier.visit.id
    async with server.runtime.db.read() as session:
        stored = {
            v.visitor_id: v
            for v in (
                await session.execute(
                    select(Visit).where(
                        Visit.visitor_id.in_([new_reader.visitor.id, new_private.visitor.id])
                    )
                )
            ).scalars()
        }
        assert await session.get(Visitor, new_private.visitor.id) is not None
    assert stored[new_reader.visitor.id].segment_id == pricing_segment  # stored placed
    assert stored[new_reader.visitor.id].ip == "198.51.100.7"
    assert (stored[new_private.visitor.id].ip, stored[new_private.visitor.id].user_agent) == (
        None,
        None,
    )
    assert await _page_views(server, new_reader.visitor.id) == 1
    assert await _page_views(server, new_private.visitor.id) == 0
    assert await _page_views(server, earlier.visitor.id) == 2  # the page again, counted
    assert back.visit.page_view_count == 2


async def test_two_tabs_of_one_visitor_in_the_same_group_share_the_visit(server: Server) -> None:
    org = await server.create_org()
    _, base = await _requests(server, org)
    (first,) = await _together(server, base)
    assert isinstance(first, ArrivalResult)
    again = replace(base, visitor_id=first.visitor.id, known=True)
    one, two = await _together(server, again, replace(again, record_page_view=False))
    assert isinstance(one, ArrivalResult) and isinstance(two, ArrivalResult)
    assert one.visit.id == two.visit.id == first.visit.id
    assert await _page_views(server, first.visitor.id) == 2


async def test_a_blocked_visitor_in_a_group_is_refused_and_the_others_are_welcomed(
    server: Server,
) -> None:
    org = await server.create_org()
    _, base = await _requests(server, org)
    (spammer,) = await _together(server, base)
    assert isinstance(spammer, ArrivalResult)
    async with server.runtime.db.transaction() as session:
        row = await session.get(Visitor, spammer.visitor.id)
        assert row is not None
        row.blocked_at = server.clock.now()
    blocked, newcomer = await _together(
        server,
        replace(base, visitor_id=spammer.visitor.id, known=True),
        replace(base, visitor_id=new_id()),
    )
    assert isinstance(blocked, visitors.VisitorBlocked)
    assert isinstance(newcomer, ArrivalResult)
    async with server.runtime.db.read() as session:
        assert await session.get(Visitor, newcomer.visitor.id) is not None


async def test_a_row_that_fails_does_not_lose_the_others_of_its_group(server: Server) -> None:
    org = await server.create_org()
    row, base = await _requests(server, org)
    # An org that is gone by the time the group is written: its visitor row breaks the
    # foreign key, and so the group's transaction.
    gone = Org(**{c.key: getattr(row, c.key) for c in Org.__table__.columns} | {"id": new_id()})
    results = await _together(
        server,
        base,
        replace(base, org=gone, visitor_id=new_id()),
        replace(base, visitor_id=new_id()),
    )
    assert isinstance(results[1], Exception) and not isinstance(results[1], ArrivalResult)
    kept = [r for r in (results[0], results[2]) if isinstance(r, ArrivalResult)]
    assert len(kept) == 2, results
    async with server.runtime.db.read() as session:
        for result in kept:
            assert await session.get(Visitor, result.visitor.id) is not None
            assert await session.get(Visit, result.visit.id) is not None
        assert await session.get(Visitor, base.visitor_id) is not None


async def test_a_returning_visitor_moved_by_the_page_they_come_back_on_is_stored_moved(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, created = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Pricing readers",
            "rules": {
                "match": "all",
                "conditions": [{"field": "page.url", "op": "contains", "value": "/pricing"}],
            },
        },
    )
    assert status == 200, created
    pricing_segment = created["segment"]["id"]
    _, base = await _requests(server, org)
    base = replace(base, placement=await load_org_segments(server.runtime, org.id))
    (first,) = await _together(server, base)
    assert isinstance(first, ArrivalResult) and first.visit.segment_id != pricing_segment

    # Back ten minutes later (the same visit) on the pricing page, beside a first-time visitor.
    server.clock.advance(600)
    back_on_pricing = replace(
        base,
        visitor_id=first.visitor.id,
        known=True,
        page=visitors.PageInfo(SITE_ORIGIN + "/pricing", "Pricing", None),
    )
    back, other = await _together(server, back_on_pricing, replace(base, visitor_id=new_id()))
    assert isinstance(back, ArrivalResult) and isinstance(other, ArrivalResult)
    assert (back.new_visit, back.placement_changed) == (False, True)
    assert back.visit.segment_id == pricing_segment

    async with server.runtime.db.read() as session:
        visit = await session.get(Visit, first.visit.id)
        visitor = await session.get(Visitor, first.visitor.id)
    assert visit is not None and visitor is not None
    assert visit.segment_id == pricing_segment  # the move is stored, not only shown
    assert (visit.page_view_count, visit.last_seen_at) == (2, server.clock.now())
    assert (visitor.visit_count, visitor.last_seen_at) == (1, server.clock.now())
    assert other.visit.segment_id != pricing_segment
