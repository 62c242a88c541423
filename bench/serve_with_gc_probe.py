"""Runs `frontdesk serve` with a garbage-collector probe (for bench/reconnect_storm.py).

    .venv/bin/python bench/serve_with_gc_probe.py OUT.json serve --host 127.0.0.1 --port N

Installs a gc.callbacks hook that times every collection (start -> stop, perf_counter) and
writes OUT.json: the longest pause, the number of collections per generation, and every pause
of 1 ms or more with its wall-clock time, so the caller can look at a window (the storm).
Each pause is also measured in the thread's CPU time (time.thread_time): on a shared machine a
collection's wall time includes the moments the process was not running at all, its CPU time
does not (issue 21: on a saturated machine, 275 ms "pauses" of generation 0 collections).
The file is rewritten whenever a pause of 10 ms or more is seen (so even a SIGKILL leaves the
figure), and once more at exit (SIGTERM makes the server shut down and return normally).
Generation 1 and 2 passes also count the thread's page faults (minor, major; issue 21: on
this VM a pass that freed nothing was charged 200 ms). Nothing in src/ changes: this calls frontdesk.launch.main() as the `frontdesk` command does.

Experiment knob: FRONTDESK_BENCH_GC_THRESHOLD="g0,g1,g2" calls gc.set_threshold() first (to try
a collector setting before proposing it for src/; the storm benchmark's --gc-threshold). It
holds for the server's life: the server's own gc.set_threshold() at start-up is ignored.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import resource
import sys
import time
from typing import Any

OUT = sys.argv[1]
_started = 0.0
_started_cpu = 0.0
_generation = 0
_faults = (0, 0)
# Diagnosis (FRONTDESK_BENCH_GC_CENSUS=1): before each generation-1 pass, how many objects the
# young generations hold and of which types (gc.get_objects walks them: slow, not for figures).
CENSUS = os.environ.get("FRONTDESK_BENCH_GC_CENSUS") == "1"
_census: dict[str, Any] = {}
state: dict[str, Any] = {
    "pid": os.getpid(),
    "max_pause_s": 0.0,
    "max_pause_at": None,
    "max_pause_generation": None,
    "collections": [0, 0, 0],
    "total_pause_s": 0.0,
    "max_pause_cpu_s": 0.0,
    "max_pause_cpu_generation": None,
    # [wall time, generation, seconds, collected, CPU seconds, minor faults, major faults]
    # for pauses >= 1 ms (wall)
    "pauses": [],
}


def _write() -> None:
    tmp = OUT + ".tmp"
    with open(tmp, "w") as out:
        json.dump(state, out)
    os.replace(tmp, OUT)


def _thread_faults() -> tuple[int, int]:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_minflt, usage.ru_majflt


def _probe(phase: str, info: dict[str, int]) -> None:
    global _started, _started_cpu, _generation, _faults
    if phase == "start":
        _generation = info["generation"]
        if _generation:  # page faults during the older generations' passes (a syscall each)
            _faults = _thread_faults()
        if CENSUS and _generation == 1:
            young = gc.get_objects(0) + gc.get_objects(1)
            kinds: dict[str, int] = {}
            for obj in young:
                name = type(obj).__name__
                kinds[name] = kinds.get(name, 0) + 1
            _census.clear()
            _census["young"] = len(young)
            _census["kinds"] = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
            del young
        _started_cpu = time.thread_time()
        _started = time.perf_counter()
        return
    pause = time.perf_counter() - _started
    cpu = time.thread_time() - _started_cpu
    state["collections"][_generation] += 1
    state["total_pause_s"] += pause
    if pause >= 0.001:
        minor, major = _thread_faults() if _generation else (0, 0)
        if _generation:
            minor, major = minor - _faults[0], major - _faults[1]
        state["pauses"].append(
            [time.time(), _generation, pause, info.get("collected", 0), cpu, minor, major]
            + ([dict(_census)] if CENSUS and _generation == 1 else [])
        )
    if cpu > state["max_pause_cpu_s"]:
        state["max_pause_cpu_s"] = cpu
        state["max_pause_cpu_generation"] = _generation
    if pause >= 0.01 and pause <= state["max_pause_s"]:
        _write()  # readers look at a window while the server runs (bench/fanout.py)
    if pause > state["max_pause_s"]:
        state["max_pause_s"] = pause
        state["max_pause_at"] = time.time()
        state["max_pause_generation"] = _generation
        _write()


def main() -> int:
    threshold = os.environ.get("FRONTDESK_BENCH_GC_THRESHOLD")
    if threshold:
        gc.set_threshold(*(int(x) for x in threshold.split(",")))
        state["threshold"] = gc.get_threshold()
        # The server's start-up sets its own thresholds (app.py): the experiment's stay.
        gc.set_threshold = lambda *_: None
    gc.callbacks.append(_probe)
    atexit.register(_write)
    _write()
    # As the `frontdesk` command: its entry point binds `serve`'s port before the server loads
    # (frontdesk.launch, 2026-12-06; a baseline snapshot older than that has only the cli).
    try:
        from frontdesk.launch import main as frontdesk_main
    except ImportError:
        from frontdesk.cli import main as frontdesk_main

    try:
        return frontdesk_main(sys.argv[2:])
    finally:
        _write()


if __name__ == "__main__":
    sys.exit(main())
