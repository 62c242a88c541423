"""Where an idle visitor socket's bytes go (issue 21): tracemalloc in the server, by line.

Starts one `frontdesk serve` (SQLite + in-process bus) under tracemalloc, opens a warm-up batch
of visitor sockets (each a real hello and welcome), takes a snapshot, opens N more, takes
another, and prints the Python allocations that grew, grouped by the line that made them, per
socket. What tracemalloc cannot see (kernel socket buffers, C allocations outside Python's
allocator, allocator fragmentation) is the gap between its total and the RSS growth, also
printed. A probe for deciding what to remove, not a benchmark with a bar.

    .venv/bin/python bench/socket_memory.py [--connections 2000] [--frames 1] [--top 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    PYTHON,
    SITE,
    Server,
    backend,
    free_port,
    hello_frame,
    log,
    raise_fd_limit,
    setup_org,
)

# Run inside the server process: `frontdesk serve` under tracemalloc, dumping a snapshot to
# the path in FRONTDESK_PROBE_DUMP on SIGUSR1 (after a collection, as the benchmark measures).
SERVER_WRAPPER = """
import gc, os, signal, sys, tracemalloc
tracemalloc.start(int(os.environ["FRONTDESK_PROBE_FRAMES"]))
def dump(signum, frame):
    gc.collect()
    path = os.environ["FRONTDESK_PROBE_DUMP"]
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.replace(path + ".tmp", path)
signal.signal(signal.SIGUSR1, dump)
from frontdesk.cli import main
sys.argv = ["frontdesk"] + sys.argv[1:]
sys.exit(main())
"""


async def open_sockets(
    http: aiohttp.ClientSession, url: str, n: int, offset: int
) -> list[aiohttp.ClientWebSocketResponse]:
    async def one(i: int) -> aiohttp.ClientWebSocketResponse:
        ws = await http.ws_connect(url, origin=SITE, compress=0, max_msg_size=0)
        await ws.send_str(hello_frame(tab=f"tab{i}").decode())
        await ws.receive(timeout=120)
        return ws

    sockets: list[aiohttp.ClientWebSocketResponse] = []
    for start in range(offset, offset + n, 25):
        sockets += await asyncio.gather(
            *(one(i) for i in range(start, min(start + 25, n + offset)))
        )
    return sockets


def settle(server: Server) -> None:
    """Until the server is idle: the offline IP data loads in a thread after start-up, and its
    ~80 MB must not land between the two snapshots."""
    process = psutil.Process(server.pid)
    process.cpu_percent(None)
    quiet = 0
    for _ in range(600):
        time.sleep(0.5)
        quiet = quiet + 1 if process.cpu_percent(None) < 5 else 0
        if quiet >= 4:
            return


def snapshot(server: Server, path: Path) -> object:
    import tracemalloc

    path.unlink(missing_ok=True)
    time.sleep(2)
    assert server.process is not None
    os.kill(server.pid, signal.SIGUSR1)
    for _ in range(600):
        if path.exists():
            return tracemalloc.Snapshot.load(str(path))
        time.sleep(0.1)
    raise RuntimeError("the server wrote no snapshot")


async def main_async(args: argparse.Namespace) -> None:
    import tracemalloc

    raise_fd_limit()
    with backend("sqlite") as b:
        site_key, _ = setup_org(b)
        dump = b.workdir / "probe.snapshot"
        env = dict(b.env, FRONTDESK_PROBE_DUMP=str(dump), FRONTDESK_PROBE_FRAMES=str(args.frames))
        port = free_port()
        server = Server(
            "probe",
            [PYTHON, "-c", SERVER_WRAPPER, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env,
            port,
            b.workdir / "probe.log",
        ).start(timeout=240)
        try:
            url = f"{server.ws_url}/ws/visitor?site={site_key}"
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as http:
                warm = await open_sockets(http, url, 200, 0)
                settle(server)
                before = snapshot(server, dump)
                rss_before = psutil.Process(server.pid).memory_info().rss
                sockets = await open_sockets(http, url, args.connections, 200)
                after = snapshot(server, dump)
                rss_after = psutil.Process(server.pid).memory_info().rss
                n = len(sockets)
                assert isinstance(before, tracemalloc.Snapshot)
                assert isinstance(after, tracemalloc.Snapshot)
                stats = after.compare_to(before, "traceback" if args.frames > 1 else "lineno")
                traced = sum(s.size_diff for s in stats)
                print(
                    f"{n} sockets: RSS {(rss_after - rss_before) / n / 1024:.1f} KiB each, "
                    f"Python allocations {traced / n / 1024:.1f} KiB each"
                )
                for stat in stats[: args.top]:
                    if stat.size_diff <= 0:
                        continue
                    print(f"{stat.size_diff / n:8.0f} B {stat.count_diff / n:6.1f} blocks")
                    for line in stat.traceback.format()[-2 * args.frames :]:
                        print("        " + line.strip())
                for ws in sockets + warm:
                    await ws.close()
        finally:
            server.stop()
            log("done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
