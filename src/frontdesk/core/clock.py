"""Time as a dependency, so tests move it forward instead of sleeping."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when a test tells it to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        self._now = when


class FileOffsetClock:
    """Real time plus an offset read from a file.

    Used only when FRONTDESK_TEST_CLOCK_FILE is set: end-to-end tests that run several server
    processes move every process's time forward at once by writing a number of seconds to the
    file. The file is re-read at most every 50 ms so the hot path stays cheap.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0.0
        self._checked_at = 0.0

    def _refresh(self) -> None:
        mono = time.monotonic()
        if mono - self._checked_at < 0.05:
            return
        self._checked_at = mono
        try:
            self._offset = float(self._path.read_text().strip() or 0)
        except (OSError, ValueError):
            self._offset = 0.0

    def now(self) -> datetime:
        self._refresh()
        return datetime.now(UTC) + timedelta(seconds=self._offset)


def clock_from_environment() -> Clock:
    path = os.environ.get("FRONTDESK_TEST_CLOCK_FILE")
    if path:
        return FileOffsetClock(Path(path))
    return SystemClock()


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; everything we store is UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
