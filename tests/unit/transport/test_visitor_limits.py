"""The visitor limits as read from the settings, and the in-process window counts."""

from __future__ import annotations

import pytest

from frontdesk.core.clock import FrozenClock, SystemClock
from frontdesk.settings import SettingsError, load_settings
from frontdesk.transport.visitor_limits import Rate, VisitorLimits, WindowCounters


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
