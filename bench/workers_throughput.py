"""Issue 19: throughput of `frontdesk serve --workers 2` against one process, directly and
through nginx, in the same run.

Four configurations on PostgreSQL + Redis, each on its own fresh database and Redis namespace,
set up side by side and measured in interleaved windows (1, 2, 1 via nginx, 2 via nginx, 1,
...) so that a change in the machine's other load hits all alike:
- `frontdesk serve` (one process);
- `frontdesk serve --workers 2` (a supervisor and two workers on one port, SO_REUSEPORT);
- each of those behind Debian's nginx, started by the benchmark with
  docs/deploy/nginx-frontdesk.conf as tests/multiprocess/test_nginx.py renders it (its
  ports and paths), but listening on plain HTTP: TLS would measure the handshake and the
  cipher on the client's side of the same 2 cores, not the proxying. nginx runs one worker
  process per core (`worker_processes auto`).
The client is the closed loop of bench/two_process_throughput.py: C visitors, each with a chat
accepted by one of the reps, send a message, wait for its ack, send the next; rep console
sockets are open and receive every message. Which worker a socket lands on is the kernel's
choice (or nginx's round robin over its upstream), as in production.

The load generator, nginx, PostgreSQL and Redis share the same 2 cores with the servers: the
ratios here are floors for what a bigger machine gives.

    .venv/bin/python bench/workers_throughput.py [--visitors 100] [--rounds 3] [--seconds 10]
        [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._chat import build_world, start_readers
from bench._common import (
    FRONTDESK_COMMAND,
    HOST,
    MACHINE,
    Backend,
    Server,
    Servers,
    append_results,
    backend,
    boost_priority,
    free_port,
    log,
    percentile,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)
from bench.two_process_throughput import Result, Setup, measure

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONFIG = ROOT / "docs" / "deploy" / "nginx-frontdesk.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass(frozen=True)
class Configuration:
    name: str
    workers: int
    nginx: bool


CONFIGURATIONS = (
    Configuration("1 process", 1, False),
    Configuration("--workers 2", 2, False),
    Configuration("1 process via nginx", 1, True),
    Configuration("--workers 2 via nginx", 2, True),
)


def nginx_server(tmp: Path, port: int, upstream_port: int) -> Server:
    """Debian's nginx with the documented site configuration, on plain HTTP (see above)."""
    text = NGINX_CONFIG.read_text()
    assert "server 127.0.0.1:8000;" in text and "listen 443 ssl;" in text
    text = text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    text = text.replace("listen 443 ssl;", f"listen {HOST}:{port};")
    text = "\n".join(
        line
        for line in text.splitlines()
        if "[::]" not in line and not line.strip().startswith("ssl_")
    )
    text = text.replace("/var/log/nginx/frontdesk.access.log", str(tmp / "access.log"))
    site = tmp / "frontdesk.conf"
    site.write_text(text)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp / "nginx.conf"
    main.write_text(
        f"""{user}daemon off;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""
    )
    command = [NGINX, "-p", str(tmp), "-c", str(main), "-e", str(tmp / "error.log")]
    return Server("nginx", command, dict(os.environ), port, tmp / "nginx.log", health_path=None)


def tree(pid: int) -> list[int]:
    """A process and its children (a supervisor's workers, nginx's workers)."""
    with contextlib.suppress(psutil.Error):
        process = psutil.Process(pid)
        return [pid, *(child.pid for child in process.children(recursive=True))]
    return [pid]


async def set_up(
    configuration: Configuration,
    b: Backend,
    servers: Servers,
    args: argparse.Namespace,
) -> tuple[Setup, list[int]]:
    site_key, emails = setup_org(b, reps=args.reps)
    env = dict(b.env)
    proxy_port = free_port()
    if configuration.nginx:
        # As docs/deploy/nginx-frontdesk.conf says: nginx's address is trusted, and the
        # public URL is nginx's (browsers' Origin is checked against it).
        env["FRONTDESK_TRUSTED_PROXIES"] = "127.0.0.1"
        env["FRONTDESK_PUBLIC_URL"] = f"http://{HOST}:{proxy_port}"
    port = free_port()
    command = [*FRONTDESK_COMMAND, "serve", "--host", HOST, "--port", str(port)]
    if configuration.workers > 1:
        command += ["--workers", str(configuration.workers)]
    name = configuration.name.replace(" ", "_").replace("-", "")
    server = Server(name, command, env, port, b.workdir / f"{name}.log")
    servers.all.append(server)  # stopped on exit like the others
    server.start(timeout=180)  # workers importing the server on a loaded machine take long
    # The supervisor answers /healthz once a worker does; wait for every worker.
    deadline = time.monotonic() + 60
    while len(tree(server.pid)) < configuration.workers + (configuration.workers > 1):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{configuration.name}: workers did not start: {server.tail()}")
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0 if configuration.workers > 1 else 0)
    front = server
    proxy_pids: list[int] = []
    if configuration.nginx:
        tmp = b.workdir / "nginx"
        tmp.mkdir()
        front = servers.start(nginx_server(tmp, proxy_port, port))
        proxy_pids = tree(front.pid)
    world = await build_world([front], site_key, emails, args.visitors)
    readers = start_readers(
        [r.ws for r in world.reps if r.ws is not None], lambda _r: lambda _d, _t: None
    )
    server_pids = [p for p in tree(server.pid) if p != server.pid or configuration.workers == 1]
    return Setup(configuration.workers, world, server_pids, readers), proxy_pids


async def keep_alive(setups: list[tuple[Configuration, Setup, list[int]]], idle: set[int]) -> None:
    """A ping frame every 20 s on every socket of the configurations not being measured, as
    the widget and the console send theirs: nginx closes a socket silent for 120 s
    (proxy_read_timeout), and the setups wait for each other longer than that."""
    while True:
        await asyncio.sleep(20)
        for configuration, setup, _ in setups:
            if id(configuration) not in idle:
                continue
            sockets = [*setup.world.visitors, *(r.ws for r in setup.world.reps)]
            for ws in sockets:
                if ws is not None and not ws.closed:
                    with contextlib.suppress(ConnectionError):
                        await ws.send_str('{"type":"ping"}')


async def main_async(args: argparse.Namespace) -> dict[str, list[tuple[Result, float]]]:
    results: dict[str, list[tuple[Result, float]]] = {c.name: [] for c in CONFIGURATIONS}
    setups: list[tuple[Configuration, Setup, list[int]]] = []
    idle: set[int] = set()
    pinger = asyncio.create_task(keep_alive(setups, idle))
    with contextlib.ExitStack() as stack:
        try:
            for configuration in CONFIGURATIONS:
                if configuration.nginx and not Path(NGINX).exists():
                    log("nginx is not installed (scripts/setup --browser installs it): skipped")
                    continue
                b = stack.enter_context(backend("pg"))
                servers = stack.enter_context(Servers())
                setup, proxy = await set_up(configuration, b, servers, args)
                setups.append((configuration, setup, proxy))
                idle.add(id(configuration))
                log(f"{configuration.name}: ready (server pids {setup.pids}, nginx {proxy})")
            for round_no in range(args.rounds):
                for configuration, setup, proxy in setups:
                    wait_for_quiet(max_wait=args.quiet_wait)
                    cpu0 = sum(_cpu(p) for p in proxy)
                    idle.discard(id(configuration))
                    result = await measure(setup, args, round_no)
                    idle.add(id(configuration))
                    proxy_cores = (sum(_cpu(p) for p in proxy) - cpu0) / (
                        args.seconds + args.warmup
                    )
                    results[configuration.name].append((result, proxy_cores))
                    log(f"  ({configuration.name}; nginx {proxy_cores:.2f} cores)")
        finally:
            pinger.cancel()
            for _, setup, _ in setups:
                for task in setup.readers:
                    task.cancel()
                await setup.world.close()
    return results


def _cpu(pid: int) -> float:
    with contextlib.suppress(psutil.Error):
        t = psutil.Process(pid).cpu_times()
        return float(t.user + t.system)
    return 0.0


def _per_message(r: Result) -> str:
    return f"{sum(r.server_cpu) / r.rate * 1000:.1f} ms" if r.rate else "-"


def report(results: dict[str, list[tuple[Result, float]]], args: argparse.Namespace) -> str:
    measured = {name: rs for name, rs in results.items() if rs}
    median = {name: statistics.median(r.rate for r, _ in rs) for name, rs in measured.items()}
    load = os.getloadavg()
    lines = [
        f"### `--workers 2` vs one process, directly and through nginx, PostgreSQL + Redis: "
        f"{args.visitors} conversations in a closed loop, {args.reps} reps, {args.rounds} "
        f"interleaved rounds of {args.seconds:.0f} s (bench/workers_throughput.py)",
        "",
        source_label() + f". Load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}.",
        "",
        "| round | configuration | acked msg/s | ack p50 | ack p99 | server CPU (cores) | "
        "nginx CPU | server CPU per message | client CPU | PostgreSQL + Redis CPU | "
        "other processes | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for round_no in range(args.rounds):
        for name, rs in measured.items():
            if round_no >= len(rs):
                continue
            r, proxy = rs[round_no]
            lines.append(
                f"| {round_no + 1} | {name} | {r.rate:.0f} "
                f"| {percentile(r.latencies, 50) * 1000:.1f} ms "
                f"| {percentile(r.latencies, 99) * 1000:.1f} ms "
                f"| {' + '.join(f'{c:.2f}' for c in r.server_cpu)} | {proxy:.2f} "
                f"| {_per_message(r)} | {r.client_cpu:.2f} "
                f"| {r.services:.2f} | {r.other_load:.2f} | {r.errors} |"
            )

    def ratio(a: str, b: str) -> str:
        if a not in median or b not in median or not median[b]:
            return "not measured"
        return f"**{median[a] / median[b]:.2f}x**"

    lines += [
        "",
        "Median acked msg/s: "
        + ", ".join(f"{name} **{rate:.0f}**" for name, rate in median.items())
        + ".",
        f"Ratios: --workers 2 / 1 process directly {ratio('--workers 2', '1 process')}, "
        f"through nginx {ratio('--workers 2 via nginx', '1 process via nginx')}; nginx / direct "
        f"with 1 process {ratio('1 process via nginx', '1 process')}, with --workers 2 "
        f"{ratio('--workers 2 via nginx', '--workers 2')}. The load generator, nginx, "
        "PostgreSQL and Redis share the 2 cores with the servers, so a second worker cannot "
        "get a core of its own: the ratios are floors.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=100, help="conversations in flight")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured window")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3, help="windows per configuration")
    parser.add_argument(
        "--quiet-wait", type=float, default=30.0, help="max wait for a quiet machine per window"
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
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
