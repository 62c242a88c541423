"""Page views written in groups: the page views of many sockets share one transaction (issue 21).

A page view is the busiest write of the live stream (every navigation of every visitor, 500 a
second in the console benchmark). Written one by one, each cost two transactions and about
eight statements: count it and store it, then read the visitor, the visit and its page history
again to place the visitor (URL segments depend on the page). Here the page views that arrive
in the same event-loop turn, or while a group is being written, go out together in the next
group (grouped.GroupWriter, as hellos do in arrivals.py):

- the group's visits (and, when some rule looks at pages, their visitors) are read with one
  SELECT, as plain columns (no ORM objects), locked for the transaction; the page history
  too, only when a rule looks at `visit.pages`; each visit is placed in memory;
- each visit's row is written once: its count (`page_view_count + n`: atomic, so two
  processes counting the same visit lose nothing) and, when it moved, its new placement, in
  one UPDATE per shape for the group (executemany); the page views go in with one INSERT; the
  open chats of the visitors that moved, for their cards, with one more SELECT;
- on SQLite those statements go to the session's own sqlite3 connection, in its transaction
  (SQLAlchemy's per-statement work cost more than SQLite's own); on PostgreSQL they are Core
  statements built once;
- a group is written after the one before it, in the order its page views came: what one tab
  (or one visitor) sends is stored in order. Nothing is answered before its group commits.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, Table, bindparam, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound
from frontdesk.core.ids import new_id
from frontdesk.features import conversations, visitors
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.cards import CardVisitorRow, CardVisitRow
from frontdesk.features.live_stream.grouped import GroupWriter, finish_writer, writer_of
from frontdesk.features.live_stream.placement import OrgSegments
from frontdesk.features.orgs.models import Org
from frontdesk.features.routing import RoutingDirectory
from frontdesk.features.segments import place_visit
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from frontdesk.runtime import Runtime
from frontdesk.storage.sqlite_inline import InlineConnection


@dataclass(slots=True)
class PageViewRequest:
    """One page view, as the tab hands it over."""

    org: Org
    visitor_id: str
    visit_id: str
    page: visitors.PageInfo
    # When the frame came (the page view's time; per visitor, in the order they came).
    at: datetime
    # False: nothing is stored (visitors.tracking_refused); the visit may still be placed.
    tracked: bool
    # The org's placement data when some rule looks at pages (the visit is placed again),
    # else None.
    placement: OrgSegments | None
    # The visitor has an open chat: their reps stay (see place_visit).
    hold_routing: bool
    # The connected visitor's full address, for enrichment (None when not tracked).
    ip: str | None


@dataclass(frozen=True, slots=True)
class Placed:
    """The visit placed again for this page view."""

    routed_rep_ids: list[str]
    # Segment or routing changed: consoles move the card, built from the rows below.
    changed: bool
    # Read only when the placement changed (the columns the card shows, no ORM objects).
    visitor: CardVisitorRow | None
    visit: CardVisitRow | None
    conversation: Conversation | None
    account: Account | None


@dataclass(frozen=True, slots=True)
class PageViewResult:
    # The visit's page view count with this one (None: not tracked, nothing stored).
    page_views: int | None
    # None: not placed (no rule looks at pages, or the visit is gone).
    placed: Placed | None


_visits = cast(Table, Visit.__table__).c
_visitors = cast(Table, Visitor.__table__).c
_page_views = cast(Table, PageView.__table__).c
# What placing a visit, its card and its page view rows read (CardVisitRow's fields, in
# order), then its visitor's (CardVisitorRow's): plain columns, no ORM objects. Built once: a
# statement made per group costs more than running it (the ids are one expanding parameter).
_VISIT_COLUMNS = (
    _visits.id,
    _visits.org_id,
    _visits.ip,
    _visits.started_at,
    _visits.landing_url,
    _visits.referrer,
    _visits.utm_source,
    _visits.utm_medium,
    _visits.utm_campaign,
    _visits.page_view_count,
    _visits.segment_id,
    _visits.routed_rep_ids,
    _visits.routing_reason,
    _visits.account_id,
    _visits.enrichment,
    _visits.visitor_id,
)
_VISITOR_COLUMNS = (
    _visitors.id,
    _visitors.org_id,
    _visitors.email,
    _visitors.identity_status,
    _visitors.visit_count,
    _visitors.name,
)
_SPLIT = len(_VISIT_COLUMNS)
_visits_table = cast(Table, Visit.__table__)
# Read first, locked (PostgreSQL: FOR UPDATE OF visits; SQLite writes one transaction at a
# time): the counts read are the ones the group's UPDATE adds to, so each visit's row is
# written once, its count and its placement together.
_READ_VISITS = (
    select(*_VISIT_COLUMNS)
    .where(_visits.id.in_(bindparam("ids", expanding=True)))
    .with_for_update()
)
_READ_VISITS_AND_VISITORS = (
    select(*_VISIT_COLUMNS, *_VISITOR_COLUMNS)
    .join_from(_visits_table, cast(Table, Visitor.__table__))
    .where(_visits.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(of=_visits_table)
)
_PLACEMENT: dict[str, Any] = {
    "segment_id": bindparam("b_segment_id"),
    "routed_rep_ids": bindparam("b_routed_rep_ids"),
    "routing_reason": bindparam("b_routing_reason"),
    "account_id": bindparam("b_account_id"),
    "enrichment": bindparam("b_enrichment"),
}
_COUNT: dict[str, Any] = {
    # `+ n`, not the count read: atomic whatever else writes the row.
    "page_view_count": _visits.page_view_count + bindparam("b_views"),
    "last_seen_at": bindparam("b_now"),
}
# One UPDATE per shape for the group (executemany): counted, placed again, or both.
_WRITE_COUNTS = update(_visits_table).where(_visits.id == bindparam("b_id")).values(**_COUNT)
_WRITE_PLACEMENTS = (
    update(_visits_table).where(_visits.id == bindparam("b_id")).values(**_PLACEMENT)
)
_WRITE_BOTH = (
    update(_visits_table).where(_visits.id == bindparam("b_id")).values(**_COUNT, **_PLACEMENT)
)


def _placement_of(visit: CardVisitRow) -> tuple[object, ...]:
    return (
        visit.segment_id,
        visit.routed_rep_ids,
        visit.routing_reason,
        visit.account_id,
        visit.enrichment,
    )


Params = dict[str, Any]


class _CoreStatements:
    """The group's reads and writes as SQLAlchemy Core statements (PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def read(self, ids: list[str], with_visitors: bool) -> Sequence[Sequence[Any]]:
        statement = _READ_VISITS_AND_VISITORS if with_visitors else _READ_VISITS
        return (await self._session.execute(statement, {"ids": ids})).all()

    async def write(
        self,
        page_views: list[Params],
        counted: list[Params],
        both: list[Params],
        placed: list[Params],
    ) -> None:
        await visitors.insert_page_views(self._session, page_views)
        for statement, changes in (
            (_WRITE_COUNTS, counted),
            (_WRITE_BOTH, both),
            (_WRITE_PLACEMENTS, placed),
        ):
            if changes:
                await self._session.execute(statement, changes)


