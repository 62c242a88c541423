"""Page views that arrive together are written together (issue 21): one transaction and one
statement per table (and per kind of change) for the group, each visitor counted and placed as themselves, in the order
their views came, and one bad row never loses the others."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from frontdesk.core.errors import NotFound
from frontdesk.core.ids import new_id
from frontdesk.features import conversations, visitors
from frontdesk.features.live_stream import finish_pending_page_views, load_org_segments
from frontdesk.features.live_stream.arrivals import ArrivalRequest, ArrivalResult, arrival_writer
from frontdesk.features.live_stream.page_views import (
    PageViewRequest,
    PageViewResult,
    page_view_writer,
)
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import PageView, Visit
from tests.harness import SITE_ORIGIN, OrgInfo, Server
from tests.query_count import counting_queries

pytestmark = pytest.mark.asyncio


def _page(path: str) -> visitors.PageInfo:
    return visitors.PageInfo(SITE_ORIGIN + path, path, None)


async def _pricing_segment(server: Server, org: OrgInfo) -> str:
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
    return str(created["segment"]["id"])


async def _arrived(server: Server, org: OrgInfo, count: int) -> tuple[Org, list[ArrivalResult]]:
    """`count` visitors on the home page, each with one page view stored."""
    async with server.runtime.db.read() as session:
        row = await session.get(Org, org.id)
    assert row is not None
    placement = await load_org_segments(server.runtime, org.id)
    hello = ArrivalRequest(
        org=row,
        placement=placement,
        visitor_id="",
        known=False,
        stored_ip="198.51.100.7",
        ip="198.51.100.7",
        user_agent="Mozilla/5.0",
        page=_page("/"),
        record_page_view=True,
        tracked=True,
    )
    writer = arrival_writer(server.runtime)
    arrived = await asyncio.gather(
        *(writer.arrive(replace(hello, visitor_id=new_id())) for _ in range(count))
    )
    server.clock.advance(1)  # the views below come after the landing page
    return row, list(arrived)


async def _view(
    server: Server, org: Org, arrival: ArrivalResult, path: str, *, tracked: bool = True
) -> PageViewRequest:
    placement = await load_org_segments(server.runtime, org.id)
    return PageViewRequest(
        org=org,
        visitor_id=arrival.visitor.id,
        visit_id=arrival.visit.id,
        page=_page(path),
        at=server.clock.now(),
        tracked=tracked,
        placement=placement if placement.page_sensitive else None,
        hold_routing=False,
        ip="198.51.100.7" if tracked else None,
    )


async def _together(server: Server, *requests: PageViewRequest) -> list[object]:
    writer = page_view_writer(server.runtime)
    return list(await asyncio.gather(*(writer.submit(r) for r in requests), return_exceptions=True))


@contextlib.asynccontextmanager
async def _database_work(server: Server) -> AsyncIterator[list[str]]:
    """The verbs of what the database ran meanwhile. SQLite: every statement SQLite itself
    ran, seen by the connection's trace callback (the page views go to the driver directly),
    an executemany's rows one by one and the transaction's BEGIN and COMMIT too. PostgreSQL:
    every statement SQLAlchemy sent (an executemany once)."""
    verbs: list[str] = []

    def verb(sql: str) -> None:
        verbs.append(sql.split()[0].upper())

    if server.runtime.db.is_postgres:
        with counting_queries(server.runtime.db) as statements:
            yield verbs
        verbs.extend(sql.split()[0].upper() for sql in statements.sql)
        return
    async with server.runtime.db.sqlite_driver() as connection:
        connection.set_trace_callback(verb)  # the process's one connection (pool_size=1)
    try:
        yield verbs
    finally:
        async with server.runtime.db.sqlite_driver() as connection:
            connection.set_trace_callback(None)


async def _pages(server: Server, visit_id: str) -> list[str]:
    async with server.runtime.db.read() as session:
        rows = await session.execute(
            select(PageView.url).where(PageView.visit_id == visit_id).order_by(PageView.viewed_at)
        )
        return [url.removeprefix(SITE_ORIGIN) for url in rows.scalars()]


async def test_page_views_of_many_visitors_are_stored_in_one_transaction_and_each_placed_as_itself(
    server: Server,
) -> None:
    org = await server.create_org()
    pricing = await _pricing_segment(server, org)
    row, (reader, browser, private) = await _arrived(server, org, 3)
    requests = [
        await _view(server, row, reader, "/pricing"),
        await _view(server, row, browser, "/blog"),
        await _view(server, row, private, "/pricing", tracked=False),
    ]
    async with _database_work(server) as work:
        results = await _together(server, *requests)
    assert all(isinstance(r, PageViewResult) for r in results), results
    read, browsed, unseen = [r for r in results if isinstance(r, PageViewResult)]

    # One transaction: the visits and visitors are read once for the group (no rule looks at
    # the page history, so it is not read), the two tracked views inserted, and each visit's
    # row written once, its count and its new placement together (one UPDATE per shape for
    # the group: only counted, counted and moved, only moved). No one who moved has an open
    # chat: none is read.
    if server.runtime.db.is_postgres:
        assert sorted(work) == ["INSERT", "SELECT", "UPDATE", "UPDATE", "UPDATE"], work
    else:
        assert work == ["BEGIN", "SELECT", "INSERT", "INSERT", *["UPDATE"] * 3, "COMMIT"], work

    assert read.page_views == 2 and browsed.page_views == 2 and unseen.page_views is None
    assert read.placed is not None and read.placed.changed
    assert read.placed.visit is not None and read.placed.visit.segment_id == pricing
    assert browsed.placed is not None and not browsed.placed.changed
    # Not tracked: nothing stored, but the stream still places them by the page they are on.
    assert unseen.placed is not None and unseen.placed.changed
    async with server.runtime.db.read() as session:
        stored = {
            v.id: v
            for v in (
                await session.execute(
                    select(Visit).where(Visit.id.in_([reader.visit.id, private.visit.id]))
                )
            ).scalars()
        }
    assert stored[reader.visit.id].segment_id == pricing
    assert stored[reader.visit.id].page_view_count == 2
    assert stored[private.visit.id].segment_id == pricing
    assert stored[private.visit.id].page_view_count == 1
    assert await _pages(server, reader.visit.id) == ["/", "/pricing"]
    assert await _pages(server, private.visit.id) == ["/"]


async def test_views_of_one_visit_in_the_same_group_are_counted_and_stored_in_order(
    server: Server,
) -> None:
    org = await server.create_org()
    pricing = await _pricing_segment(server, org)
    row, (visitor,) = await _arrived(server, org, 1)
    first = await _view(server, row, visitor, "/pricing")
    server.clock.advance(1)
    second = await _view(server, row, visitor, "/blog")
    one, two = await _together(server, first, second)
    assert isinstance(one, PageViewResult) and isinstance(two, PageViewResult)
    assert (one.page_views, two.page_views) == (2, 3)
    # Each placed by its own page: into the pricing segment, then out of it again.
    assert one.placed is not None and one.placed.changed
    assert two.placed is not None and two.placed.changed
    assert await _pages(server, visitor.visit.id) == ["/", "/pricing", "/blog"]
    async with server.runtime.db.read() as session:
        visit = await session.get(Visit, visitor.visit.id)
    assert visit is not None and visit.page_view_count == 3
    assert visit.segment_id != pricing


async def test_a_view_of_a_visit_that_is_gone_fails_alone(server: Server) -> None:
    org = await server.create_org()
    row, (kept, erased) = await _arrived(server, org, 2)
    gone = replace(await _view(server, row, erased, "/pricing"), visit_id=new_id())
    results = await _together(server, await _view(server, row, kept, "/pricing"), gone)
    assert isinstance(results[0], PageViewResult) and results[0].page_views == 2
    assert isinstance(results[1], NotFound)
    assert await _pages(server, kept.visit.id) == ["/", "/pricing"]


async def test_page_views_still_queued_at_shutdown_are_written(server: Server) -> None:
    org = await server.create_org()
    row, arrived = await _arrived(server, org, 5)
    writer = page_view_writer(server.runtime)
    queued = [
        asyncio.ensure_future(writer.submit(await _view(server, row, a, "/docs"))) for a in arrived
    ]
    # Each submission reaches the writer's queue in its first step: let the last ones take
    # it (a task made just before shutdown has not run at all yet; it was not queued).
    await asyncio.sleep(0)
    await finish_pending_page_views(server.runtime)
    assert all(task.done() for task in queued)
    for a in arrived:
        assert await _pages(server, a.visit.id) == ["/", "/docs"]


async def test_a_visitor_with_an_open_chat_who_moves_keeps_their_reps_and_their_card_shows_the_chat(
    server: Server,
) -> None:
    org = await server.create_org()
    pricing = await _pricing_segment(server, org)
    row, (chatting, quiet) = await _arrived(server, org, 2)
    posted = await conversations.post_visitor_message(
        server.runtime, org.id, chatting.visitor.id, new_id(), "Do you have a free plan?"
    )
    talking = replace(await _view(server, row, chatting, "/pricing"), hold_routing=True)
    one, two = await _together(server, talking, await _view(server, row, quiet, "/pricing"))
    assert isinstance(one, PageViewResult) and isinstance(two, PageViewResult)
    assert one.placed is not None and one.placed.changed
    assert one.placed.visit is not None and one.placed.visit.segment_id == pricing
    assert one.placed.routed_rep_ids == list(chatting.visit.routed_rep_ids or [])
    assert one.placed.conversation is not None
    assert one.placed.conversation.id == posted.message.conversation_id
    assert two.placed is not None and two.placed.changed and two.placed.conversation is None


async def test_a_visitor_who_moves_shows_in_the_new_column_with_the_page_and_count(
    server: Server,
) -> None:
    org = await server.create_org()
    pricing = await _pricing_segment(server, org)
    admin = await server.rep(org, role="admin")
    async with admin.socket() as console, server.visitor(org) as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        joined = await console.expect("visitor.joined", visitor__visitor_id=vid)
        assert joined["visitor"]["segment"] != pricing
        await visitor.send(
            {
                "type": "page_view",
                "page": {"url": SITE_ORIGIN + "/pricing", "title": "Pricing", "referrer": None},
            }
        )
        # The card comes again, whole, in its new column: the page it is on and the count.
        moved = await console.expect("visitor.joined", visitor__visitor_id=vid)
        card = moved["visitor"]
        assert card["segment"] == pricing
        assert (card["url"], card["title"], card["page_views"]) == (
            SITE_ORIGIN + "/pricing",
            "Pricing",
            2,
        )
        # A view that keeps them there is an update of the card.
        await visitor.send(
            {
                "type": "page_view",
                "page": {"url": SITE_ORIGIN + "/pricing/teams", "title": "Teams", "referrer": None},
            }
        )
        updated = await console.expect("visitor.updated", visitor_id=vid)
        assert updated["changes"]["url"] == SITE_ORIGIN + "/pricing/teams"
        assert updated["changes"]["page_views"] == 3
