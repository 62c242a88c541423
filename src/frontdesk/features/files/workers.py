"""Where images are cleaned: in worker processes, behind a queue bounded in bytes.

Cleaning a 12-megapixel photo takes a few hundred ms of CPU (bench/file_upload.py). In a
thread of the server process it held up the event loop: Pillow releases the interpreter lock
while it decodes, encodes and resizes, but takes it back hundreds of times per image (once per
64 KB block), and each time the event loop's thread must hand the lock over and wait until the
image thread has been scheduled to take it; on a busy machine that wait is what chats felt.
A worker process shares no lock with the server: the event loop hands over three paths (the
upload, already on disk, and where the clean image and its thumbnail go) and reads a few numbers
back; no image's bytes pass between the processes. The workers run at the lowest CPU priority
Linux has (SCHED_IDLE; nice 19 where that is not allowed), so on a machine with few cores the
server's own work comes first and images take what is left (`_lowest_priority` says why nice 10
was not enough).

The queue is bounded in bytes (FRONTDESK_FILE_IMAGE_QUEUE_MB per server process): the bytes of
images waiting for or in work; one more is refused with 503 rather than kept waiting (and on
disk) for minutes.
`FRONTDESK_FILE_IMAGE_WORKERS=0` keeps the work in a thread of the server (as before).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from frontdesk.core.errors import Unavailable
from frontdesk.features.files.images import CleanedFile, ImageRefused, clean_image_file

log = logging.getLogger("frontdesk.files")

WORKER_NICE = 19  # where SCHED_IDLE is not allowed


def _lowest_priority() -> None:
    """In each worker process, once: the lowest CPU priority there is.

    SCHED_IDLE, not a nice value: with 20 uploads in a row the worker has work all the time and
    takes a whole core, and at nice 10 (CFS weight 110 against the server's 1024) the kernel
    still lets it finish its slice when a chat message wakes the server on that core, so the
    chat's p99 went up 4-5x on 2 cores (bench/RESULTS.md, issue 20). A SCHED_IDLE task (weight
    3) is preempted at once when any normal task wakes on its core, yet it is not starved for
    ever: on a machine that is never idle it still gets its small share, so an upload waits
    longer but does not hang. Any process may lower its own policy to SCHED_IDLE
    (sched_setscheduler(2)); where it is refused all the same (a seccomp filter, a kernel
    without it, not Linux) the worker falls back to nice 19, the lowest nice value."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        # (not allowed here either: the worker runs at the server's priority)
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICE - os.nice(0))


class ImageWorkers:
    """The server process's image workers and their queue (one per runtime)."""

    def __init__(self, workers: int, queue_bytes: int) -> None:
        self.workers = workers
        self.queue_bytes = queue_bytes
        self.held = 0  # bytes of images waiting for or in work
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        # in-thread mode: one image at a time (two would take both cores of a small machine)
        self._thread_slot = asyncio.Semaphore(1)

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fresh interpreter that imports only what cleaning needs, never a fork
            # of a server process with its threads, sockets and event loop
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lowest_priority,
            )
        return self._pool

    async def clean(self, source: Path, out: Path, thumb: Path, size: int) -> CleanedFile:
        """The image at `source` (`size` bytes) cleaned into `out` and thumbnailed into `thumb`
        (ImageRefused when it is not a safe image), or Unavailable when the queue already holds
        its limit in bytes."""
        if self.held + size > self.queue_bytes and self.held > 0:
            raise Unavailable(
                "the server is busy with other images right now; try again in a moment"
            )
        self.held += size
        try:
            if self.workers == 0:
                async with self._thread_slot:
                    return await asyncio.to_thread(clean_image_file, source, out, thumb)
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(
                    self._executor(), clean_image_file, source, out, thumb
                )
            except BrokenProcessPool:
                # a worker died (killed for memory, say): a new pool for the next image
                log.warning("an image worker process died; starting new ones")
                pool, self._pool = self._pool, None
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                raise ImageRefused("this image could not be processed") from None
        finally:
            self.held -= size

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
