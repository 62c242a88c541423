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
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from frontdesk.core.errors import Forbidden, ValidationFailed
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.meetings.models import Meeting
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.proactive.models import ProactiveEvent
from frontdesk.features.reports import rollups
from frontdesk.features.reports.models import (
    ReportBlockResponses,
    ReportDayChats,
    ReportDayEvents,
    ReportDayResponses,
)
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
    ("calls", "Calls", "Voice and video calls placed (either side)"),
    ("calls_connected", "Calls connected", "Calls where media flowed"),
    ("call_average_seconds", "Avg call (s)", "Connected to ended, over connected calls"),
    ("calls_ended_by_rep", "Ended by rep", "Calls the rep hung up"),
    ("calls_ended_by_visitor", "Ended by visitor", "Calls the visitor hung up"),
    ("calls_declined", "Declined", "Calls the other side declined"),
    ("calls_missed", "Missed calls", "Calls nobody answered in time"),
    ("calls_failed", "Failed calls", "Calls that failed or were blocked"),
    ("meetings_booked", "Meetings", "Meetings booked (by the day they were booked)"),
    ("meetings_cancelled", "Cancelled", "Of those, cancelled since"),
    ("csat_ratings", "Ratings", "Chats the visitor rated after they ended (CSAT)"),
    ("csat_rate", "CSAT", "Satisfied ratings / ratings: good of three, 4-5 of five"),
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
    """Admins and team leads see every rep (any rep or team filter); a rep sees only their
    own figures (asking for another rep's is refused). The rep, team and segment must be the
    org's. The role is read with the session on every request, so a lead who is made a rep
    again is refused at their next request."""
    org_id = actor.org_id
    names = {
        rep_id: name
        for rep_id, name in (
            await session.execute(select(Rep.id, Rep.name).where(Rep.org_id == org_id))
        ).all()
    }
    if request.rep_id is not None and request.rep_id not in names:
        raise ValidationFailed("unknown rep: no rep of your org has this id")
    if not actor.sees_every_rep and request.rep_id not in (None, actor.rep.id):
        raise Forbidden("reps can see only their own report; admins and team leads see every rep")
    rep_ids: list[str] | None = None
    if request.rep_id is not None:
        rep_ids = [request.rep_id]
    elif not actor.sees_every_rep:
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


@dataclass(frozen=True)
class LocalDays:
    """The report's days as SQL can number them without a time-zone function (SQLite has
    none): an instant's local day is floor((unix seconds + the zone's UTC offset then) /
    86400), and the offset changes only at the zone's transitions, a few a year, found here.
    `first` is the number of the range's first day; `lo`/`hi` bound the range in UTC."""

    first: int
    lo: datetime
    hi: datetime
    # (until, offset seconds): the offset applies before `until`; the last one has none.
    segments: tuple[tuple[datetime | None, int], ...]


