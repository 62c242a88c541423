"""Weekly hours in a time zone: open or not at an instant, and when next open, across DST
changes, midnight and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontdesk.core.errors import ValidationFailed
from frontdesk.features.staffing import Schedule
from frontdesk.features.staffing.schedule import check_weekly

WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_nine_to_five_in_berlin_follows_summer_and_winter_time() -> None:
    berlin = Schedule.of("Europe/Berlin", WEEKDAYS_9_TO_5, [])
    # January: UTC+1, so 09:00 is 08:00 UTC.
    assert not berlin.is_open(at(2027, 1, 4, 7, 59, 59))
    assert berlin.is_open(at(2027, 1, 4, 8, 0))
    assert not berlin.is_open(at(2027, 1, 4, 16, 0))
    # July: UTC+2, so 09:00 is 07:00 UTC.
    assert berlin.is_open(at(2027, 7, 5, 7, 0))
    assert not berlin.is_open(at(2027, 7, 5, 15, 0))


def test_the_next_opening_across_the_spring_and_autumn_changes() -> None:
    every_day = Schedule.of(
        "America/New_York",
        {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        [],
    )
    # Saturday 13 March 2027 evening (EST, UTC-5); Sunday 14 March is in EDT (UTC-4).
    assert every_day.next_opening(at(2027, 3, 13, 23, 0)) == at(2027, 3, 14, 13, 0)
    # Saturday 6 November 2027 (EDT); Sunday 7 November is back in EST.
    assert every_day.next_opening(at(2027, 11, 6, 23, 0)) == at(2027, 11, 7, 14, 0)


def test_a_start_in_the_spring_gap_opens_an_hour_later_on_the_wall_clock() -> None:
    night = Schedule.of("Europe/Berlin", {"sun": [["02:30", "05:00"]]}, [])
    # 28 March 2027: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist. 03:30 CEST = 01:30 UTC.
    assert night.next_opening(at(2027, 3, 27, 12, 0)) == at(2027, 3, 28, 1, 30)


def test_an_interval_to_midnight_and_holidays() -> None:
    late = Schedule.of("UTC", {"fri": [["18:00", "24:00"]]}, [date(2027, 1, 8)])
    assert late.is_open(at(2027, 1, 1, 23, 59))
    assert not late.is_open(at(2027, 1, 2, 0, 0))
    assert late.closes_at(at(2027, 1, 1, 20, 0)) == at(2027, 1, 2, 0, 0)
    # Friday the 8th is a holiday: the next opening is the Friday after.
    assert late.next_opening(at(2027, 1, 2, 0, 0)) == at(2027, 1, 15, 18, 0)


def test_never_open_has_no_next_opening() -> None:
    assert Schedule.of("UTC", {}, []).next_opening(at(2027, 1, 1)) is None


@pytest.mark.parametrize(
    "weekly",
    [
        {"mon": [["9:00", "17:00"]]},
        {"mon": [["09:00", "09:00"]]},
        {"mon": [["24:00", "24:00"]]},
        {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]},
        {"mon": [["08:00"]]},
    ],
)
def test_bad_weekly_hours_are_refused(weekly: dict[str, list[list[str]]]) -> None:
    with pytest.raises(ValidationFailed):
        check_weekly(weekly)