class _SqliteStatements:
    """The same statements sent to the session's own sqlite3 connection, inside its
    transaction: SQLAlchemy's per-statement machinery cost more than SQLite's own work here
    (as for chat messages, conversations/sql_sqlite.py). Values go in and come out through
    the columns' own bind and result processing, so they are stored exactly as the ORM stores
    them."""

    def __init__(self, connection: sqlite3.Connection, codec: _SqliteCodec) -> None:
        self._connection = connection
        self._codec = codec

    async def read(self, ids: list[str], with_visitors: bool) -> Sequence[Sequence[Any]]:
        codec = self._codec
        if not self._connection.in_transaction:
            # Read and written in one transaction; the write lock taken now, as an UPDATE
            # first would (a background writer is waited for, busy_timeout).
            self._connection.execute("BEGIN IMMEDIATE")
        sql = codec.read_with_visitors if with_visitors else codec.read_visits
        marks = ",".join("?" * len(ids))
        processors = codec.results if with_visitors else codec.results[:_SPLIT]
        return [
            [value if p is None else p(value) for p, value in zip(processors, row, strict=True)]
            for row in self._connection.execute(sql.format(marks), ids)
        ]

    async def write(
        self,
        page_views: list[Params],
        counted: list[Params],
        both: list[Params],
        placed: list[Params],
    ) -> None:
        codec = self._codec
        cursor = self._connection.cursor()
        try:
            if page_views:
                cursor.executemany(codec.insert_page_views, map(codec.page_view, page_views))
            if counted:
                cursor.executemany(codec.write_counts, map(codec.counts, counted))
            if both:
                cursor.executemany(codec.write_both, map(codec.both, both))
            if placed:
                cursor.executemany(codec.write_placements, map(codec.placement, placed))
        finally:
            cursor.close()


