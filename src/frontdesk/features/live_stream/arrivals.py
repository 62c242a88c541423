"""Arrivals written in groups: the hellos of many sockets share one transaction (issue 21).

After a restart or a deploy thousands of visitor sockets say hello within seconds. Written one
by one, each hello cost two or three transactions and five to eight statements, and a process
welcomed about 200 a second. Here the hellos that arrive in the same event-loop turn, or while
a group is being written, go out together in the next group, as visitor chat messages do
(conversations/group_writer.py):

- one statement per table for the whole group: the known visitors, their latest visits, their
  open chats, the pages of the visits that continue and their open invitations are read with
  one SELECT each; the new visitors, visits and page views are written with one INSERT each
  (executemany), and the visits and visitors that changed with one UPDATE each;
- visitors and visits are read and written with SQLAlchemy Core (prebuilt statements), not
  through the session: their rows are mapped objects outside any session, so no identity map,
  change history or flush (issue 21: with them, a returning visitor cost ~35 % more server
  CPU, a new one ~10 % more; bench/visitor_connects.py A/B). Counts go up in the
  database (`visit_count + n`, `page_view_count + n`), and a stored visit's placement columns
  are written only when placing it changed them ("moved"), one UPDATE for all of them;
- placement (segment, routing, company) is decided before the rows are written, so a new
  visit is stored already placed (no second transaction);
- nothing is acknowledged before its group commits. A group that fails as a whole is written
  again one hello at a time, so one bad row never fails the others.

A visitor whose row says blocked gets visitors.VisitorBlocked (only that hello).
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.core.ids import new_id
from frontdesk.features import conversations, proactive, visitors
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.grouped import GroupWriter, finish_writer, writer_of
from frontdesk.features.live_stream.placement import OrgSegments
from frontdesk.features.orgs.models import Org
from frontdesk.features.proactive.schemas import VisitorInvitation
from frontdesk.features.routing import RoutingDirectory
from frontdesk.features.segments import place_visit
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.runtime import Runtime

# A group is bounded so one transaction stays short even when thousands of hellos queue.
MAX_GROUP = 200


@dataclass(slots=True)
class ArrivalRequest:
    """One hello, as the tab hands it over."""

    org: Org
    placement: OrgSegments
    # The visitor the token names (`known`), or a fresh id for someone seen the first time.
    visitor_id: str
    known: bool
    # What may be stored (visitors.stored_ip), and the full address for enrichment.
    stored_ip: str | None
    ip: str | None
    user_agent: str | None
    page: visitors.PageInfo
    record_page_view: bool
    tracked: bool
    # The browser's language (visitors.language_tag), kept on a new visit.
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ArrivalResult:
    """What a hello's group wrote and read for it (rows detached, fully loaded)."""

    visitor: Visitor
    visit: Visit
    new_visitor: bool
    new_visit: bool
    routed_rep_ids: list[str]
    placement_changed: bool
    account: Account | None
    # The visitor's open chat and open invitations (none for a first-time visitor).
    conversation: Conversation | None
    invitations: list[VisitorInvitation]


