"""Images are cleaned in worker processes at the lowest CPU priority (SCHED_IDLE), behind a
queue bounded in bytes: an image beyond the bound is refused (503), and the room comes back
when work ends."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from frontdesk.core.errors import Unavailable
from frontdesk.features.files.images import ImageRefused
from frontdesk.features.files.workers import ImageWorkers

pytestmark = pytest.mark.asyncio


def _png(size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((size, size), 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _upload(tmp_path: Path, data: bytes) -> tuple[Path, Path, Path, int]:
    """An upload on disk, as the server receives it, and where its results go."""
    source = tmp_path / f"upload-{len(list(tmp_path.iterdir()))}"
    source.write_bytes(data)
    return source, source.with_suffix(".clean"), source.with_suffix(".thumb"), len(data)


async def test_an_image_beyond_the_queue_s_bytes_is_refused_until_the_queue_has_room(
    tmp_path: Path,
) -> None:
    png = _png()
    workers = ImageWorkers(0, queue_bytes=len(png) * 2 - 1)  # room for one image
    async with workers._thread_slot:  # the image work is busy with another request
        first = asyncio.create_task(workers.clean(*_upload(tmp_path, png)))
        await asyncio.sleep(0.01)
        assert workers.held == len(png)
        with pytest.raises(Unavailable) as refused:
            await workers.clean(*_upload(tmp_path, png))
        assert refused.value.status == 503
    assert (await first).width == 64
    assert workers.held == 0
    assert (await workers.clean(*_upload(tmp_path, png))).height == 64  # room again
    # One image larger than the whole bound is still taken when nothing else waits.
    assert (await ImageWorkers(0, queue_bytes=10).clean(*_upload(tmp_path, png))).width == 64


async def test_images_are_cleaned_in_a_worker_process_at_idle_cpu_priority(
    tmp_path: Path,
) -> None:
    workers = ImageWorkers(1, queue_bytes=10_000_000)
    try:
        source, clean, thumb, size = _upload(tmp_path, _png(300))
        image = await workers.clean(source, clean, thumb, size)
        assert (image.width, image.height) == (300, 300)
        assert clean.stat().st_size == image.size > 0
        with Image.open(clean) as cleaned, Image.open(thumb) as thumbnail:
            assert cleaned.format == "PNG" and cleaned.size == (300, 300)
            assert thumbnail.format == "WEBP"
        with pytest.raises(ImageRefused):
            await workers.clean(*_upload(tmp_path, b"<html><script>alert(1)</script></html>"))
        pool = workers._executor()
        worker_pid = await asyncio.wrap_future(pool.submit(os.getpid))
        assert worker_pid != os.getpid()
        # Read from outside the worker, as an operator would (`chrt -p`, /proc/<pid>/sched):
        # the worker is SCHED_IDLE, so any runnable server thread on its core comes first.
        assert os.sched_getscheduler(worker_pid) == os.SCHED_IDLE
        assert os.sched_getscheduler(os.getpid()) == os.SCHED_OTHER  # the server is not
        policy = next(
            line.split(":")[1].strip()
            for line in Path(f"/proc/{worker_pid}/sched").read_text().splitlines()
            if line.startswith("policy")
        )
        assert policy == str(os.SCHED_IDLE)
        assert workers.held == 0
    finally:
        workers.close()
