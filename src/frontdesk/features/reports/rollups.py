"""Report rollups: built, kept true, and used (docs/reports.md, "Speed").

- A local day L under a fixed offset (minutes east of UTC) is the UTC interval
  [L * 86400 - offset, (L + 1) * 86400 - offset). Its rollup rows (models.py) are the sums of
  the chats and proactive events that started in it, grouped by everything a report filters or
  groups on (owner or routed reps, channel, segment; rep, kind, channel, segment for events),
  with first response times as a histogram of exact seconds, so medians and percentiles of any
  set of days stay exact.
- Only settled days are built: L <= (today in UTC) - 3, so the UTC days a built day touches
  (L - 1 .. L + 1) ended at least a day ago. A write to a chat or event that started on a UTC
  day before yesterday (a late classification, an erasure) bumps that day's mark
  (`report_marks`) in the writer's transaction; a built day stores the sum of the marks of
  L - 1 .. L + 1 it was built with, and a report uses it only while that sum is unchanged
  (otherwise it reads that day from the chats and the worker rebuilds it).
- A build locks the marks of the UTC days it reads (an upsert), so a writer bumping one of them
  waits for the build to commit, and the build then sees either the write or the bump.
  Building the same day twice, in one process or two, gives the same rows.
- Which offsets: every offset a report of the org has been read in (`report_offsets`, written
  by the reports API), so Los Angeles costs two (winter and summer) and the days its clocks
  change on are read from the chats.

ORM writes are seen by a flush hook (Session "before_flush"); a Core UPDATE or DELETE of chats
or events older than yesterday must call `touch` itself (privacy erasure does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    delete,
    event,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from frontdesk.features.conversations.models import Conversation
from frontdesk.features.proactive.models import ProactiveEvent
from frontdesk.features.reports.models import (
    ReportBlockResponses,
    ReportBuiltBlock,
    ReportBuiltDay,
    ReportDayChats,
    ReportDayEvents,
    ReportDayResponses,
    ReportMark,
    ReportOffset,
)
from frontdesk.storage.db import Database

log = logging.getLogger(__name__)

SETTLED = 3  # a local day L is built once L <= today (UTC) - SETTLED
CHUNK_DAYS = 31  # days built per transaction
BLOCK_DAYS = 16  # days per block of summed histograms (block = local day // BLOCK_DAYS)
EVENT_KINDS = ("pounce", "invitation_sent", "auto_pounce", "reply", "missed_response")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_day(at: datetime) -> int:
    return int((at - _EPOCH).total_seconds()) // 86400


def last_buildable(now: datetime) -> int:
    return utc_day(now) - SETTLED


# ---- marks: writes to chats and events of days already over --------------------------------


def _upsert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _bump_statement(dialect: str, org_id: str, days: Iterable[int]) -> Any:
    statement = _upsert(dialect)(ReportMark).values(
        [{"org_id": org_id, "utc_day": d, "version": 1} for d in sorted(days)]
    )
    return statement.on_conflict_do_update(
        index_elements=["org_id", "utc_day"],
        set_={"version": ReportMark.__table__.c.version + 1},
    )


def _marks_to_bump(
    items: Iterable[tuple[str, datetime | None]], now: datetime
) -> dict[str, set[int]]:
    latest = utc_day(now) - 1  # days a build may have read (with a day's margin)
    out: dict[str, set[int]] = {}
    for org_id, at in items:
        if org_id and at is not None:
            day = utc_day(at if at.tzinfo else at.replace(tzinfo=UTC))
            if day <= latest:
                out.setdefault(org_id, set()).add(day)
    return out


async def touch(session: AsyncSession, org_id: str, instants: Iterable[datetime | None]) -> None:
    """Chats or events of `org_id` that started at these instants are about to change or go:
    built days that counted them will be read from the chats until rebuilt."""
    bumps = _marks_to_bump(((org_id, at) for at in instants), datetime.now(UTC))
    dialect = session.bind.dialect.name
    for org, days in bumps.items():
        await session.execute(_bump_statement(dialect, org, days))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    items: list[tuple[str, datetime | None]] = []
    for obj in session.new:
        if isinstance(obj, Conversation):
            items.append((obj.org_id, obj.created_at))
        elif isinstance(obj, ProactiveEvent):
            items.append((obj.org_id, obj.at))
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Conversation):
            items.append((obj.org_id, obj.created_at))
        elif isinstance(obj, ProactiveEvent):
            items.append((obj.org_id, obj.at))
    if not items:
        return
    bumps = _marks_to_bump(items, datetime.now(UTC))
    if not bumps:
        return
    connection = session.connection()
    for org_id, days in bumps.items():
        connection.execute(_bump_statement(connection.dialect.name, org_id, days))


def touched_utc_days(offset_minutes: int, day: int) -> range:
    """The UTC days local day `day` under this offset overlaps: itself, and the one before
    (east of UTC) or after (west)."""
    return range(day - (offset_minutes > 0), day + (offset_minutes < 0) + 1)


def _marks_of_built_day(b: Any, m: Any) -> list[ColumnElement[bool]]:
    """SQL for touched_utc_days: the marks a built day's `marks` was summed from."""
    return [
        m.org_id == b.org_id,
        m.utc_day >= b.day - case((b.offset_minutes > 0, 1), else_=0),
        m.utc_day <= b.day + case((b.offset_minutes < 0, 1), else_=0),
    ]


