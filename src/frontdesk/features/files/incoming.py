"""An upload while it is received: written to a file as it arrives, never held in memory.

The request body is read in chunks of a few hundred KB (transport/api_files.py); the chunks are
written to a temporary file in the store's incoming directory (stores.py), a megabyte or so at a
time, in a worker thread, so neither the copy nor a slow disk holds up the event loop. The
image worker then reads the file by its path and writes its results next to it
(workers.py), and the store takes the finished file over (the local store renames it into place).
Whoever made the IncomingFile discards it when the request ends, whatever happened: its file and
everything derived from it are deleted (a file already taken over by the store is simply gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

# Chunks are gathered up to this many bytes before they are written (one thread hand-over each).
WRITE_BYTES = 1024 * 1024


def _create(directory: Path) -> tuple[int, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    return fd, Path(name)


def _write_all(fd: int, chunks: list[bytes | memoryview]) -> None:
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


class IncomingFile:
    """A file being received. `await IncomingFile.create(dir)`, `write` each chunk, `finish`,
    then hand `path` on; always `discard` at the end."""

    def __init__(self, fd: int, path: Path) -> None:
        self.path = path
        self.size = 0
        self._fd: int | None = fd
        self._pending: list[bytes | memoryview] = []
        self._pending_bytes = 0
        self._derived: list[Path] = []

    @classmethod
    async def create(cls, directory: Path) -> IncomingFile:
        fd, path = await asyncio.to_thread(_create, directory)
        return cls(fd, path)

    async def write(self, chunk: bytes | memoryview) -> None:
        """Adds a chunk (kept as it is, not copied: a view keeps the bytes it shows); written
        once a megabyte has gathered."""
        if not chunk:
            return
        self.size += len(chunk)
        self._pending.append(chunk)
        self._pending_bytes += len(chunk)
        if self._pending_bytes >= WRITE_BYTES:
            await self._flush()

    async def _flush(self) -> None:
        chunks, self._pending, self._pending_bytes = self._pending, [], 0
        if chunks:
            assert self._fd is not None, "the file was finished or discarded"
            await asyncio.to_thread(_write_all, self._fd, chunks)

    async def finish(self) -> None:
        """Writes what is left and closes the file: `path` then holds the whole upload."""
        await self._flush()
        fd, self._fd = self._fd, None
        if fd is not None:
            await asyncio.to_thread(os.close, fd)

    def derived(self, suffix: str) -> Path:
        """A path next to the upload for a file made from it (a cleaned image, a thumbnail),
        deleted with it by `discard`."""
        path = self.path.with_name(f"{self.path.name}.{suffix}")
        self._derived.append(path)
        return path

    async def discard(self) -> None:
        """Closes and deletes the upload and its derived files (those still there)."""
        fd, self._fd = self._fd, None
        self._pending = []
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        paths = [self.path, *self._derived]
        try:
            await asyncio.to_thread(_remove, paths)
        except asyncio.CancelledError:
            _remove(paths)  # a request cancelled meanwhile leaves nothing behind either
            raise
