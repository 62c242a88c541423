"""The visitor limits as read from the settings, and the in-process window counts."""

from __future__ import annotations

import pytest

from frontdesk.core.clock import FrozenClock, SystemClock
from frontdesk.settings import SettingsError, load_settings
from frontdesk.transport.frame_limits import DEFAULT_INVALID_RATE, INVALID
from frontdesk.transport.visitor_limits import Rate, Refusal, VisitorLimits, WindowCounters


def test_a_limit_for_a_frame_type_the_socket_does_not_have_stops_the_server() -> None:
    settings = load_settings({"FRONTDESK_VISITOR_FRAME_LIMITS": "page_veiw=10/minute"})
    with pytest.raises(SettingsError, match=r"unknown frame types \['page_veiw'\]"):
        VisitorLimits(settings, SystemClock())


def test_overrides_win_and_the_chat_message_limit_keeps_its_own_setting() -> None:
    settings = load_settings(
        {
            "FRONTDESK_VISITOR_MESSAGES_PER_10S": "7",
            "FRONTDESK_VISITOR_FRAME_LIMITS": "page_view=300/minute",
        }
    )
    limits = VisitorLimits(settings, SystemClock())
    assert limits.frame_rates["message"] == Rate(7, 10, "7/10 seconds")
    assert limits.frame_rates["page_view"].amount == 300
    assert limits.frame_rates["ping"] == Rate.parse("60/minute")


def test_window_counts_start_again_in_the_next_window() -> None:
    clock = FrozenClock(SystemClock().now().replace(second=0, microsecond=0))
    counters = WindowCounters(clock)
    rate = Rate.parse("2/minute")
    assert [counters.hit("ping:v1", rate) for _ in range(3)] == [True, True, False]
    assert counters.hit("ping:v2", rate)  # another visitor counts apart
    clock.advance(60)
    assert counters.hit("ping:v1", rate)


def _minute_clock() -> FrozenClock:
    return FrozenClock(SystemClock().now().replace(second=0, microsecond=0))


async def test_a_visitor_far_over_a_rate_is_to_be_closed_with_a_reason() -> None:
    settings = load_settings(
        {
            "FRONTDESK_VISITOR_FRAME_LIMITS": "typing=3/minute",
            "FRONTDESK_VISITOR_FRAME_FLOOD_FACTOR": "4",
        }
    )
    limits = VisitorLimits(settings, _minute_clock())
    verdicts = [
        # Runtime is only asked for offline messages (counted in Redis too).
        await limits.refuse_frame(None, "typing", "org", "v1", None)  # type: ignore[arg-type]
        for _ in range(13)
    ]
    assert verdicts[:3] == [None, None, None]
    refused = verdicts[3:12]  # up to four times the rate: refused, the socket stays open
    assert all(v is not None and v.close_reason is None for v in refused)
    assert refused[0] == Refusal(
        "too many typing frames (at most 3/minute); wait and try again", None
    )
    closing = verdicts[12]
    assert closing is not None
    assert closing.close_reason == b"flooding: over 4 times 3/minute typing frames"


def test_frames_the_socket_cannot_use_count_in_their_own_bucket_and_flood_too() -> None:
    clock = _minute_clock()
    settings = load_settings({"FRONTDESK_VISITOR_FRAME_FLOOD_FACTOR": "2"})
    limits = VisitorLimits(settings, clock)
    assert (
        limits.frame_rates[INVALID] == Rate.parse(DEFAULT_INVALID_RATE) == Rate.parse("30/minute")
    )
    verdicts = [limits.refuse_invalid("v1") for _ in range(61)]
    # Within twice the rate nothing but the frame's own error; the 61st closes the socket.
    assert all(v is None or v.close_reason is None for v in verdicts[:60])
    last = verdicts[60]
    assert last is not None
    assert last.close_reason == b"flooding: over 2 times 30/minute invalid frames"
    assert limits.refuse_invalid("v2") is None  # per visitor
    clock.advance(60)
    assert limits.refuse_invalid("v1") is None  # the next window starts afresh


def test_the_invalid_rate_and_the_flood_factor_are_settings() -> None:
    settings = load_settings({"FRONTDESK_VISITOR_FRAME_LIMITS": "invalid=5/minute"})
    assert VisitorLimits(settings, SystemClock()).frame_rates[INVALID] == Rate.parse("5/minute")
    assert load_settings({}).visitor_frame_flood_factor == 10
    with pytest.raises(ValueError, match="greater than or equal to 2"):
        load_settings({"FRONTDESK_VISITOR_FRAME_FLOOD_FACTOR": "1"})