# ---- which days a report can read from rollups ---------------------------------------------


def zone_offsets(zone: ZoneInfo, start: date, end: date) -> set[int]:
    """The whole-minute offsets (minutes east of UTC) the zone uses from start to end."""
    out = set()
    day = start
    while day <= end + timedelta(days=1):
        offset = datetime.combine(day, datetime.min.time(), zone).utcoffset()
        seconds = int(offset.total_seconds()) if offset is not None else 0
        if seconds % 60 == 0:
            out.add(seconds // 60)
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Plan:
    """Where each day of a report comes from: rollup runs as (offset minutes, first local day,
    last local day) and raw runs as UTC [lo, hi) intervals."""

    rollup_runs: tuple[tuple[int, int, int], ...]
    raw_runs: tuple[tuple[datetime, datetime], ...]
    # Each rolled-up day's median and p90 over all its chats, by (offset, local day).
    answers: dict[tuple[int, int], tuple[int | None, int | None]] = field(default_factory=dict)
    # Usable blocks, all of whose days are rolled-up days of the report: (offset, block).
    blocks: tuple[tuple[int, int], ...] = ()

    def runs_outside_blocks(self) -> tuple[tuple[int, int, int], ...]:
        """The rollup runs less the days the blocks cover."""
        covered = {(o, d) for o, k in self.blocks for d in block_days(k)}
        out: list[tuple[int, int, int]] = []
        for offset, first, last in self.rollup_runs:
            for d in range(first, last + 1):
                if (offset, d) in covered:
                    continue
                if out and out[-1][0] == offset and out[-1][2] == d - 1:
                    out[-1] = (offset, out[-1][1], d)
                else:
                    out.append((offset, d, d))
        return tuple(out)


def _day_offset(lo: datetime, hi: datetime, zone: ZoneInfo) -> int | None:
    first = lo.astimezone(zone).utcoffset()
    last = (hi - timedelta(seconds=1)).astimezone(zone).utcoffset()
    if first is None or first != last:
        return None
    seconds = int(first.total_seconds())
    return seconds // 60 if seconds % 60 == 0 else None


async def plan(
    session: AsyncSession,
    org_id: str,
    days: Sequence[tuple[date, datetime, datetime]],
    zone: ZoneInfo,
) -> Plan:
    wanted: list[tuple[int, int] | None] = []  # per report day: (offset, local day) or None
    for day, lo, hi in days:
        offset = _day_offset(lo, hi, zone)
        wanted.append(None if offset is None else (offset, (day - date(1970, 1, 1)).days))
    offsets = {w[0] for w in wanted if w is not None}
    fresh: dict[tuple[int, int], int] = {}  # (offset, day) -> the marks it was built with
    answers: dict[tuple[int, int], tuple[int | None, int | None]] = {}
    usable: list[tuple[int, int]] = []
    if offsets:
        numbers = [w[1] for w in wanted if w is not None]
        b, m = ReportBuiltDay, ReportMark
        current = (
            select(func.coalesce(func.sum(m.version), 0))
            .where(*_marks_of_built_day(b, m))
            .scalar_subquery()
        )
        rows = await session.execute(
            select(b.offset_minutes, b.day, b.marks, b.frt_p50, b.frt_p90).where(
                b.org_id == org_id,
                b.offset_minutes.in_(sorted(offsets)),
                b.day >= min(numbers),
                b.day <= max(numbers),
                b.marks == current,
            )
        )
        for o, d, marks, p50, p90 in rows.tuples():
            fresh[(int(o), int(d))] = int(marks)
            answers[(int(o), int(d))] = (p50, p90)
        # Blocks whose every day is one of the report's days, rolled up and unchanged.
        in_report = {w for w in wanted if w is not None and w in fresh}
        candidates: dict[tuple[int, int], int] = {}
        for o, d in in_report:
            k = d // BLOCK_DAYS
            if (o, k) not in candidates and all((o, x) in in_report for x in block_days(k)):
                candidates[(o, k)] = sum(fresh[(o, x)] for x in block_days(k))
        if candidates:
            built_blocks = await session.execute(
                select(
                    ReportBuiltBlock.offset_minutes, ReportBuiltBlock.block, ReportBuiltBlock.marks
                ).where(
                    ReportBuiltBlock.org_id == org_id,
                    ReportBuiltBlock.offset_minutes.in_(sorted({o for o, _ in candidates})),
                    ReportBuiltBlock.block >= min(k for _, k in candidates),
                    ReportBuiltBlock.block <= max(k for _, k in candidates),
                )
            )
            usable = sorted(
                (int(o), int(k))
                for o, k, marks in built_blocks.tuples()
                if candidates.get((int(o), int(k))) == int(marks)
            )
    rollup_runs: list[tuple[int, int, int]] = []
    raw_runs: list[tuple[datetime, datetime]] = []
    for (_, lo, hi), w in zip(days, wanted, strict=True):
        if w is not None and w in fresh:
            last = rollup_runs[-1] if rollup_runs else None
            if last is not None and last[0] == w[0] and last[2] == w[1] - 1:
                rollup_runs[-1] = (last[0], last[1], w[1])
            else:
                rollup_runs.append((w[0], w[1], w[1]))
        elif raw_runs and raw_runs[-1][1] == lo:
            raw_runs[-1] = (raw_runs[-1][0], hi)
        else:
            raw_runs.append((lo, hi))
    return Plan(tuple(rollup_runs), tuple(raw_runs), answers, tuple(usable))


def in_raw_runs(column: Any, runs: Sequence[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    return or_(false(), *[and_(column >= lo, column < hi) for lo, hi in runs])


def in_rollup_runs(
    table: Any, org_id: str, runs: Sequence[tuple[int, int, int]]
) -> ColumnElement[bool]:
    return and_(
        table.org_id == org_id,
        or_(
            false(),
            *[and_(table.offset_minutes == o, table.day >= a, table.day <= b) for o, a, b in runs],
        ),
    )


def routed_values(dialect: str, column: Any) -> Any:
    """The ids in a JSON list column (or text holding one), as a lateral table."""
    if dialect == "postgresql":
        return func.json_array_elements_text(cast(column, JSON)).table_valued("value").lateral()
    return func.json_each(column).table_valued("value")


# ---- building ------------------------------------------------------------------------------


def _local_day(at: Any, dialect: str, offset_minutes: int) -> ColumnElement[int]:
    from frontdesk.features.reports.service import LocalDays, local_day

    fixed = LocalDays(first=0, lo=_EPOCH, hi=_EPOCH, segments=((None, offset_minutes * 60),))
    return local_day(at, dialect, fixed)


def _bounds(offset_minutes: int, first: int, last: int) -> tuple[datetime, datetime]:
    lo = _EPOCH + timedelta(days=first, minutes=-offset_minutes)
    hi = _EPOCH + timedelta(days=last + 1, minutes=-offset_minutes)
    return lo, hi


async def build(db: Database, org_id: str, offset_minutes: int, first: int, last: int) -> None:
    """(Re)builds the local days first..last of one org and offset, in one transaction."""
    dialect = db.engine.dialect.name
    lo, hi = _bounds(offset_minutes, first, last)
    async with db.transaction() as session:
        # Lock the marks of every UTC day read (writers bumping one wait for this commit).
        lock = _upsert(dialect)(ReportMark).values(
            [{"org_id": org_id, "utc_day": d, "version": 0} for d in range(first - 1, last + 2)]
        )
        await session.execute(
            lock.on_conflict_do_update(
                index_elements=["org_id", "utc_day"],
                set_={"version": ReportMark.__table__.c.version},
            )
        )
        found = await session.execute(
            select(ReportMark.utc_day, ReportMark.version).where(
                ReportMark.org_id == org_id,
                ReportMark.utc_day >= first - 1,
                ReportMark.utc_day <= last + 1,
            )
        )
        marks = {int(d): int(v) for d, v in found.all()}
        for table in (ReportDayChats, ReportDayResponses, ReportDayEvents, ReportBuiltDay):
            await session.execute(
                delete(table).where(
                    table.org_id == org_id,
                    table.offset_minutes == offset_minutes,
                    table.day >= first,
                    table.day <= last,
                )
            )
        c = Conversation
        day = _local_day(c.created_at, dialect, offset_minutes)
        owner = func.coalesce(c.owner_rep_id, "")
        routed = func.coalesce(_case_routed(c), literal(""))
        segment = func.coalesce(c.segment_id, "")
        answered = c.first_response_seconds.is_not(None)
        from frontdesk.features.reports.service import _rating_field

        score, scale = _rating_field(dialect, "score"), _rating_field(dialect, "scale")
        where = (c.org_id == org_id, c.created_at >= lo, c.created_at < hi)

        await session.execute(
            insert(ReportDayChats).from_select(
                [
                    "org_id",
                    "offset_minutes",
                    "day",
                    "owner_rep_id",
                    "routed_key",
                    "origin",
                    "segment_id",
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
                select(
                    literal(org_id),
                    literal(offset_minutes),
                    day,
                    owner,
                    routed,
                    c.origin,
                    segment,
                    func.count(),
                    func.count(c.first_response_seconds),
                    func.sum(case((c.missed_kind == "inbound_timeout", 1), else_=0)),
                    func.sum(case((c.missed_kind == "queue_timeout", 1), else_=0)),
                    func.sum(case((c.qualified.is_(True), 1), else_=0)),
                    func.coalesce(func.sum(c.deal_value), 0.0),
                    func.count(case((answered, c.length_seconds))),
                    func.coalesce(func.sum(case((answered, c.length_seconds))), 0),
                    func.count(score),
                    func.coalesce(func.sum(case((score * 5 >= scale * 4, 1), else_=0)), 0),
                )
                .where(*where)
                .group_by(day, owner, routed, c.origin, segment),
            )
        )
        await session.execute(
            insert(ReportDayResponses).from_select(
                [
                    "org_id",
                    "offset_minutes",
                    "day",
                    "owner_rep_id",
                    "routed_key",
                    "origin",
                    "segment_id",
                    "seconds",
                    "n",
                ],
                select(
                    literal(org_id),
                    literal(offset_minutes),
                    day,
                    owner,
                    routed,
                    c.origin,
                    segment,
                    c.first_response_seconds,
                    func.count(),
                )
                .where(*where, answered)
                .group_by(day, owner, routed, c.origin, segment, c.first_response_seconds),
            )
        )
        e = ProactiveEvent
        event_day = _local_day(e.at, dialect, offset_minutes)
        keys = (
            event_day,
            func.coalesce(e.rep_id, ""),
            e.kind,
            func.coalesce(e.channel, ""),
            func.coalesce(e.segment_id, ""),
        )
        await session.execute(
            insert(ReportDayEvents).from_select(
                ["org_id", "offset_minutes", "day", "rep_id", "kind", "channel", "segment_id", "n"],
                select(literal(org_id), literal(offset_minutes), *keys, func.count())
                .where(e.org_id == org_id, e.at >= lo, e.at < hi, e.kind.in_(EVENT_KINDS))
                .group_by(*keys),
            )
        )
        answers = await _day_percentiles(session, org_id, offset_minutes, first, last)
        await session.execute(
            insert(ReportBuiltDay),
            [
                {
                    "org_id": org_id,
                    "offset_minutes": offset_minutes,
                    "day": d,
                    "marks": sum(int(marks.get(u, 0)) for u in touched_utc_days(offset_minutes, d)),
                    "frt_p50": answers.get(d, (None, None))[0],
                    "frt_p90": answers.get(d, (None, None))[1],
                }
                for d in range(first, last + 1)
            ],
        )


async def _day_percentiles(
    session: AsyncSession, org_id: str, offset_minutes: int, first: int, last: int
) -> dict[int, tuple[int | None, int | None]]:
    """Each built day's median and p90 over all its chats, from the histogram rows just
    written (what an unfiltered report shows for the day)."""
    from frontdesk.features.reports.service import nearest_ranks

    r = ReportDayResponses
    histograms: dict[int, list[tuple[int, int]]] = {}
    rows = await session.execute(
        select(r.day, r.seconds, func.sum(r.n))
        .where(
            r.org_id == org_id,
            r.offset_minutes == offset_minutes,
            r.day >= first,
            r.day <= last,
        )
        .group_by(r.day, r.seconds)
    )
    for day, seconds, n in rows.tuples():
        histograms.setdefault(int(day), []).append((int(seconds), int(n)))
    return {day: nearest_ranks(histogram) for day, histogram in histograms.items()}


# ---- blocks: histograms summed over BLOCK_DAYS built days ----------------------------------


def block_days(block: int) -> range:
    return range(block * BLOCK_DAYS, (block + 1) * BLOCK_DAYS)


async def _built_marks(
    session: AsyncSession, org_id: str, offset_minutes: int, first: int, last: int
) -> dict[int, int]:
    """Built and unchanged days from first to last, with the marks they were built with."""
    b, m = ReportBuiltDay, ReportMark
    current = (
        select(func.coalesce(func.sum(m.version), 0))
        .where(*_marks_of_built_day(b, m))
        .scalar_subquery()
    )
    rows = await session.execute(
        select(b.day, b.marks).where(
            b.org_id == org_id,
            b.offset_minutes == offset_minutes,
            b.day >= first,
            b.day <= last,
            b.marks == current,
        )
    )
    return {int(d): int(v) for d, v in rows.tuples()}


def _whole_blocks(built: dict[int, int]) -> dict[int, int]:
    """Blocks all of whose days are built, with the sum of their days' marks."""
    out: dict[int, int] = {}
    for block in sorted({d // BLOCK_DAYS for d in built}):
        days = block_days(block)
        if all(d in built for d in days):
            out[block] = sum(built[d] for d in days)
    return out


async def build_blocks(db: Database, org_id: str, offset_minutes: int) -> int:
    """(Re)builds the blocks of this org and offset whose days are all built and whose rows
    were summed from other builds of them (or never); returns how many it built."""
    async with db.read() as session:
        built = await _built_marks(session, org_id, offset_minutes, 0, 2**31 - 1)
        existing = {
            int(k): int(v)
            for k, v in (
                await session.execute(
                    select(ReportBuiltBlock.block, ReportBuiltBlock.marks).where(
                        ReportBuiltBlock.org_id == org_id,
                        ReportBuiltBlock.offset_minutes == offset_minutes,
                    )
                )
            ).tuples()
        }
    wanted = {k: v for k, v in _whole_blocks(built).items() if existing.get(k) != v}
    dialect = db.engine.dialect.name
    for block in sorted(wanted):
        days = block_days(block)
        async with db.transaction() as session:
            # Lock the block's row (marked unusable) so builders of one block take turns.
            key = {"org_id": org_id, "offset_minutes": offset_minutes, "block": block}
            lock = _upsert(dialect)(ReportBuiltBlock).values({**key, "marks": -1})
            await session.execute(
                lock.on_conflict_do_update(
                    index_elements=["org_id", "offset_minutes", "block"], set_={"marks": -1}
                )
            )
            before = await _built_marks(session, org_id, offset_minutes, days[0], days[-1])
            rb, r = ReportBlockResponses, ReportDayResponses
            await session.execute(
                delete(rb).where(
                    rb.org_id == org_id, rb.offset_minutes == offset_minutes, rb.block == block
                )
            )
            await session.execute(
                insert(rb).from_select(
                    ["org_id", "offset_minutes", "block", "owner_rep_id", "seconds", "n"],
                    select(
                        literal(org_id),
                        literal(offset_minutes),
                        literal(block),
                        r.owner_rep_id,
                        r.seconds,
                        func.sum(r.n),
                    )
                    .where(
                        r.org_id == org_id,
                        r.offset_minutes == offset_minutes,
                        r.day >= days[0],
                        r.day <= days[-1],
                    )
                    .group_by(r.owner_rep_id, r.seconds),
                )
            )
            # The days read must be the days the marks below describe: a day rebuilt
            # meanwhile (another process) leaves the block unusable until the next catch-up.
            after = await _built_marks(session, org_id, offset_minutes, days[0], days[-1])
            if before == after and len(after) == BLOCK_DAYS:
                await session.execute(
                    update(ReportBuiltBlock)
                    .where(
                        ReportBuiltBlock.org_id == org_id,
                        ReportBuiltBlock.offset_minutes == offset_minutes,
                        ReportBuiltBlock.block == block,
                    )
                    .values(marks=sum(after.values()))
                )
    return len(wanted)


def _case_routed(c: type[Conversation]) -> ColumnElement[str]:
    return case(
        (
            or_(c.owner_rep_id.is_(None), c.missed_kind.is_not(None)),
            cast(c.routed_rep_ids, Text),
        ),
        else_=literal(""),
    )


# ---- catching up ---------------------------------------------------------------------------


async def register(db: Database, org_id: str, offsets: Iterable[int]) -> bool:
    """Remembers offsets an org's reports are read in; True if one was new."""
    known = _known.setdefault(org_id, set())
    new = set(offsets) - known
    if not new:
        return False
    async with db.transaction() as session:
        existing = set(
            (
                await session.execute(
                    select(ReportOffset.offset_minutes).where(ReportOffset.org_id == org_id)
                )
            ).scalars()
        )
        missing = new - existing
        if missing:
            statement = _upsert(db.engine.dialect.name)(ReportOffset).values(
                [{"org_id": org_id, "offset_minutes": o} for o in sorted(missing)]
            )
            await session.execute(statement.on_conflict_do_nothing())
    known.update(new)
    if missing:
        for worker in list(_workers):
            if worker.db is db:
                worker.wake()
    return bool(missing)


_known: dict[str, set[int]] = {}
_workers: weakref.WeakSet[RollupWorker] = weakref.WeakSet()


async def _first_day(db: Database, org_id: str, offset_minutes: int) -> int | None:
    async with db.read() as session:
        starts = [
            (
                await session.execute(
                    select(func.min(Conversation.created_at)).where(Conversation.org_id == org_id)
                )
            ).scalar(),
            (
                await session.execute(
                    select(func.min(ProactiveEvent.at)).where(ProactiveEvent.org_id == org_id)
                )
            ).scalar(),
        ]
    found = [s for s in starts if s is not None]
    if not found:
        return None
    earliest = min(s if s.tzinfo else s.replace(tzinfo=UTC) for s in found)
    return (int((earliest - _EPOCH).total_seconds()) + offset_minutes * 60) // 86400


async def stale_days(db: Database, org_id: str, offset_minutes: int, now: datetime) -> list[int]:
    """Local days of this org and offset that should be built and are not (or are stale)."""
    first = await _first_day(db, org_id, offset_minutes)
    last = last_buildable(now)
    if first is None or first > last:
        return []
    b, m = ReportBuiltDay, ReportMark
    current = (
        select(func.coalesce(func.sum(m.version), 0))
        .where(*_marks_of_built_day(b, m))
        .scalar_subquery()
    )
    async with db.read() as session:
        fresh = set(
            (
                await session.execute(
                    select(b.day).where(
                        b.org_id == org_id,
                        b.offset_minutes == offset_minutes,
                        b.day >= first,
                        b.day <= last,
                        b.marks == current,
                    )
                )
            ).scalars()
        )
    return [d for d in range(first, last + 1) if d not in fresh]


def runs(days: Sequence[int], limit: int = CHUNK_DAYS) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for d in days:
        if out and out[-1][1] == d - 1 and d - out[-1][0] < limit:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


async def catch_up(db: Database, now: datetime, org_id: str | None = None) -> int:
    """Builds every missing or stale settled day of every registered (org, offset); returns
    how many days it built."""
    async with db.read() as session:
        query = select(ReportOffset.org_id, ReportOffset.offset_minutes)
        if org_id is not None:
            query = query.where(ReportOffset.org_id == org_id)
        pairs = (await session.execute(query.order_by(ReportOffset.org_id))).tuples().all()
    built = 0
    for org, offset in pairs:
        for first, last in runs(await stale_days(db, org, offset, now)):
            await build(db, org, offset, first, last)
            built += last - first + 1
        await build_blocks(db, org, offset)
    return built


class RollupWorker:
    """Catches up in the background: at start, when a report registers a new offset, and
    every `interval` seconds (a day becomes settled once a day; marks bump at any time)."""

    def __init__(
        self, db: Database, now: Any, interval: float = 300.0, org_id: str | None = None
    ) -> None:
        self.db = db
        self._org_id = org_id  # None: every org (a test may watch one org of a shared database)
        self._now = now
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        _workers.add(self)
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        _workers.discard(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            # Cleared before catching up, so a wake during a catch-up runs another one.
            self._wake.clear()
            try:
                built = await catch_up(self.db, self._now(), self._org_id)
                if built:
                    log.info("report rollups: built %d days", built)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("report rollups: catching up failed (retried later)")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
