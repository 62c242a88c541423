"""Offered slots from intervals: what a rep's hours, busy times and buffers leave free."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.features.meetings.slots import (
    MemberTime,
    free_members,
    intersect,
    merge,
    offered_slots,
    subtract,
    working_intervals,
)

MIN = 60
HOUR = 3600
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str, zone: str = "UTC") -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp())


def local(ts: int, zone: str) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(zone)).strftime("%a %d %H:%M")


def test_intervals_merge_subtract_and_intersect() -> None:
    assert merge([(5, 7), (1, 3), (2, 4), (7, 8)]) == [(1, 4), (5, 8)]
    assert subtract([(0, 10), (20, 30)], [(2, 3), (5, 22), (29, 40)]) == [(0, 2), (3, 5), (22, 29)]
    assert intersect([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]


def test_a_busy_time_and_the_buffers_around_it_are_not_offered() -> None:
    day = (at("2026-03-02T00:00"), at("2026-03-03T00:00"))
    member = MemberTime(
        "dana",
        working_intervals("UTC", WEEKDAYS_9_TO_5, [], day),
        [(at("2026-03-02T11:00"), at("2026-03-02T12:00"))],
    )
    starts = offered_slots(
        [member], duration=30 * MIN, buffer_before=15 * MIN, buffer_after=15 * MIN, earliest=0
    )
    labels = [local(s, "UTC")[-5:] for s in starts]
    # 10:15 would end at 10:45 + 15 min buffer = 11:00: still fine; 10:30 is not.
    assert "10:15" in labels and "10:30" not in labels
    # After the busy hour: 12:00 + 15 min buffer.
    assert "12:00" not in labels and "12:15" in labels
    assert labels[0] == "09:00" and labels[-1] == "16:30"


def test_days_off_and_minimum_notice_remove_slots() -> None:
    week = (at("2026-03-02T00:00"), at("2026-03-07T00:00"))
    member = MemberTime("dana", working_intervals("UTC", WEEKDAYS_9_TO_5, ["2026-03-03"], week), [])
    starts = offered_slots([member], duration=HOUR, earliest=at("2026-03-04T16:00"))
    days = sorted({local(s, "UTC")[:6] for s in starts}, key=lambda d: d[-2:])
    assert days == ["Wed 04", "Thu 05", "Fri 06"]
    assert local(starts[0], "UTC") == "Wed 04 16:00"


def test_working_hours_follow_the_reps_zone_across_a_dst_change() -> None:
    """New York moves its clocks on 8 March 2026, Berlin on 29 March: for three weeks the
    two zones are five hours apart, not six."""
    window = (at("2026-03-06T00:00"), at("2026-03-31T00:00"))
    hours = working_intervals("America/New_York", WEEKDAYS_9_TO_5, [], window)
    starts = [s for s, _ in hours]
    friday, monday, after_eu = starts[0], starts[1], starts[-1]
    assert local(friday, "America/New_York") == "Fri 06 09:00"
    assert local(friday, "Europe/Berlin") == "Fri 06 15:00"
    assert local(monday, "America/New_York") == "Mon 09 09:00"
    assert local(monday, "Europe/Berlin") == "Mon 09 14:00"
    assert local(after_eu, "America/New_York") == "Mon 30 09:00"
    assert local(after_eu, "Europe/Berlin") == "Mon 30 15:00"


def test_schedule_with_everyone_offers_only_common_free_time() -> None:
    day = (at("2026-03-02T00:00"), at("2026-03-03T00:00"))
    morning = MemberTime("a", working_intervals("UTC", {"mon": [["09:00", "13:00"]]}, [], day), [])
    afternoon = MemberTime(
        "b",
        working_intervals("UTC", {"mon": [["11:00", "17:00"]]}, [], day),
        [(at("2026-03-02T11:30"), at("2026-03-02T12:00"))],
    )
    both = offered_slots([morning, afternoon], duration=30 * MIN, earliest=0, mode="all")
    assert [local(s, "UTC")[-5:] for s in both] == ["11:00", "12:00", "12:15", "12:30"]
    anyone = offered_slots([morning, afternoon], duration=30 * MIN, earliest=0, mode="any")
    assert len(anyone) > len(both)
    assert free_members([morning, afternoon], at("2026-03-02T11:30"), duration=30 * MIN) == ["a"]


@settings(max_examples=150, deadline=None)
@given(
    busy=st.lists(
        st.tuples(st.integers(0, 95), st.integers(1, 12)).map(
            lambda p: (p[0] * 900, (p[0] + p[1]) * 900)
        ),
        max_size=12,
    ),
    work=st.lists(
        st.tuples(st.integers(0, 95), st.integers(1, 40)).map(
            lambda p: (p[0] * 900, min(96, p[0] + p[1]) * 900)
        ),
        min_size=1,
        max_size=4,
    ),
    duration=st.sampled_from([15 * MIN, 30 * MIN, 45 * MIN, 60 * MIN]),
    before=st.sampled_from([0, 5 * MIN, 15 * MIN]),
    after=st.sampled_from([0, 10 * MIN, 30 * MIN]),
)
def test_slots_equal_a_minute_by_minute_check(
    busy: list[tuple[int, int]],
    work: list[tuple[int, int]],
    duration: int,
    before: int,
    after: int,
) -> None:
    """The interval arithmetic offers exactly the starts a naive check of every minute would."""
    member = MemberTime("x", merge(work), merge(busy))
    starts = offered_slots(
        [member], duration=duration, buffer_before=before, buffer_after=after, earliest=0
    )

    def naive(start: int) -> bool:
        inside = any(s <= start and start + duration <= e for s, e in merge(work))
        clear = all(start + duration + after <= s or e <= start - before for s, e in busy)
        return inside and clear

    assert starts == [t for t in range(0, 96 * 900, 900) if naive(t)]


def test_an_empty_team_offers_nothing() -> None:
    assert offered_slots([], duration=HOUR, earliest=0) == []
