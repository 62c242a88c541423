"""Making what was written survive a power cut."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """Flushes a file's data, or a directory's entries, to the disk (fsync(2) on a descriptor
    opened read-only, which works for both on Linux)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
