"""Issue 21: how many visitor hello -> welcome round trips one server process answers a second.

Two phases against one `frontdesk serve` process:

1. new visitors: N sockets, each a first visit (no token), opened with C in flight at once;
2. returning visitors: the same N visitors reconnect with their tokens (what a server restart
   or a deploy causes; the reconnect storm benchmark adds the widget's back-off to this).

For each phase: welcomes per second, hello -> welcome latency p50/p95/p99, server CPU per
welcome, client CPU (the load generator is Python too; it reports its own share). With
`--profile DIR` py-spy records the server during each phase (speedscope JSON files).

Bar (issue 21): >= 1,000 hello/welcome per second in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import orjson

from bench._common import (
    HOST,
    MACHINE,
    REPO,
    SRC_OVERRIDE,
    OtherLoad,
    Server,
    Servers,
    backend,
    boost_priority,
    fmt_ms,
    free_port,
    frontdesk_server,
    hello_frame,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)

BAR_PER_SECOND = 1000


async def _hello(
    http: aiohttp.ClientSession, url: str, token: str | None, tab: str
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any], float]:
    t0 = time.perf_counter()
    ws = await http.ws_connect(url, origin="https://www.customer.example", max_msg_size=0)
    await ws.send_str(hello_frame(token, 0, tab).decode())
    while True:
        msg = await ws.receive(timeout=60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"closed before welcome: {msg.type} {msg.data}")
        frame = orjson.loads(msg.data)
        if frame.get("type") == "welcome":
            return ws, frame, time.perf_counter() - t0
        if frame.get("type") == "error":
            raise RuntimeError(f"hello refused: {frame}")


async def _phase(
    http: aiohttp.ClientSession,
    url: str,
    tokens: list[str | None],
    concurrency: int,
) -> tuple[list[aiohttp.ClientWebSocketResponse], list[str], list[float], float]:
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    new_tokens: list[str] = [""] * len(tokens)
    latencies: list[float] = []
    queue = list(enumerate(tokens))
    queue.reverse()

    async def worker() -> None:
        while queue:
            i, token = queue.pop()
            ws, welcome, took = await _hello(http, url, token, f"tab{i}")
            sockets.append(ws)
            new_tokens[i] = welcome["token"]
            latencies.append(took)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sockets, new_tokens, latencies, time.perf_counter() - t0


def _cpu_seconds(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return float(t.user + t.system)


def _own_cpu() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


@contextlib.contextmanager
def _profiled(pid: int, out: Path | None, name: str) -> Any:
    if out is None:
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}.speedscope.json"
    in_venv = Path(sys.executable).parent / "py-spy"
    spy = subprocess.Popen(
        [
            str(in_venv) if in_venv.exists() else (shutil.which("py-spy") or "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--format",
            "speedscope",
            "--rate",
            "200",
            "--output",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield
    finally:
        spy.send_signal(2)
        spy.wait(timeout=60)
        log(f"profile written to {target}")


async def main_async(args: argparse.Namespace) -> str:
    rows: list[str] = []
    # Same-run A/B: this code and, with --baseline-src, a server importing other code, in
    # alternating rounds (the machine's speed drifts by the hour; CPU per welcome compares).
    variants: list[tuple[str, str]] = [("this code", SRC_OVERRIDE or str(REPO / "src"))]
    if args.baseline_src:
        variants.append(("baseline", str(Path(args.baseline_src).resolve())))
    with backend(args.backend) as b, Servers() as servers:
        site_key, _ = setup_org(b)
        for _ in range(args.rounds):
            for label, src in variants:
                for kind in args.servers:
                    server = frontdesk_server(b, f"server-{kind}", free_port())
                    server.env = dict(
                        server.env, FRONTDESK_VISITOR_SOCKET_SERVER=kind, PYTHONPATH=src
                    )
                    servers.start(server)
                    try:
                        name = kind if len(variants) == 1 else f"{kind}, {label}"
                        await _measure(args, server, site_key, name, rows)
                    finally:
                        server.stop()
    return "\n".join(
        [
            f"### Visitor connects: hello -> welcome per second, one process, {b.name} "
            f"(bench/visitor_connects.py --visitors {args.visitors} --concurrency "
            f"{args.concurrency} --servers {','.join(args.servers)})",
            "",
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {MACHINE}. "
            f"{source_label()}"
            + (f"; baseline: {args.baseline_src}" if args.baseline_src else "")
            + ". The same visitors on each visitor socket "
            "server (FRONTDESK_VISITOR_SOCKET_SERVER), one after the other.",
            "",
            "| socket server | phase | welcomes | rate | hello -> welcome p50 / p95 / p99 | "
            "server CPU | load generator CPU | other processes | bar (>= 1,000/s) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


async def _measure(
    args: argparse.Namespace, server: Server, site_key: str, kind: str, rows: list[str]
) -> None:
    url = f"ws://{HOST}:{server.port}/ws/visitor?site={site_key}"
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
    )
    try:
        # Warm up the process (imports, caches, the first queries) with a few visitors.
        warm, _, _, _ = await _phase(http, url, [None] * 50, 10)
        for ws in warm:
            await ws.close()
        tokens: list[str | None] = [None] * args.visitors
        for name in ("new visitors", "returning visitors"):
            wait_for_quiet(args.quiet_wait)
            other = OtherLoad()
            other.start()
            cpu0, own0 = _cpu_seconds(server.pid), _own_cpu()
            with _profiled(server.pid, args.profile, name.replace(" ", "-")):
                sockets, new_tokens, latencies, took = await _phase(
                    http, url, tokens, args.concurrency
                )
            cpu = _cpu_seconds(server.pid) - cpu0
            own = _own_cpu() - own0
            rate = len(latencies) / took
            rows.append(
                f"| {kind} | {name} | {len(latencies):,} in {took:.1f} s | **{rate:,.0f}/s** | "
                f"{fmt_ms(percentile(latencies, 50))} / {fmt_ms(percentile(latencies, 95))} / "
                f"{fmt_ms(percentile(latencies, 99))} | {cpu / took:.2f} cores "
                f"({cpu / len(latencies) * 1000:.2f} ms each) | {own / took:.2f} cores | "
                f"{other.cores():.2f} cores | {'met' if rate >= BAR_PER_SECOND else 'NOT met'} |"
            )
            log(rows[-1])
            for ws in sockets:
                await ws.close()
            tokens = list(new_tokens)
            await asyncio.sleep(2)  # let the server finish the departures
    finally:
        await http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=100, help="hellos in flight at once")
    parser.add_argument("--backend", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy output directory")
    parser.add_argument(
        "--servers",
        type=lambda text: [part for part in text.split(",") if part],
        default=["aiohttp", "lean"],
        help="visitor socket servers to measure in turn, comma-separated (aiohttp, lean)",
    )
    parser.add_argument("--baseline-src", help="a src/ folder of other code (same-run A/B)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds (alternating with A/B)")
    parser.add_argument(
        "--quiet-wait", type=float, default=180.0, help="longest wait for a quiet machine, s"
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    raise_fd_limit()
    boost_priority()
    section = asyncio.run(main_async(args))
    print(section)
    if args.record:
        from bench._common import append_results

        append_results(section)


if __name__ == "__main__":
    main()
