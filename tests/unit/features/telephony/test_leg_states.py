"""A phone leg only moves forward, once per state, whatever order callbacks arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frontdesk.features.telephony.models import PhoneLeg
from frontdesk.features.telephony.service import _advance

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def leg() -> PhoneLeg:
    return PhoneLeg(id="l", status="queued", created_at=T0)


def test_ringing_answered_completed_sets_each_time_once() -> None:
    phone = leg()
    assert _advance(phone, "ringing", T0 + timedelta(seconds=1))
    assert not _advance(phone, "ringing", T0 + timedelta(seconds=2))  # a retried callback
    assert _advance(phone, "in_progress", T0 + timedelta(seconds=5))
    assert _advance(phone, "completed", T0 + timedelta(seconds=65), duration=60)
    assert (phone.ringing_at, phone.answered_at, phone.ended_at) == (
        T0 + timedelta(seconds=1),
        T0 + timedelta(seconds=5),
        T0 + timedelta(seconds=65),
    )
    assert phone.duration_seconds == 60


def test_a_late_callback_never_moves_a_leg_back_or_out_of_an_end() -> None:
    phone = leg()
    _advance(phone, "in_progress", T0)
    assert not _advance(phone, "ringing", T0)
    assert phone.status == "in_progress"
    _advance(phone, "completed", T0)
    assert not _advance(phone, "in_progress", T0)
    assert not _advance(phone, "failed", T0, reason="late")
    assert (phone.status, phone.end_reason) == ("completed", None)


def test_a_leg_ended_here_takes_the_providers_duration_when_it_comes() -> None:
    phone = leg()
    _advance(phone, "in_progress", T0)
    _advance(phone, "completed", T0, reason="hung up by the rep")
    assert _advance(phone, "completed", T0, duration=31)
    assert (phone.duration_seconds, phone.end_reason) == (31, "hung up by the rep")
    assert not _advance(phone, "completed", T0, duration=31)


def test_a_call_that_is_never_answered_ends_busy_without_answered_time() -> None:
    phone = leg()
    _advance(phone, "ringing", T0)
    _advance(phone, "busy", T0)
    assert (phone.status, phone.answered_at) == ("busy", None)