class _SqliteCodec:
    """The raw SQL and the columns' value processing for one SQLite dialect."""

    insert_page_views = (
        "INSERT INTO page_views (id, org_id, visitor_id, visit_id, url, title, referrer, "
        "viewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    # `+ n`, as _WRITE_COUNTS; then the placement, as _WRITE_PLACEMENTS.
    write_counts = (
        "UPDATE visits SET page_view_count = page_view_count + ?, last_seen_at = ? WHERE id = ?"
    )
    write_both = (
        "UPDATE visits SET page_view_count = page_view_count + ?, last_seen_at = ?, "
        "segment_id = ?, routed_rep_ids = ?, routing_reason = ?, account_id = ?, "
        "enrichment = ? WHERE id = ?"
    )
    write_placements = (
        "UPDATE visits SET segment_id = ?, routed_rep_ids = ?, routing_reason = ?, "
        "account_id = ?, enrichment = ? WHERE id = ?"
    )

    def __init__(self, dialect: Dialect) -> None:
        def bind(column: Column[Any]) -> Callable[[Any], Any]:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            return process if process is not None else _same

        columns = (*_VISIT_COLUMNS, *_VISITOR_COLUMNS)
        self.results: list[Callable[[Any], Any] | None] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        ]
        # Column names only (constants of this module), and "?" per id.
        names = ", ".join(f"{c.table.name}.{c.name}" for c in columns)
        visit_names = ", ".join(f"visits.{c.name}" for c in _VISIT_COLUMNS)
        self.read_visits = f"SELECT {visit_names} FROM visits WHERE visits.id IN ({{}})"  # noqa: S608
        self.read_with_visitors = (
            f"SELECT {names} FROM visits JOIN visitors ON visitors.id = visits.visitor_id "  # noqa: S608
            "WHERE visits.id IN ({})"
        )
        self._viewed_at = bind(_page_views.viewed_at)
        self._last_seen = bind(_visits.last_seen_at)
        self._routed = bind(_visits.routed_rep_ids)
        self._enrichment = bind(_visits.enrichment)

    def page_view(self, row: Params) -> tuple[Any, ...]:
        return (
            row["id"],
            row["org_id"],
            row["visitor_id"],
            row["visit_id"],
            row["url"],
            row["title"],
            row["referrer"],
            self._viewed_at(row["viewed_at"]),
        )

    def _count(self, params: Params) -> tuple[Any, ...]:
        return (params["b_views"], self._last_seen(params["b_now"]))

    def _placement(self, params: Params) -> tuple[Any, ...]:
        return (
            params["b_segment_id"],
            self._routed(params["b_routed_rep_ids"]),
            params["b_routing_reason"],
            params["b_account_id"],
            self._enrichment(params["b_enrichment"]),
        )

    def counts(self, params: Params) -> tuple[Any, ...]:
        return (*self._count(params), params["b_id"])

    def both(self, params: Params) -> tuple[Any, ...]:
        return (*self._count(params), *self._placement(params), params["b_id"])

    def placement(self, params: Params) -> tuple[Any, ...]:
        return (*self._placement(params), params["b_id"])


def _same(value: Any) -> Any:
    return value


# Per dialect (that is per engine: its JSON serializer is the engine's).
_codecs: weakref.WeakKeyDictionary[Dialect, _SqliteCodec] = weakref.WeakKeyDictionary()


async def _statements(session: AsyncSession) -> _CoreStatements | _SqliteStatements:
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return _CoreStatements(session)
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, InlineConnection):
        return _CoreStatements(session)
    codec = _codecs.get(dialect)
    if codec is None:
        codec = _codecs[dialect] = _SqliteCodec(dialect)
    return _SqliteStatements(driver.sqlite_connection, codec)