class ArrivalWriter(GroupWriter[ArrivalRequest, ArrivalResult]):
    max_group = MAX_GROUP

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self._runtime = runtime

    async def arrive(self, request: ArrivalRequest) -> ArrivalResult:
        """Writes this hello with the others of its group; raises visitors.VisitorBlocked for
        a blocked visitor, or the error that failed this hello's own row."""
        return await self.submit(request)

    async def _write_group(self, group: list[ArrivalRequest]) -> list[ArrivalResult | Exception]:
        runtime = self._runtime
        now = runtime.clock.now()
        outcomes: list[ArrivalResult | Exception] = []
        async with runtime.db.transaction() as session:
            known_ids = {request.visitor_id for request in group if request.known}
            rows = await visitors.visitors_by_id(session, known_ids)
            present = [
                v.id
                for v in rows.values()
                if v.blocked_at is None
                and any(
                    request.visitor_id == v.id and request.org.id == v.org_id for request in group
                )
            ]
            latest = await visitors.latest_visit_rows(session, present) if present else {}
            chats = await conversations.open_conversations_for_visitors(session, present)
            invitations = await proactive.open_invitations_for_visitors(session, present, now)
            continuing = [v.id for v in latest.values() if visitors.visit_continues(v, now)]
            pages = await visitors.pages_of_visits(session, continuing)
            # Stored rows this group changes, written with one UPDATE each at the end (as the
            # ORM's flush did, only rows that changed): visitor id -> visits added, visit id ->
            # page views added, and the placements that changed.
            stored_visits = {v.id for v in latest.values()}
            visitors_seen: dict[str, int] = {}
            visits_seen: dict[str, int] = {}
            placed_before: dict[str, tuple[object, ...]] = {}

            new_visitors: list[Visitor] = []
            new_visits: list[Visit] = []
            page_views: list[dict[str, object]] = []
            directories: dict[str, RoutingDirectory] = {}
            for request in group:
                org = request.org
                visitor = rows.get(request.visitor_id) if request.known else None
                if visitor is not None and visitor.org_id != org.id:
                    visitor = None
                if visitor is not None and visitor.blocked_at is not None:
                    outcomes.append(visitors.VisitorBlocked("this visitor is blocked"))
                    continue
                new_visitor = visitor is None
                if visitor is None:
                    # A first visit (or a token whose visitor is gone): a new row.
                    visitor_id = new_id() if request.known else request.visitor_id
                    visitor = visitors.new_visitor(visitor_id, org.id, now)
                    new_visitors.append(visitor)
                elif visitor.last_seen_at != now:
                    visitors_seen.setdefault(visitor.id, 0)
                visit = None if new_visitor else latest.get(visitor.id)
                new_visit = not visitors.visit_continues(visit, now)
                if visit is None or new_visit:
                    visit = visitors.new_visit(
                        visitor,
                        now,
                        ip=request.stored_ip,
                        user_agent=request.user_agent,
                        page=request.page,
                        tracked=request.tracked,
                        language=request.language,
                    )
                    new_visits.append(visit)
                    # A second tab of the same visitor in this group continues this visit.
                    latest[visitor.id] = visit
                    pages[visit.id] = [visit.landing_url or request.page.url]
                    if not new_visitor:
                        visitor.visit_count += 1
                        visitors_seen[visitor.id] = visitors_seen.get(visitor.id, 0) + 1
                    if request.tracked:
                        page_views.append(visitors.page_view_row(visit, request.page, now))
                else:
                    stored = visit.id in stored_visits
                    if stored and visit.last_seen_at != now:
                        visits_seen.setdefault(visit.id, 0)
                    visit.last_seen_at = now
                    if request.record_page_view and request.tracked:
                        page_views.append(visitors.page_view_row(visit, request.page, now))
                        visit.page_view_count += 1
                        if stored:
                            visits_seen[visit.id] = visits_seen.get(visit.id, 0) + 1
                        pages.setdefault(visit.id, []).append(request.page.url)
                    if stored and visit.id not in placed_before:
                        placed_before[visit.id] = visitors.placement_of(visit)
                visitor.last_seen_at = now
                conversation = None if new_visitor else chats.get(visitor.id)
                data = request.placement
                directory = directories.get(org.id)
                if directory is None and _routes(data):
                    directory = directories[org.id] = await RoutingDirectory.load(session, org.id)
                placed = await place_visit(
                    session,
                    runtime.ip_directory,
                    visitor,
                    visit,
                    request.page.url,
                    now,
                    compiled=data.compiled,
                    segments=data.by_id,
                    index=data.index,
                    hold_routing=conversation is not None,
                    pages=list(pages.get(visit.id, [])),
                    ip=request.ip,
                    routing_directory=directory,
                )
                account = data.index.by_id.get(visit.account_id) if visit.account_id else None
                outcomes.append(
                    ArrivalResult(
                        visitor,
                        visit,
                        new_visitor,
                        new_visit,
                        placed.routed_rep_ids,
                        placed.changed,
                        account,
                        conversation,
                        [] if new_visitor else invitations.get(visitor.id, []),
                    )
                )
            # New rows with one INSERT per table; the stored rows that changed (visitors'
            # last_seen_at and visit_count, visits' last_seen_at and counts, the placements
            # that moved) with one UPDATE each.
            await visitors.insert_arrivals(session, new_visitors, new_visits, page_views)
            moved = [
                visit
                for visit in latest.values()
                if visit.id in placed_before
                and visitors.placement_of(visit) != placed_before[visit.id]
            ]
            await visitors.update_arrivals(session, now, visitors_seen, visits_seen, moved)
        return outcomes


def _routes(data: OrgSegments) -> bool:
    """Whether any of the org's segments routes by steps (routing reads the org's reps)."""
    return any((s.routing or {}).get("steps") for s in data.by_id.values())


def arrival_writer(runtime: Runtime) -> ArrivalWriter:
    return writer_of(runtime, ArrivalWriter, lambda: ArrivalWriter(runtime))


async def finish_pending_arrivals(runtime: Runtime) -> None:
    """Shutdown: write the hellos the group writer still holds before the database closes."""
    await finish_writer(runtime, ArrivalWriter)
