"""Issue 19: retention deletes old rows in batches without blocking live chat.

One `frontdesk serve` process; 100 visitors each chat with one of 5 reps (bench/_chat.py).
N page views older than a day (1,000,000 by default) are written straight into the database.
The chat round trip (visitor -> server -> owning rep, as bench/chat_round_trip.py measures it)
is measured twice at the same open-loop rate: without a purge, then right after the org's
retention policy (page views kept 1 day) was set and its timer made due, while the server's
deadline sweeper deletes those page views (features/privacy/retention.py: 100 rows per batch,
off the event loop, a pause three times each batch's duration, 2 s runs a second apart). The
purge's own pace (page views deleted per second during the measured window) and the machine's
load average are reported too.

    .venv/bin/python bench/retention_purge.py [--page-views 1000000] [--rate 200]
        [--seconds 15] [--backend sqlite|pg] [--record]

Bar (issue 19): chat p99 during the purge within 2x of without.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import func, select, text

from bench import chat_round_trip
from bench._chat import ChatWorld, build_world
from bench._common import (
    FRONTDESK_COMMAND,
    HOST,
    MACHINE,
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
from bench.chat_round_trip import Result, measure


async def _engine(url: str):  # type: ignore[no-untyped-def]
    from frontdesk.storage.db import create_engine

    return create_engine(url)


async def insert_old_page_views(url: str, site_key: str, n: int) -> str:
    """n page views two days old on one visit of the org; returns the org's id."""
    from frontdesk.core.ids import new_id
    from frontdesk.features.orgs.models import Org
    from frontdesk.features.visitors.models import PageView, Visit

    engine = await _engine(url)
    old = datetime.now(UTC) - timedelta(days=2)
    try:
        async with engine.begin() as connection:
            org_id = (
                await connection.execute(select(Org.id).where(Org.site_key == site_key))
            ).scalar_one()
            visit_id, visitor_id = (
                await connection.execute(
                    select(Visit.id, Visit.visitor_id).where(Visit.org_id == org_id).limit(1)
                )
            ).one()
        table = PageView.__table__
        started = time.monotonic()
        chunk = 20_000
        for start in range(0, n, chunk):
            rows = [
                {
                    "id": new_id(),
                    "org_id": org_id,
                    "visitor_id": visitor_id,
                    "visit_id": visit_id,
                    "url": f"https://www.customer.example/docs/page-{i}",
                    "title": "Docs",
                    "referrer": None,
                    "viewed_at": old,
                }
                for i in range(start, min(n, start + chunk))
            ]
            async with engine.begin() as connection:
                await connection.execute(table.insert(), rows)  # type: ignore[attr-defined]
        log(f"inserted {n:,} old page views in {time.monotonic() - started:.0f} s")
        if url.startswith("postgresql"):
            async with engine.connect() as connection:
                await connection.execute(text("COMMIT"))
                await connection.execute(text("ANALYZE page_views"))
    finally:
        await engine.dispose()
    return org_id  # type: ignore[no-any-return]


