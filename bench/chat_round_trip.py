"""Issue 2, benchmark 2: chat round trip visitor -> server -> rep at 1,000 messages/s.

500 visitor sockets each have a conversation accepted by one of 5 reps; the reps' console
sockets receive every message (no routing: every rep may see every chat). A paced open-loop
sender sends 1,000 visitor messages a second in total (2/s per visitor) for the measured
period, after a warm-up. Every message is stored before its ack (that is how the server
works). Latency = time the visitor's frame was handed to the socket -> time the owning rep's
socket received the `message` frame, both read from one monotonic clock in this process.

Configurations (same run, same client):
  sqlite: one `frontdesk serve` process on SQLite + in-process bus
  pg2:    two processes on PostgreSQL + Redis; visitors alternate between A and B and each
          chat's owning rep is on the other process (A->B and B->A mixed)
  pg1:    (optional, --configs) one process on PostgreSQL + Redis, to separate the cost of
          the backend from the cost of the second process

    .venv/bin/python bench/chat_round_trip.py [--rate 1000] [--seconds 20] [--configs sqlite,pg2]
        [--runs 5] [--baseline-src DIR] [--record]

Bars (issue 21): p99 <= 5 ms on SQLite; p99 <= 10 ms with two processes on PostgreSQL + Redis,
in 5 of 5 runs (`--runs 5`: five measured windows on the same servers, each after its own wait
for a quiet machine). Each run reports the CPU that processes outside the benchmark used
(read from /proc while it ran; PostgreSQL and Redis are counted apart), and `--record` REFUSES
to write bench/RESULTS.md when any run saw more than a quarter of a core of it
(`--max-other`): such a run measures the neighbours more than the server.

`--baseline-src DIR` (a `git archive main src` export) runs every configuration a second time
with the servers importing Frontdesk from DIR, interleaved run by run with the work tree's,
for a same-run A/B of server CPU per message and latency. `--profile DIR` records every
server with py-spy while a run sends (collapsed stacks, one file per server and run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._chat import build_world, start_readers
from bench._common import (
    BENCH_DIR,
    HOST,
    MACHINE,
    PYTHON,
    LoopLag,
    OtherLoad,
    Server,
    Servers,
    append_results,
    backend,
    boost_priority,
    cpu_of,
    free_port,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)

BARS = {"sqlite": 0.005, "pg2": 0.010, "pg1": 0.010}
MAX_OTHER = 0.25  # cores: above this, --record refuses
LABELS = {
    "sqlite": "1 process, SQLite + memory bus",
    "pg1": "1 process, PostgreSQL + Redis",
    "pg2": "2 processes, PostgreSQL + Redis (visitor and rep on different processes)",
}


@dataclass
class Result:
    config: str
    code: str = "work tree"  # which server code ran ("work tree" or "baseline")
    run: int = 1
    sent: int = 0
    intended_rate: float = 0.0
    achieved_rate: float = 0.0
    latencies: list[float] = field(default_factory=list)  # send -> owner rep received
    scheduled: list[float] = field(default_factory=list)  # intended send time -> received
    acks: list[float] = field(default_factory=list)  # send -> ack at the visitor
    missing: int = 0
    errors: int = 0
    server_cpu: float = 0.0  # cores used by the server processes during the measurement
    client_cpu: float = 0.0
    client_lag_p99: float = 0.0
    sender_late_p99: float = 0.0
    other_load: float = 0.0  # cores used by processes outside the benchmark
    services: float = 0.0  # cores used by PostgreSQL + Redis
    delivered_rate: float = 0.0  # owner receipts per second while sending (capacity if < rate)
    window: tuple[float, float] = (0.0, 0.0)  # wall-clock time of the measured sending
    gc_longest: float = 0.0  # longest collector pause in any server while measuring
    gc_pauses: int = 0  # pauses of 1 ms or more in the servers while measuring
    gc_collections: int = 0  # collections in the servers over their whole life (probe check)


async def run_config(config: str, args: argparse.Namespace, code: str) -> list[Result]:
    kind = "sqlite" if config == "sqlite" else "pg"
    n_proc = 2 if config == "pg2" else 1
    results = [Result(config, code, run + 1) for run in range(args.runs)]
    with backend(kind) as b, Servers() as servers:
        env = dict(b.env)
        if code == "baseline":
            env["PYTHONPATH"] = args.baseline_src
        site_key, emails = setup_org(b, reps=args.reps)
        # Each server runs under the collector probe, so a tail can be told from a GC pause.
        gc_files = [b.workdir / f"{config}-{n}.gc.json" for n in range(n_proc)]
        procs = []
        for n, gc_file in enumerate(gc_files):
            port = free_port()
            command = [PYTHON, str(BENCH_DIR / "serve_with_gc_probe.py"), str(gc_file)]
            command += ["serve", "--host", HOST, "--port", str(port)]
            name = f"{config}-{n}"
            procs.append(servers.start(Server(name, command, env, port, b.workdir / f"{name}.log")))
        world = await build_world(procs, site_key, emails, args.visitors)
        try:
            for n, result in enumerate(results):
                await measure(world, args, result, [p.pid for p in procs], first=n * 10_000_000)
                log(summary_line(result))
        finally:
            await world.close()
        for p in procs:
            p.stop()  # SIGTERM: the probe writes its file at exit
            traceback = p.first_traceback()
            if traceback:
                log(f"warning: {p.name} logged a traceback (log kept in bench/out/):\n{traceback}")
        for gc_file in gc_files:
            probe = json.loads(gc_file.read_text())
            for result in results:
                start, end = result.window
                result.gc_collections += sum(probe["collections"])
                pauses = [p for p in probe["pauses"] if start <= p[0] <= end + 1]
                result.gc_pauses += len(pauses)
                result.gc_longest = max([result.gc_longest, *(p[2] for p in pauses)])
    return results


async def measure(
    world: object, args: argparse.Namespace, result: Result, pids: list[int], first: int = 0
) -> None:
    """One measured run; client ids are m<first + k>, so runs on the same servers never
    repeat one (a repeated id would be a retry, answered from the database)."""
    from bench._chat import ChatWorld

    assert isinstance(world, ChatWorld)
    n_vis = len(world.visitors)
    warm = int(args.rate * args.warmup)
    total = warm + int(args.rate * args.seconds)
    sent_at = [0.0] * total
    intended = [0.0] * total
    owner_at = [0.0] * total
    ack_at = [0.0] * total
    errors = 0
    owner_of = world.owner

    def rep_handler(r: int):  # type: ignore[no-untyped-def]
        def on_frame(data: str, t: float) -> None:
            if not data.startswith('{"type":"message"'):
                return
            cid = orjson.loads(data)["message"]["client_id"]
            if cid and cid[0] == "m":
                k = int(cid[1:]) - first
                if 0 <= k < total and owner_of[k % n_vis] == r and not owner_at[k]:
                    owner_at[k] = t

        return on_frame

    def visitor_handler(_i: int):  # type: ignore[no-untyped-def]
        def on_frame(data: str, t: float) -> None:
            nonlocal errors
            if data.startswith('{"type":"ack"'):
                cid = orjson.loads(data)["client_id"]
                if cid[0] == "m" and 0 <= (k := int(cid[1:]) - first) < total:
                    ack_at[k] = t
            elif data.startswith('{"type":"error"'):
                errors += 1
                if errors <= 3:
                    log("error frame:", data[:300])

        return on_frame

    readers = start_readers([r.ws for r in world.reps], rep_handler)  # type: ignore[misc]
    readers += start_readers(world.visitors, visitor_handler)
    lag = LoopLag()
    bodies = [
        "Could you tell me whether the Team plan includes SSO? We are 40 people.",
        "Thanks! And is there a discount for annual billing?",
        "We use **Okta** today; see https://www.customer.example/security for our needs",
    ]
    sockets = world.visitors
    clock = time.perf_counter
    await asyncio.sleep(0.5)
    wait_for_quiet(max_wait=args.quiet_wait)
    name = f"{result.config}-{result.code.replace(' ', '-')}-{result.run}"
    spies = _start_profiles(args.profile, pids, name)
    other = OtherLoad()
    other.start()
    t0 = clock() + 0.05
    interval = 1.0 / args.rate
    k = 0
    cpu0 = wall0 = client0 = window_start = 0.0
    measured_from = warm
    while k < total:
        now = clock()
        due = t0 + k * interval
        if due > now:
            await asyncio.sleep(due - now)
            continue
        while k < total and t0 + k * interval <= now:
            if k == measured_from:
                cpu0, wall0, client0 = cpu_of(pids), clock(), time.process_time()
                window_start = time.time()
                lag.start()
            frame = orjson.dumps(
                {"type": "message", "client_id": f"m{first + k}", "body": bodies[k % 3]}
            ).decode()
            intended[k] = t0 + k * interval
            sent_at[k] = clock()
            await sockets[k % n_vis].send_str(frame)
            k += 1
    send_end = clock()
    result.window = (window_start, time.time())
    # Wait (bounded) for the stragglers, then stop.
    deadline = clock() + args.drain
    while clock() < deadline and not all(owner_at[measured_from:]):
        await asyncio.sleep(0.05)
    wall = clock() - wall0
    result.server_cpu = (cpu_of(pids) - cpu0) / wall
    _stop_profiles(spies)
    result.other_load = other.cores()
    result.services = other.services()
    result.client_cpu = (time.process_time() - client0) / wall
    await lag.stop()
    for task in readers:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*readers, return_exceptions=True)
    rng = range(measured_from, total)
    result.sent = len(rng)
    result.intended_rate = args.rate
    result.achieved_rate = len(rng) / (sent_at[total - 1] - sent_at[measured_from])
    result.latencies = [owner_at[i] - sent_at[i] for i in rng if owner_at[i]]
    result.scheduled = [owner_at[i] - intended[i] for i in rng if owner_at[i]]
    result.acks = [ack_at[i] - sent_at[i] for i in rng if ack_at[i]]
    result.missing = sum(1 for i in rng if not owner_at[i])
    window = (sent_at[measured_from], sent_at[total - 1])
    result.delivered_rate = sum(1 for t in owner_at if window[0] <= t <= window[1]) / (
        window[1] - window[0]
    )
    result.errors = errors
    result.client_lag_p99 = percentile(lag.lags, 99)
    result.sender_late_p99 = percentile([sent_at[i] - intended[i] for i in rng], 99)
    _ = send_end


def _start_profiles(out: Path | None, pids: list[int], name: str) -> list[subprocess.Popen[bytes]]:
    """`--profile DIR`: py-spy records every server while the run sends (collapsed stacks,
    one line per stack with its sample count: `DIR/<config>-<code>-<run>-<n>.txt`)."""
    if out is None:
        return []
    out.mkdir(parents=True, exist_ok=True)
    in_venv = Path(sys.executable).parent / "py-spy"
    spy = str(in_venv) if in_venv.exists() else (shutil.which("py-spy") or "py-spy")
    command = [spy, "record", "--format", "raw", "--rate", "200"]
    return [
        subprocess.Popen(
            [*command, "--pid", str(pid), "--output", str(out / f"{name}-{n}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, pid in enumerate(pids)
    ]


def _stop_profiles(spies: list[subprocess.Popen[bytes]]) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        spy.wait(timeout=60)


def summary_line(r: Result) -> str:
    lat, ack = r.latencies, r.acks
    return (
        f"{r.config} ({r.code}) run {r.run}: sent {r.sent} at {r.achieved_rate:.0f}/s, delivered "
        f"{r.delivered_rate:.0f}/s; visitor->rep p50 "
        f"{percentile(lat, 50) * 1000:.1f} ms p99 {percentile(lat, 99) * 1000:.1f} ms "
        f"max {max(lat, default=float('nan')) * 1000:.1f} ms; ack p50 "
        f"{percentile(ack, 50) * 1000:.1f} ms p99 {percentile(ack, 99) * 1000:.1f} ms; "
        f"missing {r.missing}, errors {r.errors}; server CPU {r.server_cpu:.2f} cores, "
        f"client CPU {r.client_cpu:.2f} cores, client loop lag p99 {r.client_lag_p99 * 1000:.1f} ms, "
        f"PostgreSQL + Redis {r.services:.2f} cores, other processes {r.other_load:.2f} cores; "
        f"server GC pauses >= 1 ms {r.gc_pauses}, longest {r.gc_longest * 1000:.1f} ms "
        f"({r.gc_collections} collections in the servers' lives)"
    )


def report(results: list[Result], args: argparse.Namespace) -> str:
    lines = [
        f"### Chat round trip: {args.visitors} conversations, {args.reps} reps, "
        f"{args.rate:.0f} msg/s open loop for {args.seconds:.0f} s x {args.runs} run(s) "
        "(bench/chat_round_trip.py)",
        "",
        source_label()
        + (f"; baseline server code: {args.baseline_src}" if args.baseline_src else "")
        + f". Load average at the start: {args.loadavg}.",
        "",
        "| configuration | code | run | sent (rate) | delivered to reps | visitor->rep p50 | p99 "
        "| max | p99 from schedule | ack p50 / p99 | not delivered | server CPU (per message) "
        "| other processes' CPU | PostgreSQL + Redis | bar (p99) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p99 = percentile(r.latencies, 99)
        bar = BARS[r.config]
        verdict = "met" if p99 <= bar and r.missing == 0 else "**NOT met**"
        lines.append(
            f"| {LABELS[r.config]} | {r.code} | {r.run} | {r.sent:,} ({r.achieved_rate:.0f}/s) "
            f"| {r.delivered_rate:.0f}/s "
            f"| {percentile(r.latencies, 50) * 1000:.1f} ms | {p99 * 1000:.1f} ms "
            f"| {max(r.latencies, default=float('nan')) * 1000:.1f} ms "
            f"| {percentile(r.scheduled, 99) * 1000:.1f} ms "
            f"| {percentile(r.acks, 50) * 1000:.1f} / {percentile(r.acks, 99) * 1000:.1f} ms "
            f"| {r.missing} | {r.server_cpu:.2f} cores "
            f"({r.server_cpu / max(r.delivered_rate, 1e-9) * 1000:.2f} ms) "
            f"| {r.other_load:.2f} cores | {r.services:.2f} cores "
            f"| <= {bar * 1000:.0f} ms: {verdict} |"
        )
    lines.append("")
    for config in dict.fromkeys(r.config for r in results):
        for code in dict.fromkeys(r.code for r in results):
            runs = [r for r in results if r.config == config and r.code == code]
            met = sum(
                1 for r in runs if percentile(r.latencies, 99) <= BARS[r.config] and not r.missing
            )
            per_msg = [r.server_cpu / max(r.delivered_rate, 1e-9) * 1000 for r in runs]
            lines.append(
                f"- {config} ({code}): bar met in {met} of {len(runs)} runs; server CPU per "
                f"message {min(per_msg):.2f}-{max(per_msg):.2f} ms; p99s "
                + ", ".join(f"{percentile(r.latencies, 99) * 1000:.1f}" for r in runs)
                + " ms."
            )
    lines.append("")
    lines.append(
        "Load generator on the same 2 cores: "
        + "; ".join(
            f"{r.config} ({r.code}) run {r.run} client {r.client_cpu:.2f} cores, its loop lag "
            f"p99 {r.client_lag_p99 * 1000:.1f} ms, sender behind schedule p99 "
            f"{r.sender_late_p99 * 1000:.1f} ms, server GC pauses of "
            f"1 ms or more {r.gc_pauses} (longest {r.gc_longest * 1000:.1f} ms)"
            for r in results
        )
        + "."
    )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[Result]:
    results = []
    codes = ["work tree", "baseline"] if args.baseline_src else ["work tree"]
    for config in args.configs.split(","):
        for code in codes:
            log(f"--- {LABELS[config]} ({code})")
            results.extend(await run_config(config, args, code))
    return results


def refusal(results: list[Result], limit: float) -> str | None:
    """Why these runs must not be recorded, if they must not: another process used more
    than `limit` cores during one of them (read from /proc, see bench/_common.OtherLoad)."""
    busy = [r for r in results if r.other_load > limit]
    if not busy:
        return None
    return (
        "; ".join(
            f"{r.config} ({r.code}) run {r.run}: other processes used {r.other_load:.2f} cores"
            for r in busy
        )
        + f" (limit {limit:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="messages per second, total")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured period")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds sent before measuring")
    parser.add_argument("--drain", type=float, default=15.0, help="max wait for late frames")
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--configs", default="sqlite,pg2", help="any of sqlite,pg1,pg2")
    parser.add_argument(
        "--quiet-wait", type=float, default=180.0, help="max wait for a quiet machine per run"
    )
    parser.add_argument("--runs", type=int, default=1, help="measured runs per configuration")
    parser.add_argument(
        "--baseline-src", default="", help="also run the servers from this src/ (A/B)"
    )
    parser.add_argument(
        "--max-other",
        type=float,
        default=MAX_OTHER,
        help="cores other processes may use during a run for --record to write it",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy every server while sending, to DIR"
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    raise_fd_limit()
    boost_priority()
    results = asyncio.run(main_async(args))
    text = report(results, args)
    print()
    print(text)
    if args.record:
        refused = refusal(results, args.max_other)
        if refused:
            print(f"\nNOT recorded in bench/RESULTS.md: {refused}.")
            sys.exit(3)
        append_results(f"## {time.strftime('%Y-%m-%d %H:%M UTC')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
