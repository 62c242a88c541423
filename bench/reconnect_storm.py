"""Issue 2, benchmark 3: 10,000 visitor sockets dropped at once and reconnecting.

N visitor tabs connect (hello -> welcome) to one `frontdesk serve` process, run through
bench/serve_with_gc_probe.py so the server's garbage-collection pauses are recorded without
changing src/. Then the server process is killed and started again on the same port: every
socket drops at the same instant, and each tab reconnects the way the widget does
(web/widget/loader.ts): exponential back-off with full jitter, a random delay in
0..min(10 s, 0.5 s * 2^attempt), attempt reset by a welcome; the reconnect's hello carries the
visitor token, resumed=true and last_seq, so the server resumes the same visitor and visit.

Why a server restart rather than closing the sockets client-side: a storm happens in real life
when the server goes away (a deploy, a crash, an OOM kill, a host reboot), and then the new
process, still cold, meets every visitor at once; closing sockets client-side would leave the
old, warm process up and measure a different thing (N disconnect cleanups and reconnects
against a process that never went down). The default is SIGKILL (a crash: every socket drops
in the same millisecond, the harshest case); --restart term does a graceful deploy instead.

Measured: the time from the kill until every tab has its welcome again (and when 50/90/99 %
were back), connection attempts, and the longest GC pause in the new server process during
the storm (from the start of the new process's serving until the last welcome).

    .venv/bin/python bench/reconnect_storm.py [--visitors 10000] [--restart kill|term]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    BENCH_DIR,
    HOST,
    MACHINE,
    PYTHON,
    SITE,
    OtherLoad,
    Server,
    Servers,
    append_results,
    backend,
    boost_priority,
    free_port,
    hello_frame,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)

BASE, CAP = 0.5, 10.0  # as web/widget/loader.ts (30 s before 2026-12-06)


@dataclass
class Tab:
    index: int
    token: str | None = None
    last_seq: int = 0
    attempt: int = 0
    welcomes: list[float] = field(default_factory=list)
    attempts: int = 0
    failures: int = 0


@dataclass
class Storm:
    tabs: list[Tab]
    http: aiohttp.ClientSession
    url: str
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    first_connect: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(200))
    errors: dict[str, int] = field(default_factory=dict)

    def note(self, exc: BaseException) -> None:
        key = type(exc).__name__
        self.errors[key] = self.errors.get(key, 0) + 1


async def run_tab(tab: Tab, storm: Storm) -> None:
    """One browser tab's widget socket: connect, hello, welcome, hold; back off when dropped."""
    first = True
    while not storm.stop.is_set():
        tab.attempts += 1
        ws = None
        try:
            if first:
                async with storm.first_connect:  # the initial ramp is paced; reconnects are not
                    ws, welcome = await _connect(tab, storm)
            else:
                ws, welcome = await _connect(tab, storm)
            first = False
            tab.attempt = 0
            tab.token = welcome["token"]
            tab.welcomes.append(time.monotonic())
            while True:  # hold it until the server drops it
                msg = await ws.receive()
                if msg.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            tab.failures += 1
            storm.note(exc)
        finally:
            if ws is not None:
                with contextlib.suppress(Exception):
                    await ws.close()
        delay = random.random() * min(CAP, BASE * 2**tab.attempt)
        tab.attempt += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(storm.stop.wait(), delay)


async def _connect(tab: Tab, storm: Storm) -> tuple[aiohttp.ClientWebSocketResponse, dict]:  # type: ignore[type-arg]
    ws = await storm.http.ws_connect(storm.url, origin=SITE, compress=0, max_msg_size=0)
    try:
        await ws.send_str(hello_frame(tab.token, tab.last_seq, tab=f"t{tab.index}").decode())
        while True:  # the widget waits for the welcome as long as the socket is open
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"closed before welcome ({msg.type.name})")
            frame = orjson.loads(msg.data)
            if frame.get("type") == "welcome":
                return ws, frame
            if frame.get("type") == "error":
                raise ConnectionError(f"hello refused: {frame.get('code')}")
    except BaseException:
        await ws.close()
        raise