def _offset(at: datetime, zone: ZoneInfo) -> int:
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_days(days: Sequence[tuple[date, datetime, datetime]], zone: ZoneInfo) -> LocalDays:
    segments: list[tuple[datetime | None, int]] = []
    current = _offset(days[0][1], zone)
    for _, lo, hi in days:
        after = _offset(hi, zone)
        if after == current:
            continue
        # A transition inside this day: the first second with the new offset (bisection).
        low, high = int(lo.timestamp()), int(hi.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(datetime.fromtimestamp(middle, UTC), zone) == after:
                high = middle
            else:
                low = middle
        segments.append((datetime.fromtimestamp(high, UTC), current))
        current = after
    segments.append((None, current))
    return LocalDays(
        first=(days[0][0] - date(1970, 1, 1)).days,
        lo=days[0][1],
        hi=days[-1][2],
        segments=tuple(segments),
    )


def local_day(
    at: ColumnElement[datetime] | InstrumentedAttribute[datetime], dialect: str, days: LocalDays
) -> ColumnElement[int]:
    """The number of the local day an instant falls on, minus the first day's (0 = start)."""
    if dialect == "postgresql":
        epoch: ColumnElement[int] = cast(func.floor(extract("epoch", at)), BigInteger)
    else:
        epoch = cast(func.strftime("%s", at), BigInteger)
    if len(days.segments) == 1:
        offset: ColumnElement[int] = literal(days.segments[0][1], BigInteger)
    else:
        offset = case(
            *[
                (at < literal(until, UTCDateTime()), literal(seconds, BigInteger))
                for until, seconds in days.segments[:-1]
            ],
            else_=literal(days.segments[-1][1], BigInteger),
        )
    return (epoch + offset) // 86400 - days.first


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


def _rating_field(dialect: str, name: str) -> ColumnElement[int]:
    """`meta.csat.<name>` (an integer) of a conversation, null when it was not rated. Ratings
    live on the chat (features/csat says why), so SQL reads them with the dialect's JSON
    function, which both databases have."""
    c = Conversation
    if dialect == "postgresql":
        return cast(func.json_extract_path_text(c.meta, "csat", name), Integer)
    return cast(func.json_extract(c.meta, f"$.csat.{name}"), Integer)


def _conversation_counts(
    days: LocalDays, dialect: str, filters: list[ColumnElement[bool]], when: ColumnElement[bool]
) -> Select[Any]:
    c = Conversation
    answered = c.first_response_seconds.is_not(None)
    day = local_day(c.created_at, dialect, days).label("day")
    score, scale = _rating_field(dialect, "score"), _rating_field(dialect, "scale")
    return (
        select(
            day,
            c.owner_rep_id.label("rep_id"),
            c.origin,
            func.count().label("started"),
            func.count(c.first_response_seconds).label("answered"),
            func.sum(case((c.missed_kind == "inbound_timeout", 1), else_=0)).label("inbound"),
            func.sum(case((c.missed_kind == "queue_timeout", 1), else_=0)).label("queue"),
            func.sum(case((c.qualified.is_(True), 1), else_=0)).label("qualified"),
            func.sum(c.deal_value).label("deal_value"),
            func.count(case((answered, c.length_seconds))).label("length_n"),
            func.sum(case((answered, c.length_seconds))).label("length_sum"),
            func.count(score).label("csat_n"),
            # satisfied: csat.is_satisfied in SQL
            func.sum(case((score * 5 >= scale * 4, 1), else_=0)).label("csat_satisfied"),
        )
        .where(*filters, when)
        .group_by(day, c.owner_rep_id, c.origin)
    )


def _percentile_query(
    days: LocalDays,
    dialect: str,
    filters: list[ColumnElement[bool]],
    plan: rollups.Plan,
    rolled: list[ColumnElement[bool]],
    org_id: str,
    unfiltered: bool,
) -> Select[Any]:
    """First response histograms per day and per rep, in one statement: a histogram per
    (day, rep, seconds) from the chats (raw days) and the rollups (rolled-up days), merged per
    day and per rep into "seconds:count" lists. Rows: (kind, day, rep_id, pairs) with day set
    for a day's row and rep_id for a rep's (NULL for chats nobody owns); the range's histogram
    is the sum of the reps'. nearest_ranks() then finds the median and p90.

    Unfiltered, a rolled-up day's median and p90 are stored with it (plan.answers), so only
    the raw days get a day row, and the reps' histograms sum whole blocks of days
    (report_block_responses) where the report covers them, and day rows elsewhere."""
    c = Conversation
    seconds = c.first_response_seconds
    day = local_day(c.created_at, dialect, days).label("day")
    raw: list[Select[Any]] = []
    if plan.raw_runs:
        raw.append(
            select(day, c.owner_rep_id.label("rep_id"), seconds.label("s"), func.count().label("n"))
            .where(
                *filters,
                rollups.in_raw_runs(c.created_at, plan.raw_runs),
                seconds.is_not(None),
            )
            .group_by(day, c.owner_rep_id, seconds)
        )
    r = ReportDayResponses

    def rolled_days(runs: Sequence[tuple[int, int, int]]) -> list[Select[Any]]:
        if not runs:
            return []
        # Rows as stored (merged per day and per rep below, not here).
        return [
            select(
                (r.day - days.first).label("day"),
                func.nullif(r.owner_rep_id, "").label("rep_id"),
                r.seconds.label("s"),
                r.n.label("n"),
            ).where(rollups.in_rollup_runs(r, org_id, runs), *rolled)
        ]

    if not unfiltered:
        day_parts = rep_parts = raw + rolled_days(plan.rollup_runs)
    else:
        day_parts = raw
        rep_parts = raw + rolled_days(plan.runs_outside_blocks())
        if plan.blocks:
            b = ReportBlockResponses
            rep_parts.append(
                select(
                    literal(None, Integer).label("day"),
                    func.nullif(b.owner_rep_id, "").label("rep_id"),
                    b.seconds.label("s"),
                    b.n.label("n"),
                ).where(
                    b.org_id == org_id,
                    or_(
                        false(),
                        *[and_(b.offset_minutes == o, b.block == k) for o, k in plan.blocks],
                    ),
                )
            )

    # Each day's and each rep's histogram as one "seconds:count,..." text (string_agg on
    # PostgreSQL, group_concat on SQLite): the nearest ranks are found in Python, which costs
    # far less than window sums over a row per (day, seconds) on either database.
    shared = (
        _union(day_parts).cte("frt_histogram") if day_parts is rep_parts and day_parts else None
    )

    def pairs(key: str, parts: list[Select[Any]]) -> Select[Any] | None:
        if not parts:
            return None
        # Filtered, both groupings read the same rows: once, as a CTE.
        histogram = shared if shared is not None else _union(parts).subquery(f"{key}_histogram")
        merged = (
            select(histogram.c[key], histogram.c.s, func.sum(histogram.c.n).label("n"))
            .group_by(histogram.c[key], histogram.c.s)
            .subquery(f"{key}_merged")
        )
        pair = cast(merged.c.s, Text) + ":" + cast(merged.c.n, Text)
        joined = (
            func.string_agg(pair, literal(","))
            if dialect == "postgresql"
            else func.group_concat(pair, literal(","))
        )
        return select(
            literal(key, String(8)).label("kind"),
            (merged.c.day if key == "day" else literal(None, Integer)).label("day"),
            (merged.c.rep_id if key == "rep_id" else literal(None, String(32))).label("rep_id"),
            joined.label("pairs"),
        ).group_by(merged.c[key])

    selects = [q for q in (pairs("day", day_parts), pairs("rep_id", rep_parts)) if q is not None]
    if not selects:  # nothing to read: a statement with no rows
        return select(
            literal("day", String(8)).label("kind"),
            literal(None, Integer).label("day"),
            literal(None, String(32)).label("rep_id"),
            literal(None, Text).label("pairs"),
        ).where(false())
    return _union(selects)  # type: ignore[no-any-return]


def _histogram(text: str | None) -> list[tuple[int, int]]:
    if not text:
        return []
    out = []
    for pair in text.split(","):
        seconds, _, n = pair.partition(":")
        out.append((int(seconds), int(float(n))))
    return out


def nearest_ranks(histogram: Iterable[tuple[int, int]]) -> tuple[int | None, int | None]:
    """Nearest-rank median and p90 of a histogram of (seconds, count): the smallest value v
    such that at least 50 % (90 %) of the values are <= v."""
    ordered = sorted(histogram)
    total = sum(n for _, n in ordered)
    if not total:
        return None, None
    p50 = p90 = None
    running = 0
    for seconds, n in ordered:
        running += n
        if p50 is None and running * 100 >= total * 50:
            p50 = seconds
        if running * 100 >= total * 90:
            p90 = seconds
            break
    return p50, p90


def _three_ways(base: Select[Any], group: str, measures: list[str]) -> Any:
    """`base` grouped by (day, rep_id, group) summed again per day, per rep and over the
    range, in SQL: rows (kind, day, rep_id, group, measures...), a few per day and rep
    whatever the number of rows underneath (Python then adds up a few thousand rows, not
    one per day, rep and channel)."""
    rows = base.cte(f"by_{group}")

    def way(kind: str, day: bool, rep: bool) -> Select[Any]:
        keys = [rows.c.day] if day else []
        keys += [rows.c.rep_id] if rep else []
        return select(
            literal(kind, String(8)).label("kind"),
            (rows.c.day if day else literal(None, Integer)).label("day"),
            (rows.c.rep_id if rep else literal(None, String(32))).label("rep_id"),
            rows.c[group],
            *[func.sum(rows.c[m]).label(m) for m in measures],
        ).group_by(*keys, rows.c[group])

    return union_all(way("day", True, False), way("rep", False, True), way("all", False, False))


def _missed_by_routed_rep(
    dialect: str, when: ColumnElement[bool], filters: list[ColumnElement[bool]], scope: Scope
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
        .where(*filters, when, c.missed_kind.is_not(None))
        .group_by(routed.c.value)
    )
    if scope.rep_ids is not None:
        query = query.where(routed.c.value.in_(scope.rep_ids or [""]))
    return query


def _event_counts(
    org_id: str,
    days: LocalDays,
    dialect: str,
    request: ReportRequest,
    scope: Scope,
    runs: Sequence[tuple[datetime, datetime]],
) -> Select[Any]:
    e = ProactiveEvent
    day = local_day(e.at, dialect, days).label("day")
    kind_channel = (e.kind + ":" + func.coalesce(e.channel, "")).label("kind_channel")
    query = (
        select(day, e.rep_id, kind_channel, func.count().label("n"))
        .where(
            e.org_id == org_id,
            rollups.in_raw_runs(e.at, runs),
            e.kind.in_(("pounce", "invitation_sent", "auto_pounce", "reply", "missed_response")),
        )
        .group_by(day, e.rep_id, kind_channel)
    )
    if request.channel is not None:
        query = query.where(e.channel == request.channel)
    if request.segment_id is not None:
        query = query.where(e.segment_id == request.segment_id)
    if scope.rep_ids is not None:
        query = query.where(e.rep_id.in_(scope.rep_ids or [""]))
    return query


# ---- the same from rollups (rollups.py): whole local days under one offset ----------------


def _rollup_filters(
    table: Any, request: ReportRequest, scope: Scope, *, chats: bool
) -> list[ColumnElement[bool]]:
    """_conversation_filters (chats) or _event_counts' filters (events) on rollup rows, where
    an empty string stands for none."""
    filters: list[ColumnElement[bool]] = []
    if request.channel is not None:
        filters.append((table.origin if chats else table.channel) == request.channel)
    if request.segment_id is not None:
        filters.append(table.segment_id == request.segment_id)
    if scope.rep_ids is not None:
        if not scope.rep_ids:
            filters.append(false())
        elif chats:
            routed = or_(false(), *[table.routed_key.like(f'%"{r}"%') for r in scope.rep_ids])
            filters.append(
                or_(
                    table.owner_rep_id.in_(scope.rep_ids),
                    and_(table.owner_rep_id == "", routed),
                )
            )
        else:
            filters.append(table.rep_id.in_(scope.rep_ids))
    return filters


def _rollup_counts(
    days: LocalDays, org_id: str, plan: rollups.Plan, filters: list[ColumnElement[bool]]
) -> Select[Any]:
    r = ReportDayChats
    return (
        select(
            (r.day - days.first).label("day"),
            func.nullif(r.owner_rep_id, "").label("rep_id"),
            r.origin,
            func.sum(r.started).label("started"),
            func.sum(r.answered).label("answered"),
            func.sum(r.inbound).label("inbound"),
            func.sum(r.queue).label("queue"),
            func.sum(r.qualified).label("qualified"),
            func.sum(r.deal_value).label("deal_value"),
            func.sum(r.length_n).label("length_n"),
            func.sum(r.length_sum).label("length_sum"),
            func.sum(r.csat_n).label("csat_n"),
            func.sum(r.csat_satisfied).label("csat_satisfied"),
        )
        .where(rollups.in_rollup_runs(r, org_id, plan.rollup_runs), *filters)
        .group_by(r.day, r.owner_rep_id, r.origin)
    )


def _rollup_missed(
    dialect: str, org_id: str, plan: rollups.Plan, filters: list[ColumnElement[bool]], scope: Scope
) -> Select[Any]:
    r = ReportDayChats
    routed = rollups.routed_values(dialect, r.routed_key)
    query = (
        select(
            routed.c.value.label("rep_id"),
            func.sum(r.inbound).label("inbound"),
            func.sum(r.queue).label("queue"),
        )
        .select_from(r)
        .join(routed, true())
        .where(
            rollups.in_rollup_runs(r, org_id, plan.rollup_runs),
            *filters,
            r.routed_key != "",
            r.inbound + r.queue > 0,
        )
        .group_by(routed.c.value)
    )
    if scope.rep_ids is not None:
        query = query.where(routed.c.value.in_(scope.rep_ids or [""]))
    return query


def _rollup_events(
    days: LocalDays, org_id: str, plan: rollups.Plan, filters: list[ColumnElement[bool]]
) -> Select[Any]:
    r = ReportDayEvents
    kind_channel = (r.kind + ":" + r.channel).label("kind_channel")
    return (
        select(
            (r.day - days.first).label("day"),
            func.nullif(r.rep_id, "").label("rep_id"),
            kind_channel,
            func.sum(r.n).label("n"),
        )
        .where(rollups.in_rollup_runs(r, org_id, plan.rollup_runs), *filters)
        .group_by(r.day, r.rep_id, r.kind, r.channel)
    )


def _union(parts: list[Select[Any]]) -> Any:
    return parts[0] if len(parts) == 1 else union_all(*parts)


# ---- calls and meetings: read from their rows (a few per hundred chats) ----------------------

# How a call ended, as report columns: end_reason values counted in each.
_CALL_ENDS = ("ended_by_rep", "ended_by_visitor", "declined", "missed", "failed")
_END_REASONS = {
    "ended_by_rep": ("ended_by_rep",),
    "ended_by_visitor": ("ended_by_visitor",),
    "declined": ("declined",),
    "missed": ("missed",),
    "failed": ("failed", "blocked"),
}


def _epoch(at: Any, dialect: str) -> ColumnElement[int]:
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", at)), BigInteger)
    return cast(func.strftime("%s", at), BigInteger)


def _chat_filters(request: ReportRequest) -> list[ColumnElement[bool]]:
    """A channel or segment filter on a call's or meeting's chat (joined as Conversation)."""
    c = Conversation
    filters: list[ColumnElement[bool]] = []
    if request.channel is not None:
        filters.append(c.origin == request.channel)
    if request.segment_id is not None:
        filters.append(c.segment_id == request.segment_id)
    return filters


def _call_counts(
    org_id: str, days: LocalDays, dialect: str, request: ReportRequest, scope: Scope
) -> Select[Any]:
    k = Call
    day = local_day(k.created_at, dialect, days).label("day")
    timed = and_(k.connected_at.is_not(None), k.ended_at.is_not(None))
    length = _epoch(k.ended_at, dialect) - _epoch(k.connected_at, dialect)
    query = (
        select(
            day,
            k.rep_id,
            func.count().label("calls"),
            func.count(k.connected_at).label("connected"),
            func.count(case((timed, 1))).label("length_n"),
            func.sum(case((timed, length))).label("length_sum"),
            *[
                func.sum(case((k.end_reason.in_(reasons), 1), else_=0)).label(end)
                for end, reasons in _END_REASONS.items()
            ],
        )
        .join(Conversation, Conversation.id == k.conversation_id)
        .where(
            k.org_id == org_id,
            k.created_at >= days.lo,
            k.created_at < days.hi,
            *_chat_filters(request),
        )
        .group_by(day, k.rep_id)
    )
    if scope.rep_ids is not None:
        query = query.where(k.rep_id.in_(scope.rep_ids or [""]))
    return query


def _meeting_counts(
    org_id: str, days: LocalDays, dialect: str, request: ReportRequest, scope: Scope
) -> Select[Any]:
    m = Meeting
    day = local_day(m.created_at, dialect, days).label("day")
    chat_filters = _chat_filters(request)
    query = (
        select(
            day,
            m.owner_rep_id.label("rep_id"),
            func.count().label("booked"),
            func.sum(case((m.status == "cancelled", 1), else_=0)).label("cancelled"),
        )
        .where(m.org_id == org_id, m.created_at >= days.lo, m.created_at < days.hi)
        .group_by(day, m.owner_rep_id)
    )
    if chat_filters:  # meetings booked outside a chat have no channel or segment
        query = query.join(Conversation, Conversation.id == m.conversation_id).where(*chat_filters)
    if scope.rep_ids is not None:
        query = query.where(m.owner_rep_id.in_(scope.rep_ids or [""]))
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
    csat_n: int = 0
    csat_satisfied: int = 0
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    replies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    p50: int | None = None
    p90: int | None = None
    calls: int = 0
    calls_connected: int = 0
    call_n: int = 0
    call_sum: int = 0
    call_ends: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_CALL_ENDS, 0))
    meetings_booked: int = 0
    meetings_cancelled: int = 0
    seen: bool = False

    def add_calls(self, row: Any) -> None:
        self.seen = True
        self.calls += int(row.calls)
        self.calls_connected += int(row.connected)
        self.call_n += int(row.length_n)
        self.call_sum += int(row.length_sum or 0)
        for end in _CALL_ENDS:
            self.call_ends[end] += int(getattr(row, end) or 0)

    def add_meetings(self, row: Any) -> None:
        self.seen = True
        self.meetings_booked += int(row.booked)
        self.meetings_cancelled += int(row.cancelled or 0)

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
        self.csat_n += int(row.csat_n or 0)
        self.csat_satisfied += int(row.csat_satisfied or 0)

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
            "calls": self.calls,
            "calls_connected": self.calls_connected,
            "call_average_seconds": (
                round(self.call_sum / self.call_n, 1) if self.call_n else None
            ),
            **{f"calls_{end}": self.call_ends[end] for end in _CALL_ENDS},
            "meetings_booked": self.meetings_booked,
            "meetings_cancelled": self.meetings_cancelled,
            "csat_ratings": self.csat_n,
            "csat_satisfied": self.csat_satisfied,
            "csat_rate": round(self.csat_satisfied / self.csat_n, 4) if self.csat_n else None,
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
    numbered = local_days(days, zone)

    plan = await rollups.plan(session, org_id, days, zone)
    rolled = _rollup_filters(ReportDayChats, request, scope, chats=True)
    raw_chats = rollups.in_raw_runs(Conversation.created_at, plan.raw_runs)

    per_day = [_Tally() for _ in days]
    per_rep: dict[str, _Tally] = defaultdict(_Tally)
    total = _Tally()

    count_parts = []
    if plan.raw_runs:
        count_parts.append(_conversation_counts(numbered, dialect, filters, raw_chats))
    if plan.rollup_runs:
        count_parts.append(_rollup_counts(numbered, org_id, plan, rolled))
    chats = _three_ways(
        _union(count_parts),
        "origin",
        [
            "started",
            "answered",
            "inbound",
            "queue",
            "qualified",
            "deal_value",
            "length_n",
            "length_sum",
            "csat_n",
            "csat_satisfied",
        ],
    )
    for row in (await session.execute(chats)).all():
        if row.kind == "day":
            per_day[row.day].add_conversations(row.origin, row)
        elif row.kind == "all":
            total.add_conversations(row.origin, row)
        elif row.rep_id is not None:
            # Missed chats have no owner; per rep they are counted by routing, below.
            per_rep[row.rep_id].add_conversations(row.origin, row)
    missed_parts = []
    if plan.raw_runs:
        missed_parts.append(_missed_by_routed_rep(dialect, raw_chats, filters, scope))
    if plan.rollup_runs:
        missed_parts.append(_rollup_missed(dialect, org_id, plan, rolled, scope))
    for missed in missed_parts:
        for row in (await session.execute(missed)).all():
            tally = per_rep[row.rep_id]
            tally.seen = True
            tally.inbound_timeouts += int(row.inbound or 0)
            tally.queue_timeouts += int(row.queue or 0)
    rolled_responses = _rollup_filters(ReportDayResponses, request, scope, chats=True)
    unfiltered = request.channel is None and request.segment_id is None and scope.rep_ids is None
    if unfiltered:  # rolled-up days' medians and p90s as stored with them
        for offset, first, last in plan.rollup_runs:
            for number in range(first, last + 1):
                tally = per_day[number - numbered.first]
                tally.p50, tally.p90 = plan.answers[(offset, number)]
    percentiles = _percentile_query(
        numbered, dialect, filters, plan, rolled_responses, org_id, unfiltered
    )
    everything: dict[int, int] = defaultdict(int)
    for row in (await session.execute(percentiles)).all():
        histogram = _histogram(row.pairs)
        if row.kind == "day":
            per_day[row.day].p50, per_day[row.day].p90 = nearest_ranks(histogram)
        else:
            if row.rep_id is not None:
                per_rep[row.rep_id].p50, per_rep[row.rep_id].p90 = nearest_ranks(histogram)
            for seconds, n in histogram:
                everything[seconds] += n
    total.p50, total.p90 = nearest_ranks(everything.items())
    event_parts = []
    if plan.raw_runs:
        event_parts.append(_event_counts(org_id, numbered, dialect, request, scope, plan.raw_runs))
    if plan.rollup_runs:
        rolled_events = _rollup_filters(ReportDayEvents, request, scope, chats=False)
        event_parts.append(_rollup_events(numbered, org_id, plan, rolled_events))
    events = _three_ways(_union(event_parts), "kind_channel", ["n"])
    for row in (await session.execute(events)).all():
        kind, _, channel = row.kind_channel.partition(":")
        if row.kind == "day":
            per_day[row.day].add_event(kind, channel, int(row.n))
        elif row.kind == "all":
            total.add_event(kind, channel, int(row.n))
        elif row.rep_id is not None:
            per_rep[row.rep_id].add_event(kind, channel, int(row.n))

    for row in (
        await session.execute(_call_counts(org_id, numbered, dialect, request, scope))
    ).all():
        for tally in (per_day[row.day], total, *([per_rep[row.rep_id]] if row.rep_id else [])):
            tally.add_calls(row)
    for row in (
        await session.execute(_meeting_counts(org_id, numbered, dialect, request, scope))
    ).all():
        for tally in (per_day[row.day], total, *([per_rep[row.rep_id]] if row.rep_id else [])):
            tally.add_meetings(row)

    if not actor.sees_every_rep:
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
