"""`frontdesk serve` on a clock the test moves: real time plus a number of seconds read from a
file. Tests that run several server processes move all of them forward at once by writing to
the file (tests/multiprocess/conftest.py, Cluster.move_clock).

    python -m tests.support.serve_with_clock CLOCK_FILE serve --host 127.0.0.1 --port 8000

This seam lives in the test tree on purpose: production code only takes a Clock
(frontdesk.cli.main(clock=...)) and reads no test-only variable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from frontdesk.cli import main as frontdesk_main


class FileOffsetClock:
    """Real time plus the offset in seconds written in a file. The file is re-read at most
    every 50 ms so the server's hot path stays cheap."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0.0
        self._checked_at = float("-inf")

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


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    clock_file, *frontdesk_args = argv
    return frontdesk_main(frontdesk_args, clock=FileOffsetClock(Path(clock_file)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