class PageViewWriter(GroupWriter[PageViewRequest, PageViewResult]):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self._runtime = runtime

    async def _write_group(self, group: list[PageViewRequest]) -> list[PageViewResult | Exception]:
        runtime = self._runtime
        async with runtime.db.transaction() as session:
            # visit id -> (views in this group, time of the last).
            counts: dict[str, tuple[int, datetime]] = {}
            for request in group:
                if request.tracked:
                    views, _ = counts.get(request.visit_id, (0, request.at))
                    counts[request.visit_id] = (views + 1, request.at)
            statements = await _statements(session)
            ids = list({request.visit_id for request in group})
            visits: dict[str, CardVisitRow] = {}
            visitor_rows: dict[str, CardVisitorRow] = {}
            # Placing needs the visitors too: one SELECT for both.
            with_visitors = any(r.placement is not None for r in group)
            for row in await statements.read(ids, with_visitors):
                visit = CardVisitRow(*row[:_SPLIT])
                visits[visit.id] = visit
                if with_visitors:
                    person = CardVisitorRow(*row[_SPLIT:])
                    visitor_rows[person.id] = person
            placing = [r for r in group if r.placement is not None and r.visit_id in visits]
            history = [
                r.visit_id
                for r in placing
                if r.placement is not None and r.placement.uses_pages and r.tracked
            ]
            pages = await visitors.pages_of_visits(session, history)
            # What each visit's placement was before this group: only the visits that end up
            # placed otherwise are written.
            stored = {r.visit_id: _placement_of(visits[r.visit_id]) for r in placing}

            # Each visit's count after each of its views in this group, in order.
            final = {
                visit_id: visit.page_view_count + counts.get(visit_id, (0, None))[0]
                for visit_id, visit in visits.items()
            }
            remaining = {visit_id: views for visit_id, (views, _) in counts.items()}
            rows: list[dict[str, object]] = []
            outcomes: list[PageViewResult | Exception] = []
            moved: list[tuple[int, Placed]] = []
            counted: list[int | None] = []
            directories: dict[str, RoutingDirectory] = {}
            for request in group:
                counted.append(None)  # as outcomes, one per request
                found = visits.get(request.visit_id)
                if found is None:
                    outcomes.append(
                        NotFound("visit not found")
                        if request.tracked
                        else PageViewResult(None, None)
                    )
                    continue
                visit = found
                count: int | None = None
                if request.tracked:
                    remaining[visit.id] -= 1
                    count = counted[-1] = final[visit.id] - remaining[visit.id]
                    rows.append(
                        {
                            "id": new_id(),
                            "org_id": visit.org_id,
                            "visitor_id": visit.visitor_id,
                            "visit_id": visit.id,
                            "url": request.page.url,
                            "title": request.page.title,
                            "referrer": request.page.referrer,
                            "viewed_at": request.at,
                        }
                    )
                    pages.setdefault(visit.id, []).append(request.page.url)
                data = request.placement
                visitor = visitor_rows.get(request.visitor_id)
                if data is None or visitor is None:
                    outcomes.append(PageViewResult(count, None))
                    continue
                if count is not None:
                    # Placed as of this view (a later view of the same visit may be in the
                    # group).
                    visit.page_view_count = count
                directory = directories.get(request.org.id)
                if directory is None and data.routes:
                    directory = directories[request.org.id] = await RoutingDirectory.load(
                        session, request.org.id
                    )
                placement = await place_visit(
                    session,
                    runtime.ip_directory,
                    visitor,
                    visit,
                    request.page.url,
                    request.at,
                    compiled=data.compiled,
                    segments=data.by_id,
                    index=data.index,
                    hold_routing=request.hold_routing,
                    pages=list(pages.get(visit.id, [])) if data.uses_pages else [],
                    ip=request.ip,
                    routing_directory=directory,
                )
                placed = Placed(placement.routed_rep_ids, placement.changed, None, None, None, None)
                if placement.changed:
                    moved.append((len(outcomes), placed))
                outcomes.append(PageViewResult(count, placed))
            for visit_id, visit in visits.items():
                visit.page_view_count = final[visit_id]
            counted_only: list[dict[str, object]] = []
            placed_only: list[dict[str, object]] = []
            both: list[dict[str, object]] = []
            for visit_id, visit in visits.items():
                before = stored.get(visit_id)
                placed_again = before is not None and _placement_of(visit) != before
                views, at = counts.get(visit_id, (0, None))
                if not placed_again:
                    if views:
                        counted_only.append({"b_id": visit_id, "b_views": views, "b_now": at})
                    continue
                params: dict[str, object] = {
                    "b_id": visit_id,
                    "b_segment_id": visit.segment_id,
                    "b_routed_rep_ids": visit.routed_rep_ids,
                    "b_routing_reason": visit.routing_reason,
                    "b_account_id": visit.account_id,
                    "b_enrichment": visit.enrichment,
                }
                if views:
                    both.append({**params, "b_views": views, "b_now": at})
                else:
                    placed_only.append(params)
            await statements.write(rows, counted_only, both, placed_only)
            if moved:
                # Their cards show their open chat: read only for the visitors whose tab knows
                # of one (it hears every change of their chat on the visitor's topic).
                chatting = {group[i].visitor_id for i, _ in moved if group[i].hold_routing}
                chats = await conversations.open_conversations_for_visitors(session, chatting)
                for i, placed in moved:
                    request = group[i]
                    visit = visits[request.visit_id]
                    data = request.placement
                    assert data is not None
                    outcomes[i] = PageViewResult(
                        counted[i],
                        Placed(
                            placed.routed_rep_ids,
                            True,
                            visitor_rows[request.visitor_id],
                            visit,
                            chats.get(request.visitor_id),
                            data.index.by_id.get(visit.account_id) if visit.account_id else None,
                        ),
                    )
        return outcomes


def page_view_writer(runtime: Runtime) -> PageViewWriter:
    return writer_of(runtime, PageViewWriter, lambda: PageViewWriter(runtime))


async def finish_pending_page_views(runtime: Runtime) -> None:
    """Shutdown: write the page views the group writer still holds before the database
    closes."""
    await finish_writer(runtime, PageViewWriter)
