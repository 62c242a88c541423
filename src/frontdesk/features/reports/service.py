"""Reports: conversations, missed chats, response times, proactive engagement and
classification, per day (in the reader's time zone), per rep and in total.

Every figure is computed by SQL that runs the same on SQLite and PostgreSQL (docs/reports.md):
- days are the reader's local days, turned into UTC instants here (with the zone's rules,
  DST included) and joined as a small table of [lo, hi) ranges, so neither database converts
  time zones (SQLite cannot);
- percentiles are nearest-rank over whole seconds: the smallest value v such that at least
  p % of the values are <= v, found with window sums over a histogram (no percentile
  function, which SQLite lacks and PostgreSQL interpolates);
- averages are sums and counts of whole seconds, divided here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from frontdesk.core.errors import Forbidden, ValidationFailed
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.proactive.models import ProactiveEvent
from frontdesk.features.reports.schemas import (
    Channel,
    DayFigures,
    Figures,
    RepFigures,
    Report,
    ReportColumn,
)
from frontdesk.features.routing.models import Team, TeamMember
from frontdesk.features.segments.models import Segment
from frontdesk.storage.base import UTCDateTime

CHANNELS: tuple[Channel, ...] = ("inbound", "pounce", "invitation", "auto_pounce")
MAX_DAYS = 366
_ID = re.compile(r"^[0-9a-f]{32}$")

# Every figure, in the order the console's tables and the CSV show them.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("conversations_started", "Started", "Conversations started (every channel)"),
    ("started_inbound", "Inbound", "Chats visitors started"),
    ("started_pounce", "Pounce", "Chats reps started"),
    ("started_invitation", "Invitation", "Invitations the visitor answered"),
    ("started_auto_pounce", "Auto pounce", "Chats AI started for a rep"),
    ("conversations_answered", "Answered", "Chats where a rep wrote after the visitor"),
    ("missed", "Missed", "Inbound timeouts + queue timeouts + missed responses"),
    ("inbound_timeouts", "Inbound timeouts", "Reps were available; nobody accepted in time"),
    ("queue_timeouts", "Queue timeouts", "Nobody was available; it timed out in the queue"),
    ("missed_responses", "Missed responses", "Auto-pounce replies nobody answered in time"),
    ("first_response_median_seconds", "First response median (s)", "Nearest-rank median"),
    ("first_response_p90_seconds", "First response p90 (s)", "Nearest-rank 90th percentile"),
    ("average_length_seconds", "Avg length (s)", "Start to end of answered, ended chats"),
    ("pounces_sent", "Pounces", "Pounces sent"),
    ("pounce_replies", "Pounce replies", "Visitors who answered a pounce"),
    ("pounce_reply_rate", "Pounce reply rate", "Pounce replies / pounces"),
    ("invitations_sent", "Invitations", "Invitations sent"),
    ("invitation_replies", "Invitation replies", "Invitations answered"),
    ("invitation_reply_rate", "Invitation reply rate", "Invitation replies / invitations"),
    ("auto_pounces_sent", "Auto pounces", "Greetings AI sent for a rep"),
    ("auto_pounce_replies", "Auto-pounce replies", "Visitors who answered an auto pounce"),
    ("auto_pounce_reply_rate", "Auto-pounce reply rate", "Replies / auto pounces"),
    ("qualified", "Qualified", "Chats classified as qualified"),
    ("deal_value", "Deal value", "Sum of deal values classified"),
    ("calls", "Calls", "Not available yet"),
    ("meetings_booked", "Meetings", "Not available yet"),
)


# ---- the request ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone name such as Europe/Paris (refused with a clear message otherwise)."""
    if not name or len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise ValidationFailed(f"{name!r} is not a time zone name like Europe/Paris")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from None


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date like 2026-12-31, not {value!r}") from None


@dataclass(frozen=True)
class ReportRequest:
    start: date
    end: date
    zone: str
    rep_id: str | None = None
    team_id: str | None = None
    segment_id: str | None = None
    channel: Channel | None = None

    def check(self) -> ZoneInfo:
        zone = parse_zone(self.zone)
        if self.end < self.start:
            raise ValidationFailed("end must be on or after start")
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise ValidationFailed(f"a report covers at most {MAX_DAYS} days")
        for name in ("rep_id", "team_id", "segment_id"):
            value = getattr(self, name)
            if value is not None and not _ID.match(value):
                raise ValidationFailed(f"{name} must be a 32-character id")
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValidationFailed(f"channel must be one of {', '.join(CHANNELS)}")
        return zone


