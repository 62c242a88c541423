"""How fast one server process reads the files sent to it: a token bucket over the bytes of
every upload together (transport/api_files.py holds each chunk of an upload in the upload lane
for the seconds this gives).

A photo or two go through at the peak rate; what comes after the burst allowance, while uploads
keep pouring in, is read at the sustained rate. Reading 5 MB photos costs the server little,
but each one is then decoded and thumbnailed on the other core, and on 2 cores 20 uploads that
never stop kept both busy: the chats beside them answered at 2-3x their p99 without uploads;
at 16 MB/s sustained, 1.3-1.6x (bench/file_upload.py --mode sustained, 2026-12-07). A visitor's
upload over a real network rarely arrives faster than the sustained rate anyway."""

from __future__ import annotations


class UploadPace:
    """A token bucket of bytes: `burst_bytes` may be read at `peak` bytes/s, then `sustained`."""

    __slots__ = ("_at", "_burst", "_peak", "_sustained", "_tokens")

    def __init__(self, *, peak: float, sustained: float, burst_bytes: float, now: float) -> None:
        if peak <= 0 or sustained <= 0 or burst_bytes < 0:
            raise ValueError("rates must be positive and the burst allowance not negative")
        self._peak = peak
        self._sustained = sustained
        self._burst = float(burst_bytes)
        self._tokens = float(burst_bytes)
        self._at = now

    def seconds_for(self, size: int, now: float) -> float:
        """How long reading `size` bytes that begin at `now` holds the lane: as long as they take
        at the peak rate, or, once the allowance is spent, until the sustained rate has paid
        for them."""
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._sustained)
        self._at = now
        self._tokens -= size
        seconds = size / self._peak
        if self._tokens < 0:
            seconds = max(seconds, -self._tokens / self._sustained)
        return seconds
