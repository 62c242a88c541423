"""Offered slots, computed from intervals: pure and fast (no loop over minutes).

Every time is Unix seconds (int) and every interval half-open [start, end). A member's free
time is their working hours minus their busy times (each busy interval widened by the meeting
type's buffers, so a slot's buffers never overlap a busy time); a slot is offered when it fits
in the free time of the one owner, or of every member ("schedule with everyone"), or of at
least one member (a round-robin type's overview). Work is O(n log n) in the number of busy
intervals, and linear in the number of offered slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Interval = tuple[int, int]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Offered start times are on this grid (seconds past the hour, in UTC: every zone's offset is
# a multiple of 15 minutes, so 15-minute steps look round in every zone).
SLOT_STEP = 15 * 60


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(base: Sequence[Interval], remove: Sequence[Interval]) -> list[Interval]:
    """`base` minus `remove`; both sorted and merged. One pass over both."""
    out: list[Interval] = []
    j = 0
    n = len(remove)
    for start, end in base:
        cursor = start
        while j < n and remove[j][1] <= cursor:
            j += 1
        k = j
        while k < n and remove[k][0] < end:
            r_start, r_end = remove[k]
            if r_start > cursor:
                out.append((cursor, r_start))
            cursor = max(cursor, r_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Common time of two sorted, merged lists (two pointers)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def working_intervals(
    time_zone: str,
    weekly_hours: dict[str, list[list[str]]],
    days_off: Iterable[str],
    window: Interval,
) -> list[Interval]:
    """A rep's working hours over `window`, each day's hours read in the rep's own zone (so a
    DST change moves them in UTC, as it should). A range may end at "24:00"."""
    zone = ZoneInfo(time_zone)
    off = set(days_off)
    first = datetime.fromtimestamp(window[0], zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(window[1], zone).date() + timedelta(days=1)
    out: list[Interval] = []
    day = first
    while day <= last:
        ranges = weekly_hours.get(WEEKDAYS[day.weekday()]) or []
        if ranges and day.isoformat() not in off:
            for start_text, end_text in ranges:
                start = _local_instant(day, start_text, zone)
                end = _local_instant(day, end_text, zone)
                if start < end:
                    out.append((max(start, window[0]), min(end, window[1])))
        day += timedelta(days=1)
    return merge((s, e) for s, e in out if s < e)


def _local_instant(day: date, hhmm: str, zone: ZoneInfo) -> int:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if hours == 24:
        return int(datetime.combine(day + timedelta(days=1), time(0, 0), zone).timestamp())
    return int(datetime.combine(day, time(hours, minutes), zone).timestamp())


@dataclass(frozen=True)
class MemberTime:
    """One rep's input: working hours and busy times over the window, sorted and merged."""

    rep_id: str
    working: Sequence[Interval]
    busy: Sequence[Interval]


def free_time(member: MemberTime, buffer_before: int, buffer_after: int) -> list[Interval]:
    """When a meeting may take place for this member: working hours minus busy times widened
    by the buffers (a slot [s, e) needs [s - before, e + after) clear of busy times)."""
    if buffer_before or buffer_after:
        widened = merge((s - buffer_after, e + buffer_before) for s, e in member.busy)
    else:
        widened = list(member.busy)
    return subtract(member.working, widened)


def starts_in(free: Sequence[Interval], duration: int, earliest: int, step: int) -> list[int]:
    """Grid-aligned start times whose [start, start + duration) fits in a free interval."""
    out: list[int] = []
    for start, end in free:
        first = max(start, earliest)
        first += -first % step
        last = end - duration
        if first <= last:
            out.extend(range(first, last + 1, step))
    return out


def offered_slots(
    members: Sequence[MemberTime],
    *,
    duration: int,
    buffer_before: int = 0,
    buffer_after: int = 0,
    earliest: int,
    mode: Literal["all", "any"] = "all",
    step: int = SLOT_STEP,
) -> list[int]:
    """Start times (Unix seconds) of the slots to offer, ascending. `mode="all"`: every member
    is free (one owner, or "schedule with everyone"); `"any"`: at least one member is."""
    if not members:
        return []
    frees = [free_time(m, buffer_before, buffer_after) for m in members]
    if mode == "all":
        common = frees[0]
        for free in frees[1:]:
            common = intersect(common, free)
            if not common:
                return []
        return starts_in(common, duration, earliest, step)
    # "any": a start time is offered when it fits one member's free time; slots are on the
    # grid, so the union of each member's start times is exact (merging free intervals
    # would join two members' halves into a slot neither has).
    starts: set[int] = set()
    for free in frees:
        starts.update(starts_in(free, duration, earliest, step))
    return sorted(starts)


def free_members(
    members: Sequence[MemberTime],
    start: int,
    *,
    duration: int,
    buffer_before: int = 0,
    buffer_after: int = 0,
) -> list[str]:
    """The members free for the slot at `start` (in the order given)."""
    out = []
    for member in members:
        free = free_time(member, buffer_before, buffer_after)
        if any(s <= start and start + duration <= e for s, e in free):
            out.append(member.rep_id)
    return out