async def count_page_views(url: str, org_id: str) -> int:
    from frontdesk.features.visitors.models import PageView

    engine = await _engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (
                    await connection.execute(
                        select(func.count()).select_from(PageView).where(PageView.org_id == org_id)
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()


async def start_purge(url: str, org_id: str) -> None:
    """What saving the policy in Admin -> Privacy does: the policy on the org, its timer due now."""
    from frontdesk.deadlines import service as deadlines
    from frontdesk.features.orgs.models import Org
    from frontdesk.features.privacy import KIND_RETENTION

    engine = await _engine(url)
    from sqlalchemy.ext.asyncio import AsyncSession

    try:
        async with AsyncSession(engine) as session, session.begin():
            org = await session.get(Org, org_id)
            assert org is not None
            org.settings = {
                **(org.settings or {}),
                "privacy": {"retention": {"page_views_days": 1}},
            }
            now = datetime.now(UTC)
            await deadlines.schedule(
                session, kind=KIND_RETENTION, subject_id=org_id, due_at=now, now=now, org_id=org_id
            )
    finally:
        await engine.dispose()


async def drain(world: ChatWorld) -> None:
    async def quiet(ws: aiohttp.ClientWebSocketResponse) -> None:
        with contextlib.suppress(TimeoutError):
            while True:
                await ws.receive(timeout=0.5)

    await asyncio.gather(*(quiet(ws) for ws in [*world.visitors, *(r.ws for r in world.reps)]))


async def run(args: argparse.Namespace) -> tuple[Result, Result, int, int, float]:
    with backend(args.backend) as b, Servers() as servers:
        url = b.env["FRONTDESK_DATABASE_URL"]
        site_key, emails = setup_org(b, reps=args.reps)
        port = free_port()
        command = [*FRONTDESK_COMMAND, "serve", "--host", HOST, "--port", str(port)]
        proc = servers.start(Server("purge", command, b.env, port, b.workdir / "purge.log"))
        # One set of chats per measured period: measure() reads its sockets once (it cancels
        # its readers at the end), so the second period gets fresh ones.
        world = await build_world([proc], site_key, emails, args.visitors)
        world_during = await build_world([proc], site_key, emails, args.visitors)
        try:
            org_id = await insert_old_page_views(url, site_key, args.page_views)
            without = Result("without")
            if args.no_quiet_wait:
                chat_round_trip.wait_for_quiet = lambda *a, **k: 0.0
            await measure(world, args, without, [proc.pid])
            before = await count_page_views(url, org_id)
            # measure() first waits (up to 3 minutes) for a quiet machine: here that wait comes
            # before the purge starts, or the purge would be over before the measurement.
            if not args.no_quiet_wait:
                wait_for_quiet()
            await start_purge(url, org_id)
            await asyncio.sleep(1.5)  # the sweeper checks every second
            # The second set's sockets also heard the first period's messages (every rep sees
            # every chat): read them away, or they would count as this period's deliveries.
            await drain(world_during)
            t0 = time.monotonic()
            during = Result("during")
            chat_round_trip.wait_for_quiet = lambda *a, **k: 0.0
            try:
                await measure(world_during, args, during, [proc.pid])
            finally:
                chat_round_trip.wait_for_quiet = wait_for_quiet
            elapsed = time.monotonic() - t0
            after = await count_page_views(url, org_id)
        finally:
            await world.close()
            await world_during.close()
        proc.stop()
        traceback = proc.first_traceback()
        if traceback:
            log(f"warning: the server logged a traceback:\n{traceback}")
    return without, during, before, after, elapsed


def report(args: argparse.Namespace, runs: tuple[Result, Result, int, int, float]) -> str:
    without, during, before, after, elapsed = runs
    p99_without = percentile(without.latencies, 99)
    p99_during = percentile(during.latencies, 99)
    ratio = p99_during / p99_without if p99_without else float("nan")
    deleted = before - after
    verdict = "met" if ratio <= 2 and during.missing == 0 else "**NOT met**"
    label = "SQLite + memory bus" if args.backend == "sqlite" else "PostgreSQL + Redis"
    return "\n".join(
        [
            f"### Retention purge vs live chat: {args.page_views:,} old page views, "
            f"{args.visitors} chats at {args.rate:.0f} msg/s for {args.seconds:.0f} s, "
            f"1 process, {label} (bench/retention_purge.py)",
            "",
            source_label() + ".",
            "",
            "| chat | visitor->rep p50 | p99 | max | ack p99 | not delivered | server CPU |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {name} | {percentile(r.latencies, 50) * 1000:.1f} ms "
                f"| {percentile(r.latencies, 99) * 1000:.1f} ms "
                f"| {max(r.latencies, default=float('nan')) * 1000:.1f} ms "
                f"| {percentile(r.acks, 99) * 1000:.1f} ms | {r.missing} "
                f"| {r.server_cpu:.2f} cores |"
                for name, r in (("without a purge", without), ("during the purge", during))
            ),
            "",
            f"p99 during / without: {ratio:.2f}x (bar: within 2x: {verdict}). The purge deleted "
            f"{deleted:,} page views in the {elapsed:.0f} s measured ({deleted / elapsed:,.0f}/s; "
            f"{after:,} left at the end). Load average at the end: "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
            + ".",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page-views", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=200.0, help="chat messages per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="each measured period")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--drain", type=float, default=15.0)
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "pg"])
    parser.add_argument(
        "--no-quiet-wait",
        action="store_true",
        help="measure at once, however busy the machine (both periods alike)",
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    raise_fd_limit()
    boost_priority()
    runs = asyncio.run(run(args))
    text_out = report(args, runs)
    print()
    print(text_out)
    if args.record:
        append_results(f"## {time.strftime('%Y-%m-%d')}: {MACHINE}\n\n{text_out}")


if __name__ == "__main__":
    main()
