"""Issue 2, benchmark 1: server memory per idle visitor WebSocket, against Node's `ws`.

One `frontdesk serve` process (SQLite + in-process bus) holds N idle visitor sockets, each of
which sent a real `hello` and got its `welcome` (so the server did its real per-visitor work:
visitor, visit and page view rows, live state, bus subscription). Memory per connection is
(RSS after - RSS before) / N on the server pid, after a settle period. In the same run a bare
`ws` echo server (bench/node_ws_server.mjs) holds the same N sockets opened by the same client
(the hello is echoed back instead of answered with a welcome). Both are measured with the
client not asking for permessage-deflate (compress=0) and asking for it (compress=15, as every
browser does); both servers must decline it.

    .venv/bin/python bench/idle_connections.py [--connections 10000] [--servers aiohttp,lean]
        [--record]

Frontdesk is measured once per visitor socket server named in --servers
(FRONTDESK_VISITOR_SOCKET_SERVER: aiohttp, and the lean wsproto protocol of issue 21), each
against the same Node run.

Bars: issue 2, Frontdesk's bytes per connection <= 3x the `ws` figure; issue 21, <= 2x.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    BENCH_DIR,
    MACHINE,
    SITE,
    Server,
    Servers,
    append_results,
    backend,
    boost_priority,
    free_port,
    frontdesk_server,
    hello_frame,
    log,
    raise_fd_limit,
    setup_org,
    source_label,
)

BAR = 3.0  # issue 2
BAR_21 = 2.0  # issue 21


@dataclass
class Phase:
    label: str
    kind: str  # "frontdesk" | "ws"
    compress: int
    socket_server: str = ""  # FRONTDESK_VISITOR_SOCKET_SERVER of a Frontdesk phase
    rss_before: int = 0
    rss_after: int = 0
    connected: int = 0
    deflate_negotiated: int = 0
    open_seconds: float = 0.0
    client_rss_delta: int = 0

    @property
    def per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / max(self.connected, 1)


async def _open_one(
    http: aiohttp.ClientSession, url: str, compress: int, expect_welcome: bool, n: int
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(url, origin=SITE, compress=compress, max_msg_size=0)
    try:
        await ws.send_str(hello_frame(tab=f"tab{n}").decode())
        msg = await ws.receive(timeout=60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"closed before the first frame: {msg.type} {msg.data!r}")
        if expect_welcome and orjson.loads(msg.data).get("type") != "welcome":
            raise RuntimeError(f"expected a welcome, got {msg.data[:200]!r}")
        return ws
    except BaseException:
        await ws.close()
        raise


async def _open_many(
    http: aiohttp.ClientSession,
    url: str,
    n: int,
    batch: int,
    compress: int,
    expect_welcome: bool,
    deadline: float,
) -> list[aiohttp.ClientWebSocketResponse]:
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    failures = 0
    for start in range(0, n, batch):
        if time.monotonic() > deadline:
            raise RuntimeError(f"time limit reached after {len(sockets)} connections")
        results = await asyncio.gather(
            *(
                _open_one(http, url, compress, expect_welcome, i)
                for i in range(start, min(start + batch, n))
            ),
            return_exceptions=True,
        )
        for r in results:
            if isinstance(r, BaseException):
                failures += 1
                if failures <= 3:
                    log("connection failed:", repr(r))
            else:
                sockets.append(r)
        if failures > n // 100:
            raise RuntimeError(f"{failures} connections failed")
    return sockets


def _session(local_ip: str) -> aiohttp.ClientSession:
    # Each phase connects from its own loopback source address, so the previous phase's
    # sockets in TIME_WAIT never exhaust the ephemeral ports (still 127.0.0.1 as the target).
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, local_addr=(local_ip, 0), force_close=False),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
    )


def _settled_rss(server: Server, settle: float) -> int:
    """Waits `settle` seconds, then until the server is idle (CPU), and returns its RSS."""
    time.sleep(settle)
    proc = psutil.Process(server.pid)
    proc.cpu_percent(None)
    for _ in range(20):
        time.sleep(0.5)
        if proc.cpu_percent(None) < 5:
            break
    return int(proc.memory_info().rss)


async def run_phase(
    phase: Phase, server: Server, site_key: str, n: int, batch: int, settle: float, ip: str
) -> None:
    path = f"/ws/visitor?site={site_key}" if phase.kind == "frontdesk" else "/"
    url = server.ws_url + path
    expect_welcome = phase.kind == "frontdesk"
    me = psutil.Process()
    deadline = time.monotonic() + 600
    # Warm up code paths and caches (first hellos compile SQL, import lazily, size pools).
    async with _session(ip) as http:
        warm = await _open_many(http, url, 200, batch, phase.compress, expect_welcome, deadline)
        for ws in warm:
            await ws.close()
    await asyncio.sleep(0)
    gc.collect()
    client_before = me.memory_info().rss
    phase.rss_before = await asyncio.to_thread(_settled_rss, server, settle / 2)
    http = _session(ip)
    try:
        t0 = time.monotonic()
        sockets = await _open_many(http, url, n, batch, phase.compress, expect_welcome, deadline)
        phase.open_seconds = time.monotonic() - t0
        phase.connected = len(sockets)
        phase.deflate_negotiated = sum(1 for ws in sockets if ws.compress)
        phase.rss_after = await asyncio.to_thread(_settled_rss, server, settle)
        phase.client_rss_delta = me.memory_info().rss - client_before
        # Still all open after the settle period?
        still_open = sum(1 for ws in sockets if not ws.closed)
        if still_open != len(sockets):
            log(f"warning: {len(sockets) - still_open} sockets closed during the hold")
    finally:
        await http.close()
    log(
        f"{phase.label}: {phase.connected} sockets open in {phase.open_seconds:.1f}s, "
        f"RSS {phase.rss_before / 2**20:.1f} -> {phase.rss_after / 2**20:.1f} MiB, "
        f"{phase.per_connection / 1024:.1f} KiB/connection, "
        f"permessage-deflate negotiated on {phase.deflate_negotiated}"
    )


def node_server(workdir: Any) -> Server:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed")
    if not (BENCH_DIR / "node_modules" / "ws").exists():
        raise RuntimeError("run `npm install` in bench/ first (installs ws)")
    port = free_port()
    return Server(
        "node-ws",
        [node, str(BENCH_DIR / "node_ws_server.mjs"), str(port)],
        {"PATH": "/usr/bin:/bin"},
        port,
        workdir / "node-ws.log",
        health_path=None,
    )


async def main_async(args: argparse.Namespace) -> list[Phase]:
    phases: list[Phase] = []
    for compress in (0, 15):
        for kind in args.servers:
            phases.append(
                Phase(
                    f"Frontdesk ({kind}), client compress={compress}", "frontdesk", compress, kind
                )
            )
        phases.append(Phase(f"ws (Node), client compress={compress}", "ws", compress))
    if args.frontdesk_only:
        phases = [p for p in phases if p.kind == "frontdesk"]
    with backend("sqlite") as b, Servers() as servers:
        site_key, _ = setup_org(b)
        for i, phase in enumerate(phases):
            if phase.kind == "frontdesk":
                server = frontdesk_server(b, f"frontdesk-{i}")
                server.env = dict(server.env, FRONTDESK_VISITOR_SOCKET_SERVER=phase.socket_server)
                servers.start(server)
            else:
                server = servers.start(node_server(b.workdir))
            try:
                await run_phase(
                    phase,
                    server,
                    site_key,
                    args.connections,
                    args.batch,
                    args.settle,
                    f"127.0.0.{10 + i}",
                )
            finally:
                server.stop()
            await asyncio.sleep(1)
    return phases


def report(phases: list[Phase], n: int) -> str:
    node = {p.compress: p for p in phases if p.kind == "ws"}
    lines = [
        f"### Idle connections: {n:,} idle visitor sockets, one process "
        f"(bench/idle_connections.py)",
        "",
        source_label() + ".",
        "",
        "| server | client asks permessage-deflate | sockets | RSS before | RSS after | "
        "per connection | / ws | deflate negotiated | open time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in phases:
        ratio = p.per_connection / node[p.compress].per_connection
        lines.append(
            f"| {p.label.split(',')[0]} | {'yes (compress=15)' if p.compress else 'no (compress=0)'} "
            f"| {p.connected:,} | {p.rss_before / 2**20:.1f} MiB | {p.rss_after / 2**20:.1f} MiB "
            f"| {p.per_connection / 1024:.1f} KiB | {ratio:.2f}x | {p.deflate_negotiated} "
            f"| {p.open_seconds:.1f} s |"
        )
    lines.append("")
    for p in phases:
        if p.kind != "frontdesk" or p.compress:
            continue
        ratio0 = p.per_connection / node[0].per_connection
        (p15,) = [q for q in phases if q.socket_server == p.socket_server and q.compress]
        ratio15 = p15.per_connection / node[15].per_connection
        lines.append(
            f"Frontdesk ({p.socket_server}) / ws: **{ratio0:.2f}x** without deflate requested, "
            f"{ratio15:.2f}x with it requested. Bar <= {BAR:.0f}x (issue 2): "
            f"**{'met' if ratio0 <= BAR else 'NOT met'}**; <= {BAR_21:.0f}x (issue 21): "
            f"**{'met' if max(ratio0, ratio15) <= BAR_21 else 'NOT met'}**. Client (separate "
            f"process) RSS grew {p.client_rss_delta / n / 1024:.1f} KiB per socket (not part of "
            "the figure)."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="connections opened at once")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument(
        "--frontdesk-only", action="store_true", help="skip the ws baseline (quick look)"
    )
    parser.add_argument(
        "--servers",
        type=lambda text: [part for part in text.split(",") if part],
        default=["aiohttp", "lean"],
        help="visitor socket servers to measure, comma-separated (aiohttp, lean)",
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    raise_fd_limit()
    boost_priority()
    phases = asyncio.run(main_async(args))
    if args.frontdesk_only:
        for p in phases:
            print(f"{p.label}: {p.per_connection / 1024:.1f} KiB per connection")
        return
    text = report(phases, args.connections)
    print()
    print(text)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d')}: {MACHINE}\n\n{text}")


if __name__ == "__main__":
    main()
