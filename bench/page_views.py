"""Issue 21: what one page view costs the server (CPU and SQL), same-run A/B against other code.

One `frontdesk serve` process (SQLite + memory bus, or PostgreSQL + Redis) holds N visitor
sockets opened like the widget opens them, in an org with the console benchmark's five URL
segments (so every page view places the visitor again), and one admin console socket reading
the live stream. This process sends R page views a second for D seconds, each to a random
visitor, waits until the server has inserted them all (on SQLite counted in the database file, on
PostgreSQL by the probe),
and reports per page view:
  - server CPU (user + system of the server process from the first page view sent until the
    probe saw the last one inserted);
  - SQL statements and commits the server sent through SQLAlchemy
    (bench/serve_with_sql_probe.py hooks its engine events; an executemany is one statement;
    on SQLite the page views' own statements go to the driver directly and are not seen);
  - how long after the last one was sent the server was done (its backlog).

`--baseline-src DIR` runs the same against a server importing DIR instead of src/ (for example
`git archive main src | tar -x -C DIR`, plus src/frontdesk/data), alternating the two for
`--rounds` rounds each, so both see the same machine.

With `--activity 0.6` that share of the updates are activity changes instead (the console
benchmark's mix: bench/console_browser.py); the figures are then per update.

    .venv/bin/python bench/page_views.py [--backend sqlite|pg] [--visitors 1000] [--rate 200]
        [--seconds 10] [--activity 0.6] [--baseline-src DIR] [--rounds 2] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    MACHINE,
    PASSWORD,
    PYTHON,
    REPO,
    OtherLoad,
    Server,
    Servers,
    append_results,
    backend,
    free_port,
    gather_limited,
    log,
    new_rep,
    raise_fd_limit,
    setup_org,
    source_label,
    wait_for_quiet,
)
from bench.console_browser import ACTIVITIES, create_segments, drain, open_visitor, page_frame

PROBE = str(Path(__file__).resolve().parent / "serve_with_sql_probe.py")


@dataclass
class Round:
    label: str
    sent: int
    seconds: float
    server_cpu: float
    statements: int
    commits: int
    by_verb: dict[str, int]
    settle: float
    other_cores: float
    services_cores: float

    def row(self) -> str:
        per = max(self.sent, 1)
        verbs = ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_verb.items()))
        return (
            f"| {self.label} | {self.sent:,} in {self.seconds:.1f} s | "
            f"**{self.server_cpu / per * 1000:.2f} ms** | {self.server_cpu / self.seconds:.2f} | "
            f"**{self.statements / per:.3f}** ({self.statements:,}: {verbs}) | "
            f"{self.commits / per:.3f} ({self.commits:,}) | "
            f"{self.settle * 1000:.0f} ms | {self.other_cores:.2f} (PostgreSQL + Redis "
            f"{self.services_cores:.2f}) |"
        )


def _probe(path: Path) -> dict[str, Any]:
    for _ in range(20):
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            time.sleep(0.05)
    raise RuntimeError(f"no probe file at {path}")


def _stored_rows(path: Path, database: Path | None) -> int:
    """Page views the server has inserted: on SQLite counted in the database file (committed
    rows; page views may be written through the raw driver, which the probe does not see),
    on PostgreSQL by the probe."""
    if database is None:
        return int(_probe(path)["page_view_rows"])
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM page_views").fetchone()[0])


async def _written(path: Path, database: Path | None, rows: int, limit: float = 180.0) -> float:
    """Waits until the server has inserted `rows` page views in all; returns when
    (monotonic)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _stored_rows(path, database) >= rows:
            return time.monotonic()
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the server did not write {rows} page views in {limit:.0f} s")


async def _drive(
    sockets: list[aiohttp.ClientWebSocketResponse], rate: int, seconds: float, activity: float
) -> tuple[int, int]:
    """Sends `rate` updates a second; a share `activity` of them activity changes (as the
    console benchmark mixes them), the others page views. Returns (updates, page views)."""
    sent = views = 0
    slice_s = 0.02
    carry = 0.0
    loop = asyncio.get_running_loop()
    start = next_at = loop.time()
    while loop.time() - start < seconds:
        carry += rate * slice_s
        n, carry = int(carry), carry - int(carry)
        for _ in range(n):
            frame: dict[str, Any]
            if activity and random.random() < activity:
                frame = {"type": "activity", "state": random.choice(ACTIVITIES)}
            else:
                frame = {"type": "page_view", "page": page_frame(random.randrange(10**9))}
                views += 1
            await random.choice(sockets).send_str(orjson.dumps(frame).decode())
            sent += 1
        next_at += slice_s
        await asyncio.sleep(max(0.0, next_at - loop.time()))
    return sent, views


