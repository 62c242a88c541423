"""Issue 21: a model of chat throughput against server processes and cores, from measured CPU.

This machine has 2 cores shared by the servers, PostgreSQL, Redis and the load generator, so a
second process cannot show what it would give on a bigger machine. Instead this measures what
one chat message costs each part, and projects from that:

1. For 1 and then 2 server processes on PostgreSQL + Redis (each on a fresh database and Redis
   namespace), the chat world of the other benchmarks (visitors with accepted conversations,
   rep consoles receiving every message; with 2 processes each chat's rep is on the other
   process) is driven twice: at a fixed open-loop rate (`--rate`, below saturation), then in
   the closed loop of bench/two_process_throughput.py (send -> ack -> send, `--visitors`
   conversations: the most the machine gives). Measured over each window, per message stored
   (counted in the database):
   - CPU of the server processes (/proc), and of the load generator (this process);
   - CPU of PostgreSQL: the backends serving this benchmark's database (their pids from
     pg_stat_activity, their CPU from /proc) and the shared WAL writer, checkpointer and
     background writer (/proc); commits and WAL syncs (pg_stat_database, pg_stat_wal);
   - CPU of Redis (/proc of redis-server, less what it used in an idle window just before,
     when other work may use it too) and PUBLISH calls (INFO commandstats).
2. The CPU that processes outside the benchmark used in each window (bench/_common.OtherLoad).
3. The model. Server CPU per message is split into a part that does not grow with the number
   of processes P (the visitor's frame, rendering, the database write, the publish, sending to
   the rep sockets, which are spread over the processes) and a part every process pays for every
   message (each process with consoles of the org receives every org event from Redis):
   s(P) = a + b * P, with a and b solved from the 1- and 2-process figures. Redis:
   r(P) = r0 + r1 * P (PUBLISH fans out to each subscribed process), on one core at most
   (Redis executes commands on one thread). PostgreSQL: g per message, on any core. Then
       X(P, N) = min( N / (s(P) + g + r(P) [+ client]),   all the CPU there is
                      P / s(P),                           each server process is one thread
                      1 / r(P) )                          Redis's one thread
   A message also needs its conversation's sequence row (a row lock held for the length of
   one group's transaction: it serialises writers of one conversation, not the whole system)
   and a WAL flush shared by each group commit: both are reported, not bounds, at these rates.
   The check: with the client's measured CPU per message added and the cores other processes
   took subtracted, X(1, .) and X(2, .) are compared with the measured closed loops; and, out
   of sample, two processes are predicted from the one-process closed loop plus the
   per-process term seen between the open-loop runs.

    .venv/bin/python bench/scaling_model.py [--rate 300] [--seconds 15] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import psutil
import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._chat import ChatWorld, build_world, start_readers
from bench._common import (
    MACHINE,
    PG_HOST,
    PG_PORT,
    REDIS_URL,
    CpuQuota,
    OtherLoad,
    Servers,
    append_results,
    backend,
    boost_priority,
    cpu_of,
    frontdesk_server,
    log,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)
from bench.two_process_throughput import Result, Setup, visitor_loop

PROJECT = (1, 2, 4, 8, 16)
BODIES = (
    "Could you tell me whether the Team plan includes SSO? We are 40 people.",
    "Thanks! And is there a discount for annual billing?",
    "We use **Okta** today; see https://www.customer.example/security for our needs",
)


@dataclass
class Costs:
    """Measured at a fixed rate with `processes` server processes; CPU in seconds/message."""

    processes: int
    rate: float = 0.0  # messages delivered to their rep per second while measuring
    server: float = 0.0
    server_each: list[float] = field(default_factory=list)  # cores per process
    client: float = 0.0
    pg_backends: float = 0.0
    pg_shared: float = 0.0  # WAL writer, checkpointer, background writer (any database)
    redis: float = 0.0
    publishes: float = 0.0  # Redis PUBLISH commands per message
    commits: float = 0.0  # PostgreSQL commits per message (group commit: < 1 under load)
    wal_syncs: float = 0.0  # WAL fsyncs per message
    other: float = 0.0  # cores used by processes outside the benchmark

    @property
    def postgres(self) -> float:
        return self.pg_backends + self.pg_shared


def _proc_cpu(pids: list[int]) -> float:
    return cpu_of(pids)


def _each_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_of([pid]) for pid in pids}


def _named(prefix: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        name = proc.info.get("name") or ""
        if name.startswith(prefix):
            found.append(proc)
    return found


def _pg_shared_pids() -> list[int]:
    shared = ("walwriter", "checkpointer", "background writer", "wal writer")
    pids = []
    for proc in _named("postgres"):
        with contextlib.suppress(psutil.Error):
            title = " ".join(proc.cmdline())
            if any(word in title for word in shared):
                pids.append(proc.pid)
    return pids


def _redis_pids() -> list[int]:
    return [p.pid for p in _named("redis-server")]


async def _pg(database: str) -> asyncpg.Connection:
    return await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=database)


async def _pg_counters(conn: asyncpg.Connection, database: str) -> tuple[int, int, list[int]]:
    commits = await conn.fetchval(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", database
    )
    syncs = await conn.fetchval("SELECT wal_sync FROM pg_stat_wal")
    pids = [
        r["pid"]
        for r in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    ]
    return int(commits or 0), int(syncs or 0), pids


async def _publishes(client: Any) -> int:
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_publish", {}).get("calls", 0))


class Counters:
    """CPU and counters of every part, read at the start and the end of a window."""

    def __init__(self, setup: Setup, database: str, pg: asyncpg.Connection, redis: Any) -> None:
        self.setup, self.database, self.pg, self.redis = setup, database, pg, redis
        self.redis_pids = _redis_pids()
        self.redis_idle = 0.0  # cores Redis used while this benchmark was idle

    async def idle_redis(self, seconds: float) -> None:
        """Redis is shared with other work: what it uses while the servers are idle is
        subtracted from what it uses while they work."""
        idle0 = _proc_cpu(self.redis_pids)
        await asyncio.sleep(seconds)
        self.redis_idle = (_proc_cpu(self.redis_pids) - idle0) / seconds

    async def read(self) -> dict[str, Any]:
        commits, syncs, backends = await _pg_counters(self.pg, self.database)
        messages = await self.pg.fetchval("SELECT count(*) FROM messages")
        return {
            "t": time.perf_counter(),
            "messages": int(messages),
            "servers": [cpu_of([pid]) for pid in self.setup.pids],
            "client": time.process_time(),
            "backends": _each_cpu(backends),
            "shared": _proc_cpu(_pg_shared_pids()),
            "redis": _proc_cpu(self.redis_pids),
            "publishes": await _publishes(self.redis),
            "commits": commits,
            "syncs": syncs,
        }

    def costs(self, start: dict[str, Any], end: dict[str, Any], costs: Costs) -> None:
        wall = end["t"] - start["t"]
        messages = max(end["messages"] - start["messages"], 1)
        costs.rate = messages / wall
        each = [b - a for a, b in zip(start["servers"], end["servers"], strict=True)]
        costs.server_each = [c / wall for c in each]
        costs.server = sum(each) / messages
        costs.client = (end["client"] - start["client"]) / messages
        # A backend that connected during the window counts from zero (one that ended within
        # it is missed: the servers keep their pooled connections).
        backend_cpu = sum(
            cpu - start["backends"].get(pid, 0.0) for pid, cpu in end["backends"].items()
        )
        costs.pg_backends = max(backend_cpu, 0.0) / messages
        costs.pg_shared = max(end["shared"] - start["shared"], 0.0) / messages
        redis_used = end["redis"] - start["redis"] - self.redis_idle * wall
        costs.redis = max(redis_used, 0.0) / messages
        costs.publishes = (end["publishes"] - start["publishes"]) / messages
        costs.commits = (end["commits"] - start["commits"]) / messages
        costs.wal_syncs = (end["syncs"] - start["syncs"]) / messages


def _describe(label: str, c: Costs) -> str:
    return (
        f"{c.processes} process(es), {label}, {c.rate:.0f} msg/s: server "
        f"{c.server * 1000:.2f} ms/msg ({' + '.join(f'{x:.2f}' for x in c.server_each)} cores), "
        f"PostgreSQL {c.pg_backends * 1000:.2f} + {c.pg_shared * 1000:.2f} ms/msg, Redis "
        f"{c.redis * 1000:.3f} ms/msg ({c.publishes:.2f} PUBLISH/msg), client "
        f"{c.client * 1000:.2f} ms/msg, commits/msg {c.commits:.2f}, WAL syncs/msg "
        f"{c.wal_syncs:.2f}, other processes {c.other:.2f} cores"
    )


async def fixed_rate(
    setup: Setup, counters: Counters, args: argparse.Namespace, costs: Costs
) -> None:
    """Open loop at --rate: the cost of a message at a moderate load."""
    world = setup.world
    n_vis = len(world.visitors)
    readers = start_readers([r.ws for r in world.reps], lambda _r: lambda _d, _t: None)
    readers += start_readers(world.visitors, lambda _i: lambda _d, _t: None)
    try:
        interval = 1.0 / args.rate
        total = int(args.rate * (args.seconds + args.warmup))
        measured_from = int(args.rate * args.warmup)
        clock = time.perf_counter
        t0 = clock() + 0.05
        k = 0
        start: dict[str, Any] = {}
        other = OtherLoad()
        while k < total:
            now = clock()
            if t0 + k * interval > now:
                await asyncio.sleep(t0 + k * interval - now)
                continue
            if k == measured_from:
                other.start()
                start = await counters.read()
            frame = orjson.dumps(
                {"type": "message", "client_id": f"f{k}", "body": BODIES[k % 3]}
            ).decode()
            await world.visitors[k % n_vis].send_str(frame)
            k += 1
        await asyncio.sleep(0.3)  # the last messages are stored
        counters.costs(start, await counters.read(), costs)
        costs.other = other.cores()
    finally:
        for task in readers:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*readers, return_exceptions=True)
    log(_describe(f"open loop at {args.rate:.0f}/s", costs))


async def saturated(
    setup: Setup, counters: Counters, args: argparse.Namespace, costs: Costs
) -> None:
    """The closed loop of bench/two_process_throughput.py (send, ack, send): the most this
    machine gives, and what a message costs each part at that load."""
    world = setup.world
    readers = start_readers([r.ws for r in world.reps], lambda _r: lambda _d, _t: None)
    result = Result(setup.processes)
    clock = time.perf_counter
    begin = clock() + args.warmup
    stop = begin + args.seconds
    phase = {"start": begin, "end": stop, "round": 1.0}
    loops = [
        asyncio.create_task(visitor_loop(i, ws, phase, result, stop))
        for i, ws in enumerate(world.visitors)
    ]
    try:
        await asyncio.sleep(max(begin - clock(), 0))
        other = OtherLoad()
        other.start()
        start = await counters.read()
        await asyncio.sleep(max(stop - clock(), 0))
        counters.costs(start, await counters.read(), costs)
        costs.other = other.cores()
        await asyncio.wait_for(asyncio.gather(*loops, return_exceptions=True), 120)
    finally:
        for task in readers:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*readers, return_exceptions=True)
    log(_describe("closed loop", costs))


async def measure_processes(n: int, args: argparse.Namespace) -> tuple[Costs, Costs]:
    at_rate, at_most = Costs(n), Costs(n)
    quota = CpuQuota(args.cpu_per_process) if args.cpu_per_process is not None else None
    # The quota is entered first, so it is released after the servers stop.
    with quota or contextlib.nullcontext(), backend("pg") as b, Servers() as servers:
        database = b._pg_name or ""
        site_key, emails = setup_org(b, reps=args.reps)
        procs = [servers.start(frontdesk_server(b, f"m{n}-{k}")) for k in range(n)]
        if quota is not None:
            for proc in procs:
                quota.hold(proc.pid)
        world: ChatWorld = await build_world(procs, site_key, emails, args.visitors)
        pg = await _pg(database)
        redis_client = aioredis.from_url(REDIS_URL)
        try:
            setup = Setup(n, world, [p.pid for p in procs], [])
            counters = Counters(setup, database, pg, redis_client)
            wait_for_quiet(max_wait=args.quiet_wait)
            await counters.idle_redis(min(args.seconds, 5.0))
            await fixed_rate(setup, counters, args, at_rate)
            wait_for_quiet(max_wait=args.quiet_wait)
            await saturated(setup, counters, args, at_most)
        finally:
            await pg.close()
            await redis_client.aclose()
            await world.close()
    return at_rate, at_most


@dataclass
class Model:
    a: float  # server CPU per message that does not grow with processes (s)
    b: float  # server CPU per message per process (each process receives every org event)
    r0: float  # Redis CPU per message, fixed part
    r1: float  # Redis CPU per message per subscribed process
    g: float  # PostgreSQL CPU per message
    client: float  # load generator CPU per message (here only)

    def server(self, p: int) -> float:
        return self.a + self.b * p

    def redis(self, p: int) -> float:
        return self.r0 + self.r1 * p

    def bounds(self, p: int, cores: float, with_client: bool = False) -> dict[str, float]:
        total = self.server(p) + self.g + self.redis(p) + (self.client if with_client else 0.0)
        return {
            "all CPU": cores / total,
            "one thread per server process": p / self.server(p),
            "Redis's one thread": 1.0 / self.redis(p) if self.redis(p) > 0 else float("inf"),
        }

    def throughput(self, p: int, cores: float, with_client: bool = False) -> tuple[float, str]:
        bounds = self.bounds(p, cores, with_client)
        limit = min(bounds, key=lambda k: bounds[k])
        return bounds[limit], limit


def fit(one: Costs, two: Costs) -> Model:
    # s(P) = a + bP through the two points; clamped so noise cannot make a part negative.
    b = max(two.server - one.server, 0.0)
    a = max(one.server - b, 0.0)
    r1 = max(two.redis - one.redis, 0.0)
    r0 = max(one.redis - r1, 0.0)
    g = (one.postgres + two.postgres) / 2
    client = (one.client + two.client) / 2
    return Model(a, b, r0, r1, g, client)


def _row(label: str, c: Costs) -> str:
    ms = 1000.0
    return (
        f"| {c.processes} | {label} | {c.rate:.0f}/s | {c.server * ms:.2f} ms "
        f"({' + '.join(f'{x:.2f}' for x in c.server_each)}) "
        f"| {c.pg_backends * ms:.2f} / {c.pg_shared * ms:.2f} ms "
        f"| {c.redis * ms:.3f} ms | {c.publishes:.2f} | {c.commits:.2f} "
        f"| {c.wal_syncs:.2f} | {c.client * ms:.2f} ms | {c.other:.2f} cores |"
    )


def report(runs: dict[int, tuple[Costs, Costs]], model: Model, args: argparse.Namespace) -> str:
    ms = 1000.0
    lines = [
        f"### Scaling model: per-message CPU of each part at {args.rate:.0f} msg/s and in the "
        f"closed loop ({args.visitors} conversations), projected throughput "
        "(bench/scaling_model.py)"
        + (
            f", each server process held to {args.cpu_per_process:.2f} cores by a cgroup CPU "
            "quota (the check below is then against that budget, not the machine's cores)"
            if args.cpu_per_process is not None
            else ""
        ),
        "",
        source_label() + f". Load average at the start: {args.loadavg}.",
        "",
        "| processes | load | messages stored | server CPU / msg (cores per process) "
        "| PostgreSQL backends / WAL writer etc. per msg | Redis CPU / msg | PUBLISH / msg "
        "| commits / msg | WAL syncs / msg | client CPU / msg | other processes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, (at_rate, at_most) in runs.items():
        _ = n
        lines.append(_row(f"open loop {args.rate:.0f}/s", at_rate))
        lines.append(_row("closed loop (saturated)", at_most))
    lines += [
        "",
        f"Model (from the saturated runs): server s(P) = {model.a * ms:.3f} + "
        f"{model.b * ms:.3f} x P ms per message (the P term: every process receives every "
        f"org event); PostgreSQL g = {model.g * ms:.3f} ms on any core; Redis r(P) = "
        f"{model.r0 * ms:.3f} + {model.r1 * ms:.3f} x P ms on its one thread; load generator "
        f"{model.client * ms:.3f} ms (here only).",
        "",
        "Check on this machine: 2 cores less what other processes used during the closed loop, "
        "the load generator included."
        + (
            " Under a quota the servers' bound is the quota itself, and s(P) comes from these "
            "same runs, so a 1.00 there holds by construction: it checks only that the quota, "
            "not the machine's cores, was the limit."
            if args.cpu_per_process is not None
            else ""
        ),
        "",
        "| processes | cores left | model | limited by | measured (closed loop) "
        "| measured / model |",
        "|---|---|---|---|---|---|",
    ]
    for n, (_at_rate, at_most) in runs.items():
        cores = max(2.0 - at_most.other, 0.1)
        x, limit = model.throughput(n, cores, with_client=True)
        if args.cpu_per_process is not None and n * args.cpu_per_process / model.server(n) < x:
            x = n * args.cpu_per_process / model.server(n)
            limit = f"the quota ({n} x {args.cpu_per_process:.2f} cores)"
        lines.append(
            f"| {n} | {cores:.2f} | {x:.0f} msg/s | {limit} | {at_most.rate:.0f} msg/s "
            f"| {at_most.rate / x:.2f} |"
        )
    one_rate, one_most = runs[1]
    two_rate, _two_most = runs[2]
    # Out of sample: two processes predicted from the one-process saturated costs and the
    # fan-in term seen between the open-loop runs (not from the two-process closed loop).
    b_open = max(two_rate.server - one_rate.server, 0.0)
    s2 = one_most.server + b_open
    cores2 = max(2.0 - runs[2][1].other, 0.1)
    x2 = cores2 / (s2 + one_most.postgres + one_most.redis + one_most.client)
    if args.cpu_per_process is not None:
        x2 = min(x2, 2 * args.cpu_per_process / s2)
    lines += [
        "",
        f"Out of sample: from the one-process closed loop plus the per-process term of the "
        f"open-loop runs ({b_open * ms:.3f} ms), two processes on {cores2:.2f} cores would "
        f"make {x2:.0f} msg/s; measured {runs[2][1].rate:.0f} "
        f"({runs[2][1].rate / x2:.2f} of it).",
        "",
        "Projection without the load generator (clients elsewhere), PostgreSQL on the same "
        "cores, Redis on one of them:",
        "",
        "| processes | N = P + 1 cores | limited by | N = 2P cores | limited by "
        "| Redis's thread busy at that rate |",
        "|---|---|---|---|---|---|",
    ]
    for p in PROJECT:
        x1, l1 = model.throughput(p, p + 1.0)
        x2p, l2 = model.throughput(p, 2.0 * p)
        lines.append(
            f"| {p} | {x1:,.0f} msg/s | {l1} | {x2p:,.0f} msg/s | {l2} "
            f"| {min(x2p * model.redis(p), 1.0) * 100:.0f} % |"
        )
    lines.append("")
    gains = [model.throughput(p, 2.0 * p)[0] for p in PROJECT]
    lines.append(
        "Speed-up over one process with 2P cores: "
        + ", ".join(f"{p}: {g / gains[0]:.2f}x" for p, g in zip(PROJECT, gains, strict=True))
        + ". The per-process term b x P (what every process pays for every message: each "
        "receives every org event from Redis, and each batches a smaller share of the "
        "messages) bends the curve: at P processes a "
        f"message costs {model.a * ms:.3f} + {model.b * ms:.3f} x P ms of server CPU, so "
        "however many processes and cores, the servers cannot pass 1 / b = "
        + (f"{1 / model.b:,.0f} msg/s" if model.b > 0 else "(b not measurable here)")
        + f"; Redis's thread alone would allow {1 / model.redis(PROJECT[-1]):,.0f} msg/s at "
        f"{PROJECT[-1]} processes. Where it stops scaling (2P cores): "
        + ", ".join(f"{p}: {model.throughput(p, 2.0 * p)[1]}" for p in PROJECT)
        + "."
    )
    lines.append(
        f"Commits per message (saturated) {one_most.commits:.2f} / {runs[2][1].commits:.2f} and "
        f"WAL syncs per message {one_most.wal_syncs:.2f} / {runs[2][1].wal_syncs:.2f} (1 / 2 "
        "processes): a group commit shares one WAL flush, so fsyncs per message fall as the "
        "load grows rather than capping it; the sequence-row lock serialises the writers of one "
        "conversation, not of the system."
    )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[int, tuple[Costs, Costs]]:
    return {n: await measure_processes(n, args) for n in (1, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=300.0, help="fixed open-loop msg/s")
    parser.add_argument("--seconds", type=float, default=15.0, help="each measured window")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--visitors", type=int, default=100, help="conversations")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    parser.add_argument(
        "--cpu-per-process",
        type=float,
        default=None,
        help="hold every server process to this many cores (cgroup CPU quota, root only; "
        "see bench/two_process_throughput.py)",
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    raise_fd_limit()
    boost_priority()
    runs = asyncio.run(main_async(args))
    model = fit(runs[1][1], runs[2][1])
    text = report(runs, model, args)
    print()
    print(text)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d %H:%M UTC')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
