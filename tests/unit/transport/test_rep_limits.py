"""The rep socket's rates as read from the settings, and when a console is refused or closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.core.clock import FrozenClock, SystemClock
from frontdesk.settings import SettingsError, load_settings
from frontdesk.transport.frame_limits import Rate
from frontdesk.transport.rep_limits import (
    DEFAULT_REP_FRAME_RATES,
    RepLimits,
    rep_frame_types,
)


def _clock() -> FrozenClock:
    return FrozenClock(SystemClock().now().replace(second=0, microsecond=0))


def test_every_frame_type_the_rep_socket_accepts_has_a_rate() -> None:
    assert set(rep_frame_types()) == set(DEFAULT_REP_FRAME_RATES)
    assert {"call_candidate", "call_keepalive", "typing", "message", "hello"} <= set(
        rep_frame_types()
    )


def test_a_limit_for_a_frame_type_the_rep_socket_does_not_have_stops_the_server() -> None:
    settings = load_settings({"FRONTDESK_REP_FRAME_LIMITS": "call_candidates=10/minute"})
    with pytest.raises(SettingsError, match=r"FRONTDESK_REP_FRAME_LIMITS names unknown frame"):
        RepLimits(settings, SystemClock())


def test_overrides_win_over_the_built_in_rates() -> None:
    settings = load_settings(
        {"FRONTDESK_REP_FRAME_LIMITS": "call_candidate=600/minute; typing = 5 per 10 seconds"}
    )
    limits = RepLimits(settings, SystemClock())
    assert limits.frame_rates["call_candidate"] == Rate(600, 60, "600/minute")
    assert limits.frame_rates["typing"] == Rate(5, 10, "5 per 10 seconds")
    assert limits.frame_rates["ping"] == Rate.parse(DEFAULT_REP_FRAME_RATES["ping"])


def test_the_flood_factor_is_read_and_must_be_at_least_two() -> None:
    assert load_settings({}).rep_frame_flood_factor == 10
    assert load_settings({"FRONTDESK_REP_FRAME_FLOOD_FACTOR": "3"}).rep_frame_flood_factor == 3
    with pytest.raises(ValueError, match="greater than or equal to 2"):
        load_settings({"FRONTDESK_REP_FRAME_FLOOD_FACTOR": "1"})
    with pytest.raises(ValueError, match="not a rate"):
        load_settings({"FRONTDESK_REP_FRAME_LIMITS": "typing=often"})


def test_frames_over_the_rate_are_refused_and_far_over_it_the_console_is_closed() -> None:
    settings = load_settings(
        {
            "FRONTDESK_REP_FRAME_LIMITS": "call_candidate=3/minute",
            "FRONTDESK_REP_FRAME_FLOOD_FACTOR": "4",
        }
    )
    limits = RepLimits(settings, _clock())
    verdicts = [limits.refuse_frame("call_candidate", "rep1") for _ in range(13)]
    assert verdicts[:3] == [None, None, None]
    refused = verdicts[3:12]  # the 4th to the 12th (4 times the rate): refused, socket open
    assert all(v is not None and v.close_reason is None for v in refused)
    assert refused[0] is not None
    assert refused[0].message == (
        "too many call_candidate frames (at most 3/minute); wait and try again"
    )
    closing = verdicts[12]
    assert closing is not None and closing.close_reason is not None
    assert b"call_candidate" in closing.close_reason and len(closing.close_reason) <= 123


def test_counts_are_per_rep_and_per_frame_type_and_start_again_next_window() -> None:
    clock = _clock()
    settings = load_settings({"FRONTDESK_REP_FRAME_LIMITS": "typing=2/minute"})
    limits = RepLimits(settings, clock)
    assert [limits.refuse_frame("typing", "rep1") is None for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert limits.refuse_frame("typing", "rep2") is None  # another rep counts apart
    assert limits.refuse_frame("ping", "rep1") is None  # another frame type counts apart
    clock.advance(60)
    assert limits.refuse_frame("typing", "rep1") is None


def test_the_protocol_doc_lists_every_rep_frame_type_with_its_default_rate() -> None:
    document = (Path(__file__).parents[3] / "docs" / "protocol.md").read_text()
    section = document[document.index("## Rep socket") :]
    for frame_type, rate in DEFAULT_REP_FRAME_RATES.items():
        assert f"| `{frame_type}` | {rate} |" in section, frame_type


def test_frames_a_console_cannot_use_count_apart_and_far_over_their_rate_close_it() -> None:
    clock = _clock()
    settings = load_settings(
        {"FRONTDESK_REP_FRAME_LIMITS": "invalid=2/minute", "FRONTDESK_REP_FRAME_FLOOD_FACTOR": "3"}
    )
    limits = RepLimits(settings, clock)
    verdicts = [limits.refuse_invalid("rep1") for _ in range(7)]
    assert all(v is None or v.close_reason is None for v in verdicts[:6])
    last = verdicts[6]
    assert last is not None
    assert last.close_reason == b"flooding: over 3 times 2/minute invalid frames"
    assert limits.refuse_frame("ping", "rep1") is None  # valid frames count apart
    clock.advance(60)
    assert limits.refuse_invalid("rep1") is None