def probe_server(b_env: dict[str, str], workdir: Path, port: int, n: int) -> tuple[Server, Path]:
    out = workdir / f"gc-{n}.json"
    return (
        Server(
            f"frontdesk-gc-{n}",
            [
                PYTHON,
                str(BENCH_DIR / "serve_with_gc_probe.py"),
                str(out),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
            ],
            b_env,
            port,
            workdir / f"frontdesk-gc-{n}.log",
        ),
        out,
    )


def summarise_errors(log_text: str) -> str:
    """Counts the server's logged errors by their last line (the exception)."""
    counts: dict[str, int] = {}
    for line in log_text.splitlines():
        if '"level":"error"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        last = (record.get("exception") or record.get("message") or "").strip().splitlines()
        key = (last[-1] if last else "?")[:140]
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{n} x `{k}`" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))


async def wait_all_back(tabs: list[Tab], count: int, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(len(t.welcomes) >= count for t in tabs):
            return True
        await asyncio.sleep(0.05)
    return False


async def main_async(args: argparse.Namespace) -> str:
    with backend(args.backend) as b, Servers() as servers:
        site_key, _ = setup_org(b)
        port = free_port()
        first, _gc_first = probe_server(b.env, b.workdir, port, 1)
        servers.start(first)
        tabs = [Tab(i) for i in range(args.visitors)]
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, local_addr=("127.0.0.2", 0)),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
        )
        storm = Storm(tabs, http, f"ws://{HOST}:{port}/ws/visitor?site={site_key}")
        tasks = [asyncio.create_task(run_tab(t, storm)) for t in tabs]
        try:
            t0 = time.monotonic()
            if not await wait_all_back(tabs, 1, args.time_limit):
                raise RuntimeError("the initial connections did not all get a welcome in time")
            log(f"{args.visitors} tabs connected in {time.monotonic() - t0:.1f}s; settling")
            await asyncio.sleep(args.settle)
            attempts_before = sum(t.attempts for t in tabs)
            storm.errors.clear()
            wait_for_quiet()
            other = OtherLoad()
            other.start()

            env2 = dict(b.env)
            if args.gc_census:
                env2["FRONTDESK_BENCH_GC_CENSUS"] = "1"
            if args.gc_threshold:
                env2["FRONTDESK_BENCH_GC_THRESHOLD"] = args.gc_threshold
            second, gc_second = probe_server(env2, b.workdir, port, 2)

            # ---- the storm -----------------------------------------------------------------
            t_kill = time.monotonic()
            client_cpu0 = time.process_time()
            # In threads: the tabs (this event loop) must see the drop and retry meanwhile.
            await asyncio.to_thread(
                first.stop, signal.SIGKILL if args.restart == "kill" else signal.SIGTERM, 60
            )
            t_down = time.monotonic()
            await asyncio.to_thread(servers.start, second)
            t_ready = time.monotonic()
            wall_ready = time.time()
            # CPU the new process spent until it served (imports, app, start-up): unlike the
            # wall time, this does not grow with the machine's other load.
            cpu_ready = second.cpu_seconds()
            log(
                f"server {args.restart}ed: old process gone after {t_down - t_kill:.2f}s, "
                f"new one serving after {t_ready - t_kill:.2f}s"
            )
            back = await wait_all_back(tabs, 2, args.time_limit)
            t_end = time.monotonic()
            wall_end = time.time()
            client_cores = (time.process_time() - client_cpu0) / max(t_end - t_kill, 1e-9)
            other_cores = other.cores()
            backs = sorted(t.welcomes[1] for t in tabs if len(t.welcomes) >= 2)
            rss = second.rss()
            storm.stop.set()
            await asyncio.sleep(0.5)
            # SIGTERM: the probe writes its final file on the way out.
            await asyncio.to_thread(second.stop)
            gc_state = json.loads(gc_second.read_text())
            if args.gc_census or args.gc_pauses:
                Path(args.gc_census or args.gc_pauses).write_text(json.dumps(gc_state["pauses"]))
            server_errors = summarise_errors(second.tail(50_000_000))
        finally:
            storm.stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await http.close()

    n = args.visitors
    since_kill = [t - t_kill for t in backs]
    window = [p for p in gc_state["pauses"] if wall_ready - 0.5 <= p[0] <= wall_end + 0.5]
    max_pause = max((p[2] for p in window), default=0.0)
    max_gen = next((p[1] for p in window if p[2] == max_pause), None)
    # The same collections in the thread's CPU time (what the collector itself did; the wall
    # time adds any moment the process was descheduled on a busy machine).
    max_cpu = max((p[4] for p in window if len(p) > 4), default=0.0)
    max_cpu_gen = next((p[1] for p in window if len(p) > 4 and p[4] == max_cpu), None)
    over_50 = sum(1 for p in window if p[2] > 0.05)
    # Page faults during the longest pause (the probe counts them for generations 1 and 2).
    longest = next((p for p in window if p[2] == max_pause), None)
    faults = (
        f"; {longest[5]:,} minor / {longest[6]:,} major page faults during it"
        if longest is not None and len(longest) > 6
        else ""
    )
    gen2 = sum(1 for p in window if p[1] == 2)
    attempts = sum(t.attempts for t in tabs) - attempts_before
    errors = ", ".join(f"{k} {v}" for k, v in sorted(storm.errors.items())) or "none"
    lines = [
        f"### Reconnect storm: {n:,} visitor sockets, server restarted "
        f"({'SIGKILL' if args.restart == 'kill' else 'SIGTERM'}), {b.name}, one process "
        "(bench/reconnect_storm.py"
        + (f" --gc-threshold {args.gc_threshold}" if args.gc_threshold else "")
        + ")",
        "",
        source_label() + ".",
        "",
        "| figure | value |",
        "|---|---|",
        f"| all {n:,} back with a welcome (from the kill) | "
        + (
            f"**{t_end - t_kill:.1f} s**"
            if back
            else f"NOT all back after {args.time_limit:.0f} s ({len(backs):,} were)"
        )
        + " |",
        f"| new process serving (from the kill) | {t_ready - t_kill:.2f} s "
        f"({cpu_ready:.2f} s of CPU in the new process by then) |",
        f"| 50 % / 90 % / 99 % back | {percentile(since_kill, 50):.1f} s / "
        f"{percentile(since_kill, 90):.1f} s / {percentile(since_kill, 99):.1f} s |",
        f"| reconnect rate once serving | {len(backs) / max(t_end - t_ready, 1e-9):.0f} welcomes/s |",
        f"| connection attempts during the storm | {attempts:,} (failed: {errors}) |",
        f"| longest GC pause in the new process during the storm | **{max_pause * 1000:.1f} ms** "
        f"(generation {max_gen}; {gen2} full collections in the window; {over_50} over 50 ms"
        f"{faults}) |",
        f"| longest GC pause during the storm in CPU time (the collector's own work) | "
        f"{max_cpu * 1000:.1f} ms (generation {max_cpu_gen}) |",
        f"| longest GC pause in the new process over its life | "
        f"{gc_state['max_pause_s'] * 1000:.1f} ms (generation "
        f"{gc_state['max_pause_generation']}; includes the startup gc.collect() before freeze) |",
        f"| new process RSS with {len(backs):,} sockets | {rss / 2**20:.0f} MiB |",
        f"| CPU used by other processes on the machine during the storm | {other_cores:.2f} cores |",
        f"| CPU used by the tabs (this load generator, one process) during the storm | "
        f"{client_cores:.2f} cores |",
        f"| all GC pauses in the new process: count per generation, total | "
        f"{gc_state['collections']}, {gc_state['total_pause_s']:.1f} s |",
    ]
    if server_errors:
        lines.append(f"| server errors logged during the storm | {server_errors} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--restart", choices=["kill", "term"], default="kill")
    parser.add_argument("--backend", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument(
        "--gc-threshold",
        help="experiment: gc.set_threshold(g0,g1,g2) in the restarted server, e.g. 100000,50,1000",
    )
    parser.add_argument(
        "--gc-census",
        help="diagnosis: the new server counts young objects by type before each generation-1 "
        "pass (slow); the pauses are written to this JSON file",
    )
    parser.add_argument(
        "--gc-pauses", help="write the new server's GC pauses of 1 ms or more to this JSON file"
    )
    parser.add_argument("--time-limit", type=float, default=600.0, help="per phase, seconds")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    raise_fd_limit()
    boost_priority()
    text = asyncio.run(main_async(args))
    print()
    print(text)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
