"""Issue 21: the floor under Frontdesk's idle visitor socket. Each WebSocket library Frontdesk
could put under the visitor endpoint holds N idle sockets as a bare echo server (no Frontdesk
code), next to Node's `ws` (bench/node_ws_server.mjs) in the same run; the same client opens
them (asking for permessage-deflate, as browsers do; every server declines it) and sends one
text frame on each. Memory per socket is the server's RSS growth over N after 500 warm-up
sockets. This says whether the bar (Frontdesk <= 2x `ws`, bench/idle_connections.py) can be met
on a library at all before Frontdesk's own state is added.

    .venv/bin/python bench/ws_server_floor.py [--connections 10000] [--record]
        [--servers aiohttp,wsproto,websockets,picows,node]

Libraries not installed are reported as such (pip install wsproto websockets picows).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import BENCH_DIR, MACHINE, append_results, free_port, log, source_label

WARM_UP = 500


async def measure(kind: str, connections: int) -> tuple[float, float]:
    """(KiB per socket, seconds to open them) for one server kind."""
    port = free_port()
    if kind == "node":
        cmd = ["node", str(BENCH_DIR / "node_ws_server.mjs"), str(port)]
    else:
        cmd = [sys.executable, str(BENCH_DIR / "_ws_floor_servers.py"), kind, str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=BENCH_DIR)
    try:
        assert server.stdout is not None
        server.stdout.readline()
        process = psutil.Process(server.pid)
        sockets: list[aiohttp.ClientWebSocketResponse] = []
        gate = asyncio.Semaphore(100)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

            async def one() -> None:
                async with gate:
                    ws = await http.ws_connect(
                        f"http://127.0.0.1:{port}/ws", compress=15, autoping=False
                    )
                    await ws.send_str('{"type":"hello"}')
                    await ws.receive(timeout=30)
                    sockets.append(ws)

            await asyncio.gather(*(one() for _ in range(WARM_UP)))
            await asyncio.sleep(2)
            before = process.memory_info().rss
            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(connections)))
            opened = time.perf_counter() - started
            await asyncio.sleep(3)
            after = process.memory_info().rss
            for ws in sockets:
                await ws.close()
        return (after - before) / connections / 1024, opened
    finally:
        server.terminate()
        server.wait(10)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    # picows is left out by default: at 10,000 sockets its server stopped answering new ones
    # here (2026-12-04); at 5,000 it held 28.7 KiB per socket.
    parser.add_argument("--servers", default="node,aiohttp,wsproto,websockets")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results: dict[str, tuple[float, float] | None] = {}
    for kind in args.servers.split(","):
        if kind != "node" and importlib.util.find_spec(kind) is None:
            log(f"{kind}: not installed, skipped")
            results[kind] = None
            continue
        results[kind] = await measure(kind, args.connections)
        log(f"{kind}: {results[kind][0]:.2f} KiB per socket, opened in {results[kind][1]:.1f} s")
    node = results.get("node")
    lines = []
    for kind, figure in results.items():
        if figure is None:
            lines.append(f"| {kind} | not installed | | |")
            continue
        ratio = f"{figure[0] / node[0]:.2f}x" if node and kind != "node" else "1.00x (baseline)"
        lines.append(f"| {kind} | {figure[0]:.2f} KiB | {ratio} | {figure[1]:.1f} s |")
    table = "\n".join(
        [
            "| server (bare echo) | per idle socket | vs Node `ws` | open time |",
            "|---|---|---|---|",
            *lines,
        ]
    )
    print(table)
    if args.record:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        append_results(
            f"## WebSocket libraries' floor per idle socket (issue 21), "
            f"{datetime.now(UTC):%Y-%m-%d}\n\n"
            f"Machine: {MACHINE}, load average {load}. server code: {source_label()}.\n"
            f"Command: `.venv/bin/python bench/ws_server_floor.py --connections "
            f"{args.connections} --record` ({WARM_UP} warm-up sockets first).\n\n{table}\n"
        )


if __name__ == "__main__":
    asyncio.run(main())
