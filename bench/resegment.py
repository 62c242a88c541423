"""Re-segmenting live visitors after a rule change (issue 5). Bar: 10,000 in under 1 s, one process.

In one process, on SQLite (and PostgreSQL with --backend pg): 10,000 visitors with visits,
page views and live tabs, a few accounts and IP ranges, five segments. Then an admin's rule
change: `resegment_org` re-evaluates and stores every live visitor's segment and routing.
Also times the same evaluation for 1,000 visitors, as a same-run baseline for the scaling
ratio (10x the visitors should cost about 10x).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bench._common import MACHINE, OtherLoad, source_label, wait_for_quiet
from frontdesk.app import build_runtime
from frontdesk.core.clock import FrozenClock
from frontdesk.core.ids import new_id
from frontdesk.features.accounts.service import import_csv
from frontdesk.features.orgs.service import create_org
from frontdesk.features.segments.resegment import resegment_org
from frontdesk.features.segments.service import list_segments, save_segment
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from frontdesk.runtime import Runtime
from frontdesk.settings import load_settings
from frontdesk.storage.migrate import upgrade

PAGES = ["/", "/pricing", "/blog/scaling-analytics", "/careers", "/product", "/docs/api"]
SEGMENTS = [
    {
        "name": "Target accounts",
        "color": "#dc2626",
        "rules": {"conditions": [{"field": "account.target_account", "op": "is_true"}]},
    },
    {
        "name": "Paid ads",
        "color": "#7c3aed",
        "rules": {"conditions": [{"field": "visit.paid", "op": "is_true"}]},
    },
    {
        "name": "Pricing",
        "color": "#2563eb",
        "rules": {"conditions": [{"field": "visit.pages", "op": "contains", "value": "/pricing"}]},
    },
    {
        "name": "Engaged",
        "color": "#16a34a",
        "rules": {
            "match": "all",
            "conditions": [
                {"field": "visit.page_views", "op": "gte", "value": 3},
                {"field": "visit.time_on_site", "op": "gt", "value": 60},
            ],
        },
    },
    {
        "name": "Job seekers",
        "color": "#64748b",
        "cold": True,
        "rules": {
            "conditions": [{"field": "visit.pages", "op": "matches", "value": "/careers(/|$)"}]
        },
    },
]


async def populate(runtime: Runtime, org_id: str, count: int, now: datetime) -> None:
    visitors, visits, views = [], [], []
    for n in range(count):
        visitor_id, visit_id = new_id(), new_id()
        email = f"person{n}@company{n % 50}.example" if n % 4 == 0 else None
        started = now - timedelta(seconds=n % 600)
        visitors.append(
            {
                "id": visitor_id,
                "org_id": org_id,
                "created_at": started,
                "last_seen_at": now,
                "identity_status": "unverified" if email else "anonymous",
                "email": email,
                "name": None,
                "visit_count": 1 + n % 3,
            }
        )
        visits.append(
            {
                "id": visit_id,
                "org_id": org_id,
                "visitor_id": visitor_id,
                "started_at": started,
                "last_seen_at": now,
                "ip": f"203.0.{n % 250}.{n % 200 + 1}",
                "user_agent": "bench",
                "referrer": None,
                "landing_url": "https://site.example/?utm_medium=cpc"
                if n % 7 == 0
                else "https://site.example/",
                "utm_source": "google" if n % 7 == 0 else None,
                "utm_medium": "cpc" if n % 7 == 0 else None,
                "utm_campaign": None,
                "utm_term": None,
                "utm_content": None,
                "page_view_count": 1 + n % 5,
                "segment_id": None,
                "routed_rep_ids": [],
                "routing_reason": None,
                "account_id": None,
                "enrichment": {},
            }
        )
        for p in range(1 + n % 3):
            views.append(
                {
                    "id": new_id(),
                    "org_id": org_id,
                    "visitor_id": visitor_id,
                    "visit_id": visit_id,
                    "url": "https://site.example" + PAGES[(n + p) % len(PAGES)],
                    "title": "Page",
                    "referrer": None,
                    "viewed_at": started,
                }
            )
    async with runtime.db.transaction() as session:
        for table, rows in ((Visitor, visitors), (Visit, visits), (PageView, views)):
            for start in range(0, len(rows), 2000):
                await session.execute(insert(table), rows[start : start + 2000])
    for visitor, visit in zip(visitors, visits, strict=True):
        await runtime.live.upsert_connection(
            org_id,
            visitor["id"],
            "tab",
            visit_id=visit["id"],
            visit_started_at=visit["started_at"],
            activity="active",
            url="https://site.example/pricing",
            title="Pricing",
        )


async def measure(database_url: str, count: int, runs: int) -> list[float]:
    settings = load_settings(
        {}, environment="test", database_url=database_url, secret_key="x" * 40, bus_url="memory://"
    )
    runtime = build_runtime(settings, FrozenClock(datetime.now(UTC)))
    await upgrade(runtime.db.engine)
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        org = await create_org(session, runtime, "Bench", ["https://site.example"])
        csv = "name,domain,target_account,open_pipeline\n" + "\n".join(
            f"Company {i},company{i}.example,{'yes' if i % 5 == 0 else 'no'},{i * 1000}"
            for i in range(50)
        )
        await import_csv(session, runtime.clock, org.id, csv)
        for values in SEGMENTS:
            await save_segment(session, org.id, None, dict(values), now)
        # The worst case: every segment's routing changed, so everyone is routed again.
        every_segment = {s.id for s in await list_segments(session, org.id, now)}
    await populate(runtime, org.id, count, now)
    await resegment_org(runtime, org.id)  # warm up: first placement of everyone
    timings = []
    for _ in range(runs):
        result = await resegment_org(runtime, org.id, reroute_segment_ids=every_segment)
        assert result.live_visitors == count
        timings.append(result.seconds)
    await runtime.db.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    wait_for_quiet(max_wait=120)
    other = OtherLoad()
    other.start()
    with tempfile.TemporaryDirectory() as tmp:
        small = asyncio.run(
            measure(f"sqlite+aiosqlite:///{tmp}/small.db", args.visitors // 10, args.runs)
        )
        large = asyncio.run(
            measure(
                f"sqlite+aiosqlite:///{tmp}/large-{uuid.uuid4().hex[:6]}.db",
                args.visitors,
                args.runs,
            )
        )
    median_small, median_large = statistics.median(small), statistics.median(large)
    lines = [
        f"## Re-segmenting live visitors (issue 5), {time.strftime('%Y-%m-%d')}",
        "",
        f"Machine: {MACHINE}, {platform.machine()}, Python {platform.python_version()}, SQLite, one process, in-process bus. Server code: {source_label()}.",
        "Command: `.venv/bin/python bench/resegment.py"
        + (" --record" if args.record else "")
        + "`",
        "",
        "```",
        f"{args.visitors // 10:>6} live visitors: median {median_small * 1000:7.1f} ms over {args.runs} runs (baseline)",
        f"{args.visitors:>6} live visitors: median {median_large * 1000:7.1f} ms, worst {max(large) * 1000:.1f} ms over {args.runs} runs",
        f"scaling: 10x the visitors took {median_large / median_small:.1f}x the time",
        f"bar: {args.visitors:,} in under 1 s -> {'MET' if median_large < 1.0 else 'NOT MET'}",
        f"other processes used {other.cores():.2f} of the 2 cores during the run",
        "```",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with (Path(__file__).parent / "RESULTS.md").open("a") as handle:
            handle.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