async def _one(args: argparse.Namespace, kind: str, label: str, src: str | None) -> Round:
    with backend(kind) as b, Servers() as servers:
        if src:
            b.env["PYTHONPATH"] = src
        else:
            b.env["PYTHONPATH"] = str(REPO / "src")
        site_key, _ = setup_org(b)
        admin_email = f"admin-{uuid.uuid4().hex[:6]}@bench.example"
        b.cli(
            "create-rep",
            *("--org", site_key, "--email", admin_email, "--name", "Bench Admin"),
            *("--role", "admin", "--password", PASSWORD),
        )
        probe = b.workdir / "sql-probe.json"
        database = b.workdir / "frontdesk.db" if kind == "sqlite" else None
        port = free_port()
        server = servers.start(
            Server(
                f"page-views-{label}",
                [PYTHON, PROBE, str(probe), "serve", "--host", "127.0.0.1", "--port", str(port)],
                b.env,
                port,
                b.workdir / f"page-views-{label}.log",
            )
        )
        await create_segments(server.url, admin_email)
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None)
        )
        rep = await new_rep(server, admin_email)
        drains: list[asyncio.Task[None]] = []
        try:
            sockets = await gather_limited(
                [open_visitor(http, server.ws_url, site_key, i) for i in range(args.visitors)], 50
            )
            drains = [asyncio.create_task(drain(ws)) for ws in sockets]
            await rep.open_socket()
            assert rep.ws is not None
            drains.append(asyncio.create_task(drain(rep.ws)))
            log(f"{label}: {len(sockets)} visitors and a console connected; warming up")
            # Every hello stored its landing page: each page view sent adds one more.
            expected = len(sockets) + (await _drive(sockets, args.rate, 2.0, args.activity))[1]
            await _written(probe, database, expected)
            await asyncio.sleep(0.5)
            other = OtherLoad()
            other.start()
            before, cpu0, t0 = _probe(probe), server.cpu_seconds(), time.monotonic()
            sent, views = await _drive(sockets, args.rate, args.seconds, args.activity)
            sent_done = time.monotonic()
            done = await _written(probe, database, expected + views)
            await asyncio.sleep(0.05)  # its group's commit
            after, cpu1 = _probe(probe), server.cpu_seconds()
            seconds = time.monotonic() - t0
            verbs = {
                k: v - before["by_verb"].get(k, 0)
                for k, v in after["by_verb"].items()
                if v - before["by_verb"].get(k, 0)
            }
            result = Round(
                label,
                sent,
                seconds,
                cpu1 - cpu0,
                after["statements"] - before["statements"],
                after["commits"] - before["commits"],
                verbs,
                max(0.0, done - sent_done),
                other.cores(),
                other.services(),
            )
            log(result.row())
            return result
        finally:
            for task in drains:
                task.cancel()
            await rep.close()
            await http.close()


async def run(args: argparse.Namespace) -> str:
    raise_fd_limit()
    load_before = os.getloadavg()
    wait_for_quiet(args.quiet_wait)
    variants: list[tuple[str, str | None]] = [("this code", None)]
    if args.baseline_src:
        variants.append(("baseline", args.baseline_src))
    rounds: list[Round] = []
    for _ in range(args.rounds):
        for label, src in variants:
            rounds.append(await _one(args, args.backend, label, src))
    load_after = os.getloadavg()
    lines = [
        f"### Page views: server CPU and SQL per page view, one process, "
        f"{'SQLite + memory bus' if args.backend == 'sqlite' else 'PostgreSQL + Redis'} "
        f"(bench/page_views.py --visitors {args.visitors} --rate {args.rate} "
        f"--seconds {args.seconds:g}"
        + (f" --activity {args.activity:g}" if args.activity else "")
        + ")",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {MACHINE}; {source_label()}"
        + (f"; baseline: {args.baseline_src}" if args.baseline_src else "")
        + f"; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after. Five URL "
        "segments (every page view places the visitor again), one admin console socket.",
        "",
        "| code | page views | server CPU per page view | server cores | SQL statements per "
        "page view | commits per page view | done after the last was sent | other processes "
        "(cores) |",
        "|---|---|---|---|---|---|---|---|",
        *(r.row() for r in rounds),
    ]
    for label, _ in variants:
        mine = [r for r in rounds if r.label == label]
        cpu = statistics.median(r.server_cpu / max(r.sent, 1) * 1000 for r in mine)
        sql = statistics.median(r.statements / max(r.sent, 1) for r in mine)
        lines.append("")
        lines.append(f"- {label}: median {cpu:.2f} ms of server CPU, {sql:.2f} statements")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200, help="page views per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--activity",
        type=float,
        default=0.0,
        help="share of the updates that are activity changes instead of page views (the "
        "console benchmark sends 0.6); figures are then per update",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline-src", help="a src/ folder of other code (A/B)")
    parser.add_argument("--quiet-wait", type=float, default=30.0)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    section = asyncio.run(run(args))
    print()
    print(section)
    if args.record:
        append_results(section)


if __name__ == "__main__":
    main()