def day_ranges(start: date, end: date, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    """Each local day from start to end with the UTC instants it starts and ends at. A day
    the clocks change on is 23 or 25 hours long; where midnight does not exist, the day
    starts at its first existing instant (zoneinfo's fold=0)."""
    days = []
    day = start
    while day <= end:
        lo = datetime.combine(day, time(), zone).astimezone(UTC)
        hi = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        days.append((day, lo, hi))
        day += timedelta(days=1)
    return days


@dataclass
class Scope:
    """Whose figures: None is everyone; a list is these reps (maybe none)."""

    rep_ids: list[str] | None
    names: dict[str, str]


async def resolve_scope(
    session: AsyncSession, actor: Authenticated, request: ReportRequest
) -> Scope:
    """Admins see every rep; a rep sees only their own figures (asking for another rep's is
    refused). The rep, team and segment must be the org's."""
    org_id = actor.org_id
    names = {
        rep_id: name
        for rep_id, name in (
            await session.execute(select(Rep.id, Rep.name).where(Rep.org_id == org_id))
        ).all()
    }
    if request.rep_id is not None and request.rep_id not in names:
        raise ValidationFailed("unknown rep: no rep of your org has this id")
    if not actor.is_admin and request.rep_id not in (None, actor.rep.id):
        raise Forbidden("reps can see only their own report")
    rep_ids: list[str] | None = None
    if request.rep_id is not None:
        rep_ids = [request.rep_id]
    elif not actor.is_admin:
        rep_ids = [actor.rep.id]
    if request.team_id is not None:
        team = await session.get(Team, request.team_id)
        if team is None or team.org_id != org_id:
            raise ValidationFailed("unknown team: no team of your org has this id")
        members = [
            r
            for (r,) in (
                await session.execute(
                    select(TeamMember.rep_id).where(TeamMember.team_id == request.team_id)
                )
            ).all()
        ]
        rep_ids = sorted(members if rep_ids is None else set(rep_ids) & set(members))
    if request.segment_id is not None:
        segment = await session.get(Segment, request.segment_id)
        if segment is None or segment.org_id != org_id:
            raise ValidationFailed("unknown segment: no segment of your org has this id")
    return Scope(rep_ids, names)


# ---- SQL -----------------------------------------------------------------------------------


def days_table(days: Sequence[tuple[date, datetime, datetime]], dialect: str) -> CTE:
    """The days as a table (day number from 0, lo, hi) to join rows on `lo <= at < hi`,
    from one parameter (a UNION of a SELECT per day cost more to compile and plan than the
    report itself): two arrays unnested on PostgreSQL, a JSON array on SQLite, written in
    the format SQLite stores timestamps in."""
    columns = (column("day", Integer), column("lo", UTCDateTime()), column("hi", UTCDateTime()))
    if dialect == "postgresql":
        statement = text(
            "SELECT CAST(d.day - 1 AS INTEGER) AS day, d.lo, d.hi"
            " FROM unnest(:los, :his) WITH ORDINALITY AS d(lo, hi, day)"
        ).bindparams(
            bindparam("los", [lo for _, lo, _ in days], type_=ARRAY(DateTime(timezone=True))),
            bindparam("his", [hi for _, _, hi in days], type_=ARRAY(DateTime(timezone=True))),
        )
    else:
        stored = "%Y-%m-%d %H:%M:%S.%f"
        statement = text(
            "SELECT CAST(key AS INTEGER) AS day, json_extract(value, '$[0]') AS lo,"
            " json_extract(value, '$[1]') AS hi FROM json_each(:days)"
        ).bindparams(
            days=json.dumps(
                [
                    [lo.astimezone(UTC).strftime(stored), hi.astimezone(UTC).strftime(stored)]
                    for _, lo, hi in days
                ]
            )
        )
    return statement.columns(*columns).cte("days")


def _routed_to_any(rep_ids: Iterable[str]) -> ColumnElement[bool]:
    # routed_rep_ids is a JSON list of 32-hex ids: the quoted id appears in its text exactly
    # when it is in the list, on both databases (no wildcard can occur in an id).
    text = cast(Conversation.routed_rep_ids, Text)
    return or_(false(), *[text.like(f'%"{rep_id}"%') for rep_id in rep_ids])


def _conversation_filters(
    org_id: str, request: ReportRequest, scope: Scope
) -> list[ColumnElement[bool]]:
    c = Conversation
    filters: list[ColumnElement[bool]] = [c.org_id == org_id]
    if request.channel is not None:
        filters.append(c.origin == request.channel)
    if request.segment_id is not None:
        filters.append(c.segment_id == request.segment_id)
    if scope.rep_ids is not None:
        if not scope.rep_ids:
            filters.append(false())
        else:
            # A rep's chats: the ones they own, and the missed ones routed to them.
            filters.append(
                or_(
                    c.owner_rep_id.in_(scope.rep_ids),
                    and_(c.owner_rep_id.is_(None), _routed_to_any(scope.rep_ids)),
                )
            )
    return filters


def _conversation_counts(days: CTE, filters: list[ColumnElement[bool]]) -> Select[Any]:
    c = Conversation
    answered = c.first_response_seconds.is_not(None)
    return (
        select(
            days.c.day,
            c.owner_rep_id,
            c.origin,
            func.count().label("started"),
            func.count(c.first_response_seconds).label("answered"),
            func.sum(case((c.missed_kind == "inbound_timeout", 1), else_=0)).label("inbound"),
            func.sum(case((c.missed_kind == "queue_timeout", 1), else_=0)).label("queue"),
            func.sum(case((c.qualified.is_(True), 1), else_=0)).label("qualified"),
            func.sum(c.deal_value).label("deal_value"),
            func.count(case((answered, c.length_seconds))).label("length_n"),
            func.sum(case((answered, c.length_seconds))).label("length_sum"),
        )
        .select_from(days)
        .join(c, and_(c.created_at >= days.c.lo, c.created_at < days.c.hi))
        .where(*filters)
        .group_by(days.c.day, c.owner_rep_id, c.origin)
    )


def _percentile_query(days: CTE, filters: list[ColumnElement[bool]]) -> Select[Any]:
    """First response median and p90 per day, per rep and over the range, in one statement
    over one scan: a histogram per (day, rep, seconds), summed three ways, then the nearest
    rank found with window sums. Rows: (day, rep_id, p50, p90) with day set for a day's row,
    rep_id for a rep's (NULL for chats nobody owns), and `everything` for the range's."""
    c = Conversation
    seconds = c.first_response_seconds
    histogram = (
        select(
            days.c.day.label("day"),
            c.owner_rep_id.label("rep_id"),
            seconds.label("s"),
            func.count().label("n"),
        )
        .select_from(days)
        .join(c, and_(c.created_at >= days.c.lo, c.created_at < days.c.hi))
        .where(*filters, seconds.is_not(None))
        .group_by(days.c.day, c.owner_rep_id, seconds)
        .cte("frt_histogram")
    )

    def nearest_rank(key: str | None, name: str) -> Select[Any]:
        keys = [histogram.c[key]] if key else []
        merged = (
            select(*keys, histogram.c.s, func.sum(histogram.c.n).label("n"))
            .group_by(*keys, histogram.c.s)
            .subquery(f"{name}_merged")
        )
        partition = [merged.c[key]] if key else None
        ranked = select(
            *([merged.c[key]] if key else []),
            merged.c.s,
            func.sum(merged.c.n)
            .over(partition_by=partition, order_by=merged.c.s, rows=(None, 0))
            .label("cum"),
            func.sum(merged.c.n).over(partition_by=partition).label("total"),
        ).subquery(f"{name}_ranked")
        day = ranked.c.day if key == "day" else literal(None, Integer)
        rep = ranked.c.rep_id if key == "rep_id" else literal(None, String(32))
        return select(
            literal(name, String(8)).label("kind"),
            day.label("day"),
            rep.label("rep_id"),
            func.min(case((ranked.c.cum * 100 >= ranked.c.total * 50, ranked.c.s))).label("p50"),
            func.min(case((ranked.c.cum * 100 >= ranked.c.total * 90, ranked.c.s))).label("p90"),
        ).group_by(*([ranked.c[key]] if key else []))

    return union_all(
        nearest_rank("day", "day"), nearest_rank("rep_id", "rep"), nearest_rank(None, "all")
    )  # type: ignore[return-value]


def _missed_by_routed_rep(
    dialect: str, lo: datetime, hi: datetime, filters: list[ColumnElement[bool]], scope: Scope
) -> Select[Any]:
    """Missed inbound chats per rep they were routed to (a chat routed to three reps is
    missed by each of them)."""
    c = Conversation
    if dialect == "postgresql":
        routed = func.json_array_elements_text(c.routed_rep_ids).table_valued("value").lateral()
    else:
        routed = func.json_each(c.routed_rep_ids).table_valued("value")
    query = (
        select(
            routed.c.value.label("rep_id"),
            func.sum(case((c.missed_kind == "inbound_timeout", 1), else_=0)).label("inbound"),
            func.sum(case((c.missed_kind == "queue_timeout", 1), else_=0)).label("queue"),
        )
        .select_from(c)
        .join(routed, true())
        .where(*filters, c.created_at >= lo, c.created_at < hi, c.missed_kind.is_not(None))
        .group_by(routed.c.value)
    )
    if scope.rep_ids is not None:
        query = query.where(routed.c.value.in_(scope.rep_ids or [""]))
    return query


def _event_counts(org_id: str, days: CTE, request: ReportRequest, scope: Scope) -> Select[Any]:
    e = ProactiveEvent
    query = (
        select(days.c.day, e.rep_id, e.kind, e.channel, func.count().label("n"))
        .select_from(days)
        .join(e, and_(e.at >= days.c.lo, e.at < days.c.hi))
        .where(
            e.org_id == org_id,
            e.kind.in_(("pounce", "invitation_sent", "auto_pounce", "reply", "missed_response")),
        )
        .group_by(days.c.day, e.rep_id, e.kind, e.channel)
    )
    if request.channel is not None:
        query = query.where(e.channel == request.channel)
    if request.segment_id is not None:
        query = query.where(e.segment_id == request.segment_id)
    if scope.rep_ids is not None:
        query = query.where(e.rep_id.in_(scope.rep_ids or [""]))
    return query


# ---- putting the figures together ----------------------------------------------------------


@dataclass
class _Tally:
    started: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    answered: int = 0
    inbound_timeouts: int = 0
    queue_timeouts: int = 0
    missed_responses: int = 0
    qualified: int = 0
    deal_value: float = 0.0
    length_n: int = 0
    length_sum: int = 0
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    replies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    p50: int | None = None
    p90: int | None = None
    seen: bool = False

    def add_conversations(self, origin: str, row: Any) -> None:
        self.seen = True
        if origin in self.started:
            self.started[origin] += int(row.started)
        self.answered += int(row.answered)
        self.inbound_timeouts += int(row.inbound or 0)
        self.queue_timeouts += int(row.queue or 0)
        self.qualified += int(row.qualified or 0)
        self.deal_value += float(row.deal_value or 0.0)
        self.length_n += int(row.length_n)
        self.length_sum += int(row.length_sum or 0)

    def add_event(self, kind: str, channel: str | None, n: int) -> None:
        self.seen = True
        if kind == "missed_response":
            self.missed_responses += n
        elif kind == "reply":
            if channel in self.replies:
                self.replies[channel] += n
        elif kind in ("pounce", "invitation_sent", "auto_pounce"):
            self.sent[{"invitation_sent": "invitation"}.get(kind, kind)] += n

    def figures(self) -> dict[str, Any]:
        def rate(channel: str) -> float | None:
            sent = self.sent[channel]
            return round(self.replies[channel] / sent, 4) if sent else None

        return {
            "conversations_started": sum(self.started.values()),
            "started_inbound": self.started["inbound"],
            "started_pounce": self.started["pounce"],
            "started_invitation": self.started["invitation"],
            "started_auto_pounce": self.started["auto_pounce"],
            "conversations_answered": self.answered,
            "missed": self.inbound_timeouts + self.queue_timeouts + self.missed_responses,
            "inbound_timeouts": self.inbound_timeouts,
            "queue_timeouts": self.queue_timeouts,
            "missed_responses": self.missed_responses,
            "first_response_median_seconds": self.p50,
            "first_response_p90_seconds": self.p90,
            "average_length_seconds": (
                round(self.length_sum / self.length_n, 1) if self.length_n else None
            ),
            "pounces_sent": self.sent["pounce"],
            "pounce_replies": self.replies["pounce"],
            "pounce_reply_rate": rate("pounce"),
            "invitations_sent": self.sent["invitation"],
            "invitation_replies": self.replies["invitation"],
            "invitation_reply_rate": rate("invitation"),
            "auto_pounces_sent": self.sent["auto_pounce"],
            "auto_pounce_replies": self.replies["auto_pounce"],
            "auto_pounce_reply_rate": rate("auto_pounce"),
            "qualified": self.qualified,
            "deal_value": round(self.deal_value, 2),
            "calls": None,
            "meetings_booked": None,
        }


async def build_report(
    session: AsyncSession, actor: Authenticated, request: ReportRequest
) -> Report:
    zone = request.check()
    scope = await resolve_scope(session, actor, request)
    days = day_ranges(request.start, request.end, zone)
    dialect = session.bind.dialect.name
    org_id = actor.org_id
    filters = _conversation_filters(org_id, request, scope)
    day_table = days_table(days, dialect)

    per_day = [_Tally() for _ in days]
    per_rep: dict[str, _Tally] = defaultdict(_Tally)
    total = _Tally()

    for row in (await session.execute(_conversation_counts(day_table, filters))).all():
        per_day[row.day].add_conversations(row.origin, row)
        total.add_conversations(row.origin, row)
        if row.owner_rep_id is not None:
            # Missed chats have no owner; per rep they are counted by routing, below.
            per_rep[row.owner_rep_id].add_conversations(row.origin, row)
    missed = _missed_by_routed_rep(dialect, days[0][1], days[-1][2], filters, scope)
    for row in (await session.execute(missed)).all():
        tally = per_rep[row.rep_id]
        tally.seen = True
        tally.inbound_timeouts += int(row.inbound or 0)
        tally.queue_timeouts += int(row.queue or 0)
    for row in (await session.execute(_percentile_query(day_table, filters))).all():
        if row.kind == "day":
            per_day[row.day].p50, per_day[row.day].p90 = row.p50, row.p90
        elif row.kind == "rep" and row.rep_id is not None:
            per_rep[row.rep_id].p50, per_rep[row.rep_id].p90 = row.p50, row.p90
        elif row.kind == "all":
            total.p50, total.p90 = row.p50, row.p90
    for row in (await session.execute(_event_counts(org_id, day_table, request, scope))).all():
        per_day[row.day].add_event(row.kind, row.channel, int(row.n))
        total.add_event(row.kind, row.channel, int(row.n))
        if row.rep_id is not None:
            per_rep[row.rep_id].add_event(row.kind, row.channel, int(row.n))

    if not actor.is_admin:
        per_rep.setdefault(actor.rep.id, _Tally())
    shown = [
        rep_id
        for rep_id in per_rep
        if rep_id in scope.names and (scope.rep_ids is None or rep_id in scope.rep_ids)
    ]
    shown.sort(key=lambda rep_id: (scope.names[rep_id].lower(), rep_id))
    return Report(
        start=request.start.isoformat(),
        end=request.end.isoformat(),
        zone=request.zone,
        rep_id=request.rep_id,
        team_id=request.team_id,
        segment_id=request.segment_id,
        channel=request.channel,
        columns=[ReportColumn(key=k, label=label, description=d) for k, label, d in COLUMNS],
        days=[
            DayFigures(date=day.isoformat(), **tally.figures())
            for (day, _, _), tally in zip(days, per_day, strict=True)
        ],
        totals=Figures(**total.figures()),
        reps=[
            RepFigures(rep_id=rep_id, rep_name=scope.names[rep_id], **per_rep[rep_id].figures())
            for rep_id in shown
        ],
    )


# ---- CSV -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def report_csv(report: Report, table: Literal["days", "reps"]) -> str:
    """The table the console shows under the charts, as CSV: the same rows and columns, the
    column headers as labelled there, then a Total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = [column.key for column in report.columns]
    first = "Date" if table == "days" else "Rep"
    writer.writerow([first, *[column.label for column in report.columns]])
    rows: Sequence[Figures] = report.days if table == "days" else report.reps
    for row in rows:
        name = row.date if isinstance(row, DayFigures) else row.rep_name  # type: ignore[attr-defined]
        data = row.model_dump()
        writer.writerow([_csv_safe(name), *[_cell(data[k]) for k in keys]])
    totals = report.totals.model_dump()
    writer.writerow(["Total", *[_cell(totals[k]) for k in keys]])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A rep's name starting with = + - @ would be a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
