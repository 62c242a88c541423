"""Issue 2, benchmark 4: acked visitor messages per second, one process vs two processes.

Both configurations run on PostgreSQL + Redis (each on its own fresh database) with the same client,
set up side by side and measured in interleaved windows (1, 2, 1, 2, ...) so that a change in
the machine's other load hits both alike:
C visitors, each with a conversation accepted by one of the reps, send messages in a closed
loop (send, wait for the ack, send the next), so C messages are always in flight. Rep console
sockets are open and receive every message, as in a real deployment. With two processes the
visitors alternate between A and B and each chat's owning rep is on the other process.

The load generator runs on the same 2 cores as the servers, PostgreSQL and Redis: a second
server process has at most the CPU that the first one, the database, Redis and the client
leave idle, so the ratio here is a floor for what two processes give on a bigger machine.

With `--cpu-per-process X` (root only) every server process is held to X cores by a cgroup CPU
quota (bench/_common.CpuQuota): one process gets X, two get 2X, as one and two machines of that
size would, and with 2X plus the database, Redis and the client under the 2 cores the ratio
shows what scaling out itself costs rather than how full this box is.

    .venv/bin/python bench/two_process_throughput.py [--visitors 100] [--rounds 3] [--seconds 10]
        [--cpu-per-process 0.35]

Long-term goal (issue 2): two processes >= 1.7x one process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._chat import ChatWorld, build_world, start_readers
from bench._common import (
    MACHINE,
    CpuQuota,
    OtherLoad,
    Servers,
    append_results,
    backend,
    boost_priority,
    cpu_of,
    frontdesk_server,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)

GOAL = 1.7


@dataclass
class Result:
    processes: int
    acked: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_cpu: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    other_load: float = 0.0
    services: float = 0.0
    # Seconds per second the server processes waited for their quota, summed over them.
    throttled: float = 0.0

    @property
    def rate(self) -> float:
        return self.acked / self.seconds if self.seconds else 0.0


async def visitor_loop(
    i: int,
    ws: aiohttp.ClientWebSocketResponse,
    phase: dict[str, float],
    result: Result,
    stop_at: float,
) -> None:
    n = 0
    bodies = (
        "Could you tell me whether the Team plan includes SSO? We are 40 people.",
        "Thanks! And is there a discount for annual billing?",
    )
    clock = time.perf_counter
    prefix = f"v{i}-{phase['round']:.0f}-"
    while clock() < stop_at:
        client_id = f"{prefix}{n}"
        sent = clock()
        await ws.send_str(
            orjson.dumps(
                {"type": "message", "client_id": client_id, "body": bodies[n % 2]}
            ).decode()
        )
        n += 1
        while True:
            msg = await ws.receive(timeout=60)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"visitor {i} socket closed: {msg.type}")
            data = msg.data
            acked = data.startswith('{"type":"ack"')
            if acked:
                break
            if data.startswith('{"type":"error"'):
                result.errors += 1
                if result.errors <= 3:
                    log("error frame:", data[:300])
                break
        now = clock()
        if acked and phase["start"] <= sent and now <= phase["end"]:
            result.acked += 1
            result.latencies.append(now - sent)


@dataclass
class Setup:
    processes: int
    world: ChatWorld
    pids: list[int]
    readers: list[asyncio.Task[None]]
    quota: CpuQuota | None = None


async def measure(setup: Setup, args: argparse.Namespace, round_no: int) -> Result:
    result = Result(setup.processes)
    clock = time.perf_counter
    start = clock() + args.warmup
    end = start + args.seconds
    phase = {"start": start, "end": end, "round": float(round_no)}
    loops = [
        asyncio.create_task(visitor_loop(i, ws, phase, result, end))
        for i, ws in enumerate(setup.world.visitors)
    ]
    await asyncio.sleep(max(start - clock(), 0))
    cpu0 = [cpu_of([pid]) for pid in setup.pids]
    client0 = time.process_time()
    throttled0 = setup.quota.throttled_seconds() if setup.quota else 0.0
    other = OtherLoad()
    other.start()
    await asyncio.sleep(max(end - clock(), 0))
    result.seconds = args.seconds
    result.server_cpu = [
        (cpu_of([pid]) - c0) / args.seconds for pid, c0 in zip(setup.pids, cpu0, strict=True)
    ]
    result.client_cpu = (time.process_time() - client0) / args.seconds
    if setup.quota:
        result.throttled = (setup.quota.throttled_seconds() - throttled0) / args.seconds
    result.other_load = other.cores()
    result.services = other.services()
    done = await asyncio.wait_for(asyncio.gather(*loops, return_exceptions=True), 120)
    failures = [d for d in done if isinstance(d, BaseException)]
    if failures:
        log(f"{len(failures)} visitor loops failed, first: {failures[0]!r}")
    log(
        f"round {round_no}, {setup.processes} process(es): {result.rate:.0f} acked msg/s, ack p50 "
        f"{percentile(result.latencies, 50) * 1000:.1f} ms p99 "
        f"{percentile(result.latencies, 99) * 1000:.1f} ms, server CPU "
        f"{' + '.join(f'{c:.2f}' for c in result.server_cpu)} cores, client "
        f"{result.client_cpu:.2f} cores, PostgreSQL + Redis {result.services:.2f} cores, other "
        f"processes {result.other_load:.2f} cores, errors {result.errors}"
        + (f", throttled {result.throttled:.2f} s/s" if setup.quota else "")
    )
    return result


def report(results: dict[int, list[Result]], args: argparse.Namespace) -> str:
    median = {n: statistics.median(r.rate for r in rs) for n, rs in results.items()}
    ratio = median[2] / median[1] if median[1] else float("nan")
    busiest = max(r.other_load for rs in results.values() for r in rs)
    capped = args.cpu_per_process is not None
    cap = (
        f", each server process held to {args.cpu_per_process:.2f} cores by a cgroup CPU quota"
        if capped
        else ""
    )
    lines = [
        f"### Throughput, one vs two processes on PostgreSQL + Redis{cap}: {args.visitors} "
        f"conversations in a closed loop, {args.reps} reps, {args.rounds} interleaved rounds of "
        f"{args.seconds:.0f} s (bench/two_process_throughput.py)",
        "",
        source_label() + ".",
        "",
        "| round | configuration | acked msg/s | ack p50 | ack p99 | server CPU (cores) | "
        "server CPU per message | client CPU | PostgreSQL + Redis CPU | "
        "other processes on the machine | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for round_no in range(args.rounds):
        for n in (1, 2):
            r = results[n][round_no]
            lines.append(
                f"| {round_no + 1} | {n} process{'es' if n > 1 else ''} | {r.rate:.0f} "
                f"| {percentile(r.latencies, 50) * 1000:.1f} ms "
                f"| {percentile(r.latencies, 99) * 1000:.1f} ms "
                f"| {' + '.join(f'{c:.2f}' for c in r.server_cpu)} "
                f"| {sum(r.server_cpu) / max(r.rate, 1e-9) * 1000:.2f} ms | {r.client_cpu:.2f} "
                f"| {r.services:.2f} | {r.other_load:.2f} | {r.errors} |"
            )
    verdict = "met" if ratio >= GOAL else "**not met**"
    lines += [
        "",
        f"Median acked msg/s: one process **{median[1]:.0f}**, two processes "
        f"**{median[2]:.0f}**; ratio two / one: **{ratio:.2f}x** (long-term goal >= {GOAL}x: "
        f"{verdict}).",
    ]
    if capped:
        throttled = {n: statistics.median(r.throttled for r in rs) for n, rs in results.items()}
        lines[-1] += (
            f" Every server process had the same budget of {args.cpu_per_process:.2f} cores "
            "(waiting for its quota a median "
            f"{throttled[1]:.2f} s per second with one process, {throttled[2]:.2f} with two, "
            "summed over the processes), so two processes had twice the server CPU of one, as "
            "on two machines; the database, Redis and the client shared the rest of the 2 cores."
        )
    else:
        lines[-1] += (
            " The load generator, PostgreSQL and Redis share the same 2 cores with the "
            "servers, so the second process cannot get a core of its own: this ratio is a "
            "floor, not the scaling a bigger machine would show (see --cpu-per-process)."
        )
    if busiest > 0.3:
        lines.append(
            f"Other work on the machine used up to {busiest:.2f} cores during these windows: "
            "treat the absolute rates and the ratio as indicative only."
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[int, list[Result]]:
    results: dict[int, list[Result]] = {1: [], 2: []}
    setups: list[Setup] = []
    with contextlib.ExitStack() as stack:
        try:
            # Both configurations are set up first, then measured in turns (1, 2, 1, 2, ...),
            # so that a change in the machine's other load hits both alike.
            for n in (1, 2):
                quota = None
                if args.cpu_per_process is not None:
                    # Entered before the servers, so released after they stop.
                    quota = stack.enter_context(CpuQuota(args.cpu_per_process))
                b = stack.enter_context(backend("pg"))
                servers = stack.enter_context(Servers())
                site_key, emails = setup_org(b, reps=args.reps)
                procs = [servers.start(frontdesk_server(b, f"p{n}-{k}")) for k in range(n)]
                if quota is not None:
                    for proc in procs:
                        quota.hold(proc.pid)
                world = await build_world(procs, site_key, emails, args.visitors)
                readers = start_readers(
                    [r.ws for r in world.reps if r.ws is not None], lambda _r: lambda _d, _t: None
                )
                setups.append(Setup(n, world, [p.pid for p in procs], readers, quota))
            for round_no in range(args.rounds):
                for setup in setups:
                    wait_for_quiet(max_wait=args.quiet_wait)
                    results[setup.processes].append(await measure(setup, args, round_no))
        finally:
            for setup in setups:
                for task in setup.readers:
                    task.cancel()
                await setup.world.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=100, help="conversations in flight")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured window")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3, help="windows per configuration")
    parser.add_argument(
        "--quiet-wait", type=float, default=60.0, help="max wait for a quiet machine per window"
    )
    parser.add_argument(
        "--cpu-per-process",
        type=float,
        default=None,
        help="hold every server process to this many cores (cgroup CPU quota; root only)",
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    if args.cpu_per_process is not None:
        CpuQuota(args.cpu_per_process)  # refuses here, before any setup, if it cannot work
    raise_fd_limit()
    boost_priority()
    results = asyncio.run(main_async(args))
    text = report(results, args)
    print()
    print(text)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
