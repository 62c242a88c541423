"""Weekly hours in a time zone, with holidays: is it open at an instant, and when does it open
next. Pure functions (no database), so DST and holiday edges are tested directly.

Hours are wall-clock times in the schedule's zone ("09:00"-"17:00" is 9 to 5 local time in
summer and in winter). An interval whose start falls in a spring-forward gap opens at the
same instant as an hour later (02:30 -> 03:30); "24:00" ends an interval at the next local midnight.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from frontdesk.core.errors import ValidationFailed

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
# How far ahead "back at" looks: past a year of holidays the schedule is effectively closed.
LOOK_AHEAD_DAYS = 400


def parse_clock(value: str) -> int:
    """ "09:30" -> minutes after local midnight (24:00 -> 1440)."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValidationFailed(f"'{value}' is not a time of day like 09:00 (00:00 to 24:00)")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def check_zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or name not in _zones():
        raise ValidationFailed(f"unknown time zone '{name}' (use an IANA name like Europe/Berlin)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"unknown time zone '{name}'") from None


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def check_weekly(weekly: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[list[str]]]:
    """Validated weekly hours: weekday -> sorted, non-overlapping [start, end) intervals."""
    unknown = set(weekly) - set(WEEKDAYS)
    if unknown:
        raise ValidationFailed(f"unknown weekday(s) {sorted(unknown)}: use {', '.join(WEEKDAYS)}")
    out: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        intervals = weekly.get(day) or []
        parsed = []
        for interval in intervals:
            if len(interval) != 2:
                raise ValidationFailed(
                    f"{day}: each interval is [start, end], like ['09:00', '17:00']"
                )
            start, end = parse_clock(interval[0]), parse_clock(interval[1])
            if start == 1440 or end <= start:
                raise ValidationFailed(f"{day}: {interval[0]}-{interval[1]} ends before it starts")
            parsed.append((start, end, [interval[0], interval[1]]))
        parsed.sort()
        for (_, end, a), (start, _, b) in itertools.pairwise(parsed):
            if start < end:
                raise ValidationFailed(f"{day}: {a[0]}-{a[1]} and {b[0]}-{b[1]} overlap")
        if parsed:
            out[day] = [p[2] for p in parsed]
    return out


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    # weekday (0 = Monday) -> [(start minute, end minute)]
    weekly: dict[int, list[tuple[int, int]]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, time_zone: str, weekly: dict[str, list[list[str]]], holidays: Sequence[date]
    ) -> Schedule:
        return cls(
            ZoneInfo(time_zone),
            {
                WEEKDAYS.index(day): [(parse_clock(a), parse_clock(b)) for a, b in intervals]
                for day, intervals in weekly.items()
            },
            frozenset(holidays),
        )

    def _bounds(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open intervals as UTC instants (wall clock in the zone, DST applied)."""
        if day in self.holidays:
            return []
        out = []
        for start, end in self.weekly.get(day.weekday(), []):
            out.append((self._instant(day, start), self._instant(day, end)))
        return out

    def _instant(self, day: date, minute: int) -> datetime:
        if minute >= 1440:
            day, minute = day + timedelta(days=1), minute - 1440
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        # A wall time in the spring-forward gap does not exist; zoneinfo reads it with the
        # offset from before the change, so 02:30 on that day is the instant 03:30 summer time.
        # A repeated wall time (autumn) is its first occurrence.
        instant = local.astimezone(UTC)
        return instant

    def is_open(self, at: datetime) -> bool:
        local_day = at.astimezone(self.zone).date()
        # Yesterday's interval may run to 24:00 (= today's midnight): check both days.
        for day in (local_day - timedelta(days=1), local_day):
            for start, end in self._bounds(day):
                if start <= at < end:
                    return True
        return False

    def next_opening(self, at: datetime) -> datetime | None:
        """When it next opens after `at` (None: not within about a year)."""
        local_day = at.astimezone(self.zone).date()
        for offset in range(LOOK_AHEAD_DAYS):
            for start, end in self._bounds(local_day + timedelta(days=offset)):
                if start > at and end > start:
                    return start
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """When the interval open at `at` ends (None: closed now)."""
        local_day = at.astimezone(self.zone).date()
        for day in (local_day - timedelta(days=1), local_day):
            for start, end in self._bounds(day):
                if start <= at < end:
                    return end
        return None
