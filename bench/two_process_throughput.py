"""Issue 2, benchmark 4: acked visitor messages per second, one process vs two processes.

Both configurations run on PostgreSQL + Redis (each on a fresh database), with the same client:
C visitors, each with a conversation accepted by one of the reps, send messages in a closed
loop (send, wait for the ack, send the next), so C messages are always in flight. Rep console
sockets are open and receive every message, as in a real deployment. With two processes the
visitors alternate between A and B and each chat's owning rep is on the other process.

The load generator runs on the same 2 cores as the servers, PostgreSQL and Redis: a second
server process has at most the CPU that the first one, the database, Redis and the client
leave idle, so the ratio here is a floor for what two processes give on a bigger machine.

    .venv/bin/python bench/two_process_throughput.py [--visitors 200] [--seconds 20]

Long-term goal (issue 2): two processes >= 1.7x one process.
"""

from __future__ import annotations

import argparse
import asyncio
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
    while clock() < stop_at:
        client_id = f"v{i}-{n}"
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
            if data.startswith('{"type":"ack"'):
                break
            if data.startswith('{"type":"error"'):
                result.errors += 1
                break
        now = clock()
        if phase["start"] <= sent and now <= phase["end"]:
            result.acked += 1
            result.latencies.append(now - sent)


async def run_config(processes: int, args: argparse.Namespace) -> Result:
    result = Result(processes)
    with backend("pg") as b, Servers() as servers:
        site_key, emails = setup_org(b, reps=args.reps)
        procs = [servers.start(frontdesk_server(b, f"p{processes}-{n}")) for n in range(processes)]
        world: ChatWorld = await build_world(procs, site_key, emails, args.visitors)
        rep_readers = start_readers(
            [r.ws for r in world.reps if r.ws is not None], lambda _r: lambda _d, _t: None
        )
        try:
            wait_for_quiet()
            clock = time.perf_counter
            start = clock() + args.warmup
            end = start + args.seconds
            phase = {"start": start, "end": end}
            loops = [
                asyncio.create_task(visitor_loop(i, ws, phase, result, end))
                for i, ws in enumerate(world.visitors)
            ]
            await asyncio.sleep(max(start - clock(), 0))
            pids = [p.pid for p in procs]
            cpu0 = [cpu_of([pid]) for pid in pids]
            client0 = time.process_time()
            other = OtherLoad()
            other.start()
            await asyncio.sleep(max(end - clock(), 0))
            result.seconds = args.seconds
            result.server_cpu = [
                (cpu_of([pid]) - c0) / args.seconds for pid, c0 in zip(pids, cpu0, strict=True)
            ]
            result.client_cpu = (time.process_time() - client0) / args.seconds
            result.other_load = other.cores()
            result.services = other.services()
            done = await asyncio.wait_for(asyncio.gather(*loops, return_exceptions=True), 90)
            failures = [d for d in done if isinstance(d, BaseException)]
            if failures:
                log(f"{len(failures)} visitor loops failed, first: {failures[0]!r}")
        finally:
            for task in rep_readers:
                task.cancel()
            await world.close()
    log(
        f"{processes} process(es): {result.rate:.0f} acked msg/s, ack p50 "
        f"{percentile(result.latencies, 50) * 1000:.1f} ms p99 "
        f"{percentile(result.latencies, 99) * 1000:.1f} ms, server CPU "
        f"{' + '.join(f'{c:.2f}' for c in result.server_cpu)} cores, client "
        f"{result.client_cpu:.2f} cores, PostgreSQL + Redis {result.services:.2f} cores, other "
        f"processes {result.other_load:.2f} cores"
    )
    return result


def report(one: Result, two: Result, args: argparse.Namespace) -> str:
    ratio = two.rate / one.rate if one.rate else float("nan")
    verdict = "met" if ratio >= GOAL else "**not met**"
    lines = [
        f"### Throughput, one vs two processes on PostgreSQL + Redis: {args.visitors} "
        f"conversations in a closed loop, {args.reps} reps, {args.seconds:.0f} s "
        "(bench/two_process_throughput.py)",
        "",
        source_label() + ".",
        "",
        "| configuration | acked msg/s | ack p50 | ack p99 | server CPU (cores) | "
        "server CPU per message | client CPU | PostgreSQL + Redis CPU | "
        "other processes on the machine | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (one, two):
        lines.append(
            f"| {r.processes} process{'es' if r.processes > 1 else ''} | **{r.rate:.0f}** "
            f"| {percentile(r.latencies, 50) * 1000:.1f} ms "
            f"| {percentile(r.latencies, 99) * 1000:.1f} ms "
            f"| {' + '.join(f'{c:.2f}' for c in r.server_cpu)} "
            f"| {sum(r.server_cpu) / max(r.rate, 1e-9) * 1000:.1f} ms | {r.client_cpu:.2f} "
            f"| {r.services:.2f} | {r.other_load:.2f} | {r.errors} |"
        )
    lines += [
        "",
        f"Ratio two / one: **{ratio:.2f}x** (long-term goal >= {GOAL}x: {verdict}). The load "
        "generator, PostgreSQL and Redis share the same 2 cores with the servers, so the second "
        "process cannot get a core of its own: this ratio is a floor, not the scaling a "
        "bigger machine would show.",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> tuple[Result, Result]:
    one = await run_config(1, args)
    two = await run_config(2, args)
    return one, two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=200, help="conversations in flight")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    raise_fd_limit()
    boost_priority()
    one, two = asyncio.run(main_async(args))
    text = report(one, two, args)
    print()
    print(text)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
