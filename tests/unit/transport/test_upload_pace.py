"""The pace at which a process reads uploads (transport/upload_pace.py): a burst at the peak
rate, then the sustained rate, the allowance refilling while nothing comes."""

from __future__ import annotations

import pytest

from frontdesk.transport.upload_pace import UploadPace

MB = 1024 * 1024


def pace(burst_mb: float = 32, now: float = 0.0) -> UploadPace:
    return UploadPace(peak=64 * MB, sustained=16 * MB, burst_bytes=burst_mb * MB, now=now)


def test_a_photo_within_the_allowance_is_read_at_the_peak_rate() -> None:
    p = pace()
    held = [p.seconds_for(MB // 2, now=i * 0.01) for i in range(10)]  # 5 MB in 64 chunks' time
    assert held == pytest.approx([0.5 / 64] * 10)


def test_uploads_past_the_allowance_are_read_at_the_sustained_rate() -> None:
    p = pace(burst_mb=1)
    now = 0.0
    total_held = 0.0
    for _ in range(20):  # 10 MB in chunks of half a MB, each as soon as the last was let go
        held = p.seconds_for(MB // 2, now)
        now += held
        total_held += held
    # Beyond the allowance (1 MB), every byte waits for the sustained rate to pay for it
    assert total_held == pytest.approx((10 - 1) / 16)
    assert p.seconds_for(MB // 2, now) == pytest.approx(0.5 / 16)  # and so it goes on


def test_the_allowance_refills_at_the_sustained_rate_while_nothing_comes() -> None:
    p = pace(burst_mb=4)
    assert p.seconds_for(4 * MB, now=0.0) == pytest.approx(4 / 64)  # the allowance, spent
    # 1/16 s later 1 MB has come back; 2 MB then owe 1 MB, paid in 1/16 s
    assert p.seconds_for(2 * MB, now=1 / 16) == pytest.approx(1 / 16)
    # Nothing for a second: the allowance is whole again (4 MB at the peak rate), not more
    assert p.seconds_for(4 * MB, now=1 / 8 + 1) == pytest.approx(4 / 64)
    assert p.seconds_for(MB, now=1 / 8 + 1) == pytest.approx(1 / 16)


def test_rates_that_could_not_pace_anything_are_refused() -> None:
    with pytest.raises(ValueError):
        UploadPace(peak=64 * MB, sustained=0, burst_bytes=MB, now=0)
    with pytest.raises(ValueError):
        UploadPace(peak=64 * MB, sustained=MB, burst_bytes=-1, now=0)
