"""`frontdesk serve` with probes of its own event loop.

    python bench/_loop_lag_server.py OUT.json serve --host ... --port ...

Two probes, written to OUT.json when the server stops (SIGTERM), with unix times so that a
benchmark can cut them into its own windows:

- `lag`: a task sleeps 2 ms over and over and records how late each wake-up was, in ms. On a
  machine whose cores are busy with other work this includes the time the server was not
  scheduled at all.
- `long_steps`: while a callback has run for over 5 ms, a thread samples the loop's stack
  every millisecond: the most frequent stacks (innermost first).
- `stalls`: every callback that took 5 ms or more of wall time, split into the loop thread's
  CPU time, its time waiting for a core (the kernel's run-queue delay, /proc schedstat) and the
  rest: time the thread was blocked or asleep (a lock, a busy wait, I/O). This is what tells a
  callback that was slow from a process that was not scheduled.
- `held`: every callback the loop runs (a task's step between two awaits, a socket's read, a
  timer) is timed in CPU time of the loop's thread, which does not grow while the process waits
  for a core; those of 1 ms or more are recorded with what ran. This is how long the loop's own
  work held it, robust to the machine's load.

The probes cost the server about 500 wake-ups a second and two clock reads per callback;
figures taken with them are not compared with figures taken without.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import sys
import threading
import time
from asyncio import events
from pathlib import Path
from typing import Any

import orjson

from frontdesk import cli

INTERVAL = 0.002
HELD_MS = 1.0


async def _sample(out: list[tuple[float, float]]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(INTERVAL)
        out.append((time.time(), (loop.time() - started - INTERVAL) * 1000))


def _what(handle: events.Handle) -> str:
    callback: Any = handle._callback  # type: ignore[attr-defined]
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro: Any = owner.get_coro()
        return f"task {getattr(coro, '__qualname__', type(coro).__name__)}"
    return str(getattr(callback, "__qualname__", type(callback).__name__))


def _suspended_at(handle: events.Handle) -> str:
    """Where a task's coroutine waits (its innermost frames of Frontdesk's own code)."""
    owner = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
    if not isinstance(owner, asyncio.Task):
        return ""
    frames: list[str] = []
    at: Any = owner.get_coro()
    while at is not None:
        frame = getattr(at, "cr_frame", None) or getattr(at, "gi_frame", None)
        if frame is not None and "/frontdesk/" in frame.f_code.co_filename:
            name = frame.f_code.co_filename.rsplit("/frontdesk/", 1)[-1]
            frames.append(f"{name}:{frame.f_lineno}")
        at = getattr(at, "cr_await", None) or getattr(at, "gi_yieldfrom", None)
    return " > ".join(frames[-3:])


class _StepSampler:
    """A thread that looks at the loop's stack every millisecond while one callback has run
    for more than 5 ms (wall time), and counts where it was: what the long steps do."""

    def __init__(self) -> None:
        self.step_started: float | None = None
        self.stacks: collections.Counter[str] = collections.Counter()
        self._loop_thread = threading.get_ident()
        threading.Thread(target=self._run, daemon=True, name="step-sampler").start()

    def _run(self) -> None:
        while True:
            time.sleep(0.001)
            started = self.step_started
            if started is None or time.perf_counter() - started < 0.005:
                continue
            frame: Any = sys._current_frames().get(self._loop_thread)
            where: list[str] = []
            while frame is not None and len(where) < 6:
                name = frame.f_code.co_filename
                if "/frontdesk/" in name or "site-packages" in name:
                    short = name.rsplit("/frontdesk/", 1)[-1].rsplit("site-packages/", 1)[-1]
                    where.append(f"{short}:{frame.f_lineno}({frame.f_code.co_name})")
                frame = frame.f_back
            self.stacks[" < ".join(where)] += 1


def _run_queue_wait() -> Any:
    """A reader of the calling thread's time spent runnable but not running, in seconds."""
    fd = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)

    def read() -> float:
        return int(os.pread(fd, 64, 0).split()[1]) / 1e9

    return read


class _Turns:
    """Turns of the loop (one `_run_once`: wait in the selector, then every ready callback)
    that took 5 ms or more of wall time: how many callbacks they ran, the time in the selector,
    and what the callbacks were (summed by kind, in ms of wall time)."""

    def __init__(self) -> None:
        self.long: list[tuple[float, float, float, int, list[tuple[str, float]]]] = []
        self.count = 0
        self.kinds: collections.Counter[str] = collections.Counter()

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        run_once = loop._run_once  # type: ignore[attr-defined]
        selector: Any = loop._selector  # type: ignore[attr-defined]
        select = selector.select
        selected = [0.0]

        def timed_select(timeout: float | None = None) -> Any:
            started = time.perf_counter()
            try:
                return select(timeout)
            finally:
                selected[0] = (time.perf_counter() - started) * 1000

        def timed_run_once() -> None:
            self.count = 0
            self.kinds.clear()
            started = time.perf_counter()
            run_once()
            wall = (time.perf_counter() - started) * 1000
            if wall - selected[0] >= 5:
                self.long.append(
                    (time.time(), wall, selected[0], self.count, self.kinds.most_common(6))
                )

        selector.select = timed_select
        loop._run_once = timed_run_once  # type: ignore[attr-defined]


def _time_callbacks(
    held: list[tuple[float, float, str]],
    stalls: list[tuple[float, float, float, float, str]],
    sampler: _StepSampler,
    turns: _Turns,
) -> None:
    """`held` gets (time, ms, what) for callbacks of HELD_MS or more; for a task's step, also
    where it was suspended before and after (the work lies between those awaits)."""
    run = events.Handle._run
    thread_time = time.thread_time
    waited = _run_queue_wait()

    def timed(handle: events.Handle) -> None:
        before = _suspended_at(handle)
        name = _what(handle)  # before it runs: a handle that cancels itself loses its callback
        started = thread_time()
        wait_started = waited()
        sampler.step_started = wall_started = time.perf_counter()
        try:
            run(handle)
        finally:
            sampler.step_started = None
            wall = (time.perf_counter() - wall_started) * 1000
            used = (thread_time() - started) * 1000
            turns.count += 1
            turns.kinds[f"{name} [{before or '-'}]"] += wall
            if wall >= 5:
                queue = (waited() - wait_started) * 1000
                stalls.append((time.time(), wall, used, queue, f"{name} [{before or '-'}]"))
            if used >= HELD_MS:
                what = name + f" [from {before or '-'} to {_suspended_at(handle) or '-'}]"
                held.append((time.time(), used, what))

    events.Handle._run = timed  # type: ignore[method-assign]


def main() -> int:
    out_path = Path(sys.argv[1])
    lags: list[tuple[float, float]] = []
    held: list[tuple[float, float, str]] = []
    stalls: list[tuple[float, float, float, float, str]] = []
    serve = cli._run_until_stopped

    async def probed(*args: Any, **kwargs: Any) -> None:
        task = asyncio.ensure_future(_sample(lags))
        sampler = _StepSampler()
        turns = _Turns()
        turns.install(asyncio.get_running_loop())
        _time_callbacks(held, stalls, sampler, turns)
        try:
            await serve(*args, **kwargs)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            out_path.write_bytes(
                orjson.dumps(
                    {
                        "lag": lags,
                        "held": held,
                        "stalls": stalls,
                        "turns": turns.long,
                        "long_steps": sampler.stacks.most_common(15),
                    }
                )
            )

    cli._run_until_stopped = probed  # type: ignore[assignment]
    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
