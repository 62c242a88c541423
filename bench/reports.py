# The load statements are built from ids this script generated (S608 does not apply).
# ruff: noqa: S608
"""Issue 18: reports and Account 360 over a year of history.

PostgreSQL: 1,000,000 conversations, 20,000,000 page views (1,000,000 visits), 500,000
proactive events over the last 365 days, bulk-loaded with INSERT ... SELECT FROM
generate_series; SQLite: a tenth of that (a recursive CTE). One company has 5,000 visitors.
Then `frontdesk report-rollups` rolls that history up per local day for the report's zones
(timed: what an upgrade does once), a Frontdesk server is started and every report page is
requested over HTTP as an admin,
repeatedly: the report for 30 days, 90 days and a whole year, with filters, in UTC and
America/Los_Angeles, the CSV, and Account 360 for the big company.

Bars: any report page p95 < 500 ms; Account 360 p95 < 200 ms.

    .venv/bin/python bench/reports.py                    # both backends, full size
    .venv/bin/python bench/reports.py --backends sqlite --scale 0.1 --repeat 5
    .venv/bin/python bench/reports.py --keep /tmp/reports   # load once, reuse next time
    .venv/bin/python bench/reports.py --keep /tmp/reports --drop   # then delete them

Chat messages are not loaded (reports read one row per chat; Account 360 lists the 50
newest chats, whose last messages are then simply absent).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    FRONTDESK_COMMAND,
    PASSWORD,
    PG_HOST,
    PG_PORT,
    REDIS_URL,
    SRC_OVERRIDE,
    Backend,
    Servers,
    _base_env,
    _in_thread,
    _pg_admin,
    backend,
    frontdesk_server,
    log,
    setup_org,
    source_label,
)

SECONDS_PER_YEAR = 365 * 86_400
BIG_COMPANY_VISITORS = 5_000
REPS = 20


class Sql:
    """What differs between the two databases in the load statements."""

    def __init__(self, dialect: str, start: datetime) -> None:
        self.dialect = dialect
        self.epoch = int(start.timestamp())

    def series(self, n: int) -> str:
        if self.dialect == "pg":
            return f"generate_series(0, {n - 1}) AS s(i)"
        return f"(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) SELECT i FROM s) AS s"

    def ts(self, seconds: str) -> str:
        if self.dialect == "pg":
            return f"(to_timestamp({self.epoch} + ({seconds})))"
        return (
            f"(strftime('%Y-%m-%d %H:%M:%S', {self.epoch} + ({seconds}), 'unixepoch') || '.000000')"
        )

    def hexid(self, prefix: str, expr: str) -> str:
        if self.dialect == "pg":
            return f"('{prefix}' || lpad(to_hex({expr}), 31, '0'))"
        return f"printf('{prefix}%031x', {expr})"

    def json_list(self, item: str) -> str:
        return f"('[\"' || {item} || '\"]')"

    def cast_json(self, expr: str) -> str:
        return f"CAST({expr} AS JSON)" if self.dialect == "pg" else expr

    def boolean(self, expr: str) -> str:
        return f"({expr})" if self.dialect == "pg" else f"(CASE WHEN {expr} THEN 1 ELSE 0 END)"

    def pick(self, options: list[str], index: str) -> str:
        whens = " ".join(f"WHEN {i} THEN {o}" for i, o in enumerate(options))
        return f"(CASE ({index}) {whens} END)"


def load_statements(
    sql: Sql,
    org_id: str,
    rep_ids: list[str],
    segment_ids: list[str],
    account_ids: list[str],
    scale: float,
) -> list[tuple[str, str]]:
    conversations = int(1_000_000 * scale)
    visits = int(1_000_000 * scale)
    views_per_visit = 20
    visitors = max(BIG_COMPANY_VISITORS * 2, int(400_000 * scale))
    events = int(500_000 * scale)
    reps = [f"'{r}'" for r in rep_ids]
    segments = [f"'{s}'" for s in segment_ids] + ["NULL"]
    accounts = [f"'{a}'" for a in account_ids]
    big = accounts[0]
    rep_of = lambda expr: sql.pick(reps, f"({expr}) % {len(reps)}")  # noqa: E731
    segment_of = lambda expr: sql.pick(segments, f"({expr}) % {len(segments)}")  # noqa: E731
    visitor_id = lambda expr: sql.hexid("v", expr)  # noqa: E731
    seconds_apart = SECONDS_PER_YEAR / conversations
    visit_apart = SECONDS_PER_YEAR / visits
    chats_sql = f"""
        INSERT INTO conversations (id, org_id, visitor_id, status, origin, owner_rep_id,
            routed_rep_ids, routing_reason, last_seq, created_at, accepted_at, ended_at,
            ended_reason, last_message_at, meta, qualified, tags, deal_value, notes,
            segment_id, first_visitor_message_at, first_response_seconds, length_seconds,
            missed_kind)
        SELECT {sql.hexid("c", "i")}, '{org_id}', {visitor_id(f"(i * 7) % {visitors}")},
            CASE WHEN i % 10 < 5 AND i % 8 = 0 THEN 'missed' ELSE 'ended' END,
            {sql.pick(["'inbound'"] * 5 + ["'pounce'"] * 2 + ["'invitation'"] + ["'auto_pounce'"] * 2, "i % 10")},
            CASE WHEN i % 10 < 5 AND i % 8 = 0 THEN NULL ELSE {rep_of("i")} END,
            {sql.cast_json(sql.json_list(rep_of("i + 1")))}, NULL, 2,
            {sql.ts(f"CAST(i * {seconds_apart} AS INTEGER)")},
            {sql.ts(f"CAST(i * {seconds_apart} AS INTEGER) + 30")},
            {sql.ts(f"CAST(i * {seconds_apart} AS INTEGER) + 600 + (i % 1200)")},
            'ended_by_rep', {sql.ts(f"CAST(i * {seconds_apart} AS INTEGER) + 300")},
            {sql.cast_json("'{}'")},
            CASE WHEN i % 5 = 0 THEN {sql.boolean("i % 3 = 0")} ELSE NULL END,
            {sql.cast_json("'[]'")},
            CASE WHEN i % 15 = 0 THEN (i % 40) * 500.0 ELSE NULL END, NULL,
            {segment_of("i")},
            CASE WHEN i % 10 < 5 OR i % 2 = 0 THEN {sql.ts(f"CAST(i * {seconds_apart} AS INTEGER)")} END,
            CASE WHEN (i % 10 < 5 AND i % 8 <> 0 AND i % 7 <> 0) OR (i % 10 >= 5 AND i % 2 = 0)
                 THEN (i * 37) % 240 END,
            600 + (i % 1200),
            CASE WHEN i % 10 < 5 AND i % 8 = 0
                 THEN (CASE WHEN i % 3 = 0 THEN 'queue_timeout' ELSE 'inbound_timeout' END) END
        FROM {sql.series(conversations)}
    """
    visitors_sql = f"""
        INSERT INTO visitors (id, org_id, created_at, last_seen_at, identity_status, email,
            name, contact_id, visit_count, blocked_at)
        SELECT {visitor_id("i")}, '{org_id}', {sql.ts("i % 86400")},
            {sql.ts(f"{SECONDS_PER_YEAR} - (i % 86400)")}, 'anonymous',
            CASE WHEN i % 4 = 0 THEN 'person' || i || '@company.example' END,
            CASE WHEN i % 4 = 0 THEN 'Person ' || i END, NULL, 2, NULL
        FROM {sql.series(visitors)}
    """
    queries = [
        "'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=G' || i",
        "'utm_source=linkedin&utm_medium=paid&utm_campaign=abm&li_fat_id=L' || i",
        "'utm_source=newsletter&utm_medium=email'",
        "'msclkid=M' || i",
        "'ref=direct'",
    ]
    landing = "'https://www.customer.example/landing?' || " + sql.pick(queries, "i % 5")
    visits_sql = f"""
        INSERT INTO visits (id, org_id, visitor_id, started_at, last_seen_at, ip, user_agent,
            referrer, landing_url, utm_source, utm_medium, utm_campaign, utm_term,
            utm_content, page_view_count, segment_id, routed_rep_ids, routing_reason,
            account_id, enrichment)
        SELECT {sql.hexid("w", "i")}, '{org_id}', {visitor_id(f"i % {visitors}")},
            {sql.ts(f"CAST(i * {visit_apart} AS INTEGER)")},
            {sql.ts(f"CAST(i * {visit_apart} AS INTEGER) + 600")},
            '203.0.113.' || (i % 250), 'bench', NULL, {landing},
            {sql.pick(["'google'", "'linkedin'", "'newsletter'", "NULL", "NULL"], "i % 5")},
            {sql.pick(["'cpc'", "'paid'", "'email'", "NULL", "NULL"], "i % 5")},
            {sql.pick(["'brand'", "'abm'", "NULL", "NULL", "NULL"], "i % 5")}, NULL, NULL,
            {views_per_visit}, {segment_of("i")},
            {sql.cast_json(sql.json_list(rep_of("i")))}, NULL,
            CASE WHEN i % {visitors} < {BIG_COMPANY_VISITORS} THEN {big}
                 WHEN i % 3 = 0 THEN {sql.pick(accounts[1:], f"i % {len(accounts) - 1}")} END,
            {sql.cast_json("'{}'")}
        FROM {sql.series(visits)}
    """
    views_sql = f"""
        INSERT INTO page_views (id, org_id, visitor_id, visit_id, url, title, referrer, viewed_at)
        SELECT {sql.hexid("p", "i")}, '{org_id}',
            {visitor_id(f"(i / {views_per_visit}) % {visitors}")},
            {sql.hexid("w", f"i / {views_per_visit}")},
            'https://www.customer.example/page/' || (i % 50), 'Page ' || (i % 50), NULL,
            {sql.ts(f"CAST((i / {views_per_visit}) * {visit_apart} AS INTEGER) + (i % {views_per_visit}) * 30")}
        FROM {sql.series(visits * views_per_visit)}
    """
    events_sql = f"""
        INSERT INTO proactive_events (id, org_id, rep_id, visitor_id, conversation_id, kind, at,
            channel, segment_id)
        SELECT {sql.hexid("e", "i")}, '{org_id}', {rep_of("i")}, NULL, NULL,
            {sql.pick(["'pounce'", "'invitation_sent'", "'auto_pounce'", "'reply'", "'missed_response'"], "i % 5")},
            {sql.ts(f"CAST(i * {SECONDS_PER_YEAR / max(events, 1)} AS INTEGER)")},
            {sql.pick(["'pounce'", "'invitation'", "'auto_pounce'", "'pounce'", "'auto_pounce'"], "i % 5")},
            {segment_of("i")}
        FROM {sql.series(events)}
    """
    return [
        (f"{visitors:,} visitors", visitors_sql),
        (f"{visits:,} visits", visits_sql),
        (f"{visits * views_per_visit:,} page views", views_sql),
        (f"{conversations:,} conversations", chats_sql),
        (f"{events:,} proactive events", events_sql),
    ]


def setup_rows(
    sql: Sql, org_id: str, rep_ids: list[str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Teams, segments and accounts, as plain INSERT statements (ids returned)."""
    now = sql.ts("0")
    statements = []
    team_ids = [uuid.uuid4().hex for _ in range(2)]
    for n, team_id in enumerate(team_ids):
        statements.append(
            f"INSERT INTO teams (id, org_id, name, created_at) VALUES ('{team_id}', '{org_id}', 'Team {n}', {now})"
        )
        for rep_id in rep_ids[n * 5 : n * 5 + 5]:
            statements.append(
                f"INSERT INTO team_members (team_id, rep_id) VALUES ('{team_id}', '{rep_id}')"
            )
    segment_ids = [uuid.uuid4().hex for _ in range(3)]
    for n, segment_id in enumerate(segment_ids):
        statements.append(
            "INSERT INTO segments (id, org_id, name, color, cold, position, rules, routing, "
            f"experience_id, is_catch_all, created_at) VALUES ('{segment_id}', '{org_id}', "
            f"'Segment {n}', '#336699', {sql.boolean('1 = 0')}, {n}, {sql.cast_json(chr(39) + '{}' + chr(39))}, "
            f"{sql.cast_json(chr(39) + '{}' + chr(39))}, NULL, {sql.boolean('1 = 0')}, {now})"
        )
    account_ids = [uuid.uuid4().hex for _ in range(200)]
    for n, account_id in enumerate(account_ids):
        statements.append(
            "INSERT INTO accounts (id, org_id, name, domain, target_account, open_pipeline, "
            f"owner_rep_id, employees, industry, custom, created_at, updated_at) VALUES "
            f"('{account_id}', '{org_id}', 'Company {n}', 'company{n}.example', "
            f"{sql.boolean('1 = 1')}, 1000.0, '{rep_ids[0]}', 500, 'Software', "
            f"{sql.cast_json(chr(39) + '{}' + chr(39))}, {now}, {now})"
        )
    return statements, team_ids, segment_ids, account_ids


async def _pg_execute(dbname: str, statements: list[tuple[str, str]]) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=dbname)
    try:
        # Faster bulk load: no WAL flush per statement, and the page views' index is built
        # once at the end rather than kept up row by row.
        await conn.execute("SET synchronous_commit = off")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        # The generated rows are consistent by construction: no foreign-key trigger per row
        # (replica mode), and the big tables' secondary indexes are built once at the end.
        await conn.execute("SET session_replication_role = replica")
        indexes = [
            (name, definition)
            for name, definition in await conn.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename IN ('page_views', 'visits', 'conversations', 'proactive_events') "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        ]
        for name, _ in indexes:
            await conn.execute(f'DROP INDEX "{name}"')
        for label, statement in statements:
            started = time.perf_counter()
            await conn.execute(statement)
            if label:
                log(f"  loaded {label} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for _, definition in indexes:
            await conn.execute(definition)
        log(f"  {len(indexes)} indexes in {time.perf_counter() - started:.1f} s")
        await conn.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    finally:
        await conn.close()


async def _pg_fetch(dbname: str, query: str) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=dbname)
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


def _sqlite_execute(path: Path, statements: list[tuple[str, str]]) -> None:
    db = sqlite3.connect(path)
    try:
        for label, statement in statements:
            started = time.perf_counter()
            db.execute(statement)
            db.commit()
            if label:
                log(f"  loaded {label} in {time.perf_counter() - started:.1f} s")
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()


def load(b: Backend, kind: str, scale: float) -> dict[str, Any]:
    site_key, _ = setup_org(b, reps=REPS)
    admin = f"admin-{uuid.uuid4().hex[:6]}@bench.example"
    b.cli(
        "create-rep",
        "--org",
        site_key,
        "--email",
        admin,
        "--name",
        "Bench Admin",
        "--role",
        "admin",
        "--password",
        PASSWORD,
    )
    start = datetime.now(UTC) - timedelta(days=365)
    sql = Sql(kind, start)
    org_query = f"SELECT id FROM orgs WHERE site_key = '{site_key}'"
    if kind == "pg":
        assert b._pg_name
        org_id = asyncio.run(_pg_fetch(b._pg_name, org_query))[0][0]
        rep_ids = [
            r[0]
            for r in asyncio.run(
                _pg_fetch(
                    b._pg_name,
                    f"SELECT id FROM reps WHERE org_id = '{org_id}' AND role = 'rep' ORDER BY name",
                )
            )
        ]
    else:
        db = sqlite3.connect(b.workdir / "frontdesk.db")
        org_id = db.execute(org_query).fetchone()[0]
        rep_ids = [
            r[0]
            for r in db.execute(
                f"SELECT id FROM reps WHERE org_id = '{org_id}' AND role = 'rep' ORDER BY name"
            )
        ]
        db.close()
    setup, team_ids, segment_ids, account_ids = setup_rows(sql, org_id, rep_ids)
    statements = [("", s) for s in setup] + load_statements(
        sql, org_id, rep_ids, segment_ids, account_ids, scale
    )
    log(f"loading {kind} (scale {scale}); this may take minutes")
    started = time.perf_counter()
    if kind == "pg":
        assert b._pg_name
        asyncio.run(_pg_execute(b._pg_name, statements))
    else:
        _sqlite_execute(b.workdir / "frontdesk.db", statements)
    log(f"  loaded everything in {time.perf_counter() - started:.0f} s")
    return {
        "admin": admin,
        "rep_ids": rep_ids,
        "team_ids": team_ids,
        "segment_ids": segment_ids,
        "big_account": account_ids[0],
    }


def pages(data: dict[str, Any]) -> list[tuple[str, str]]:
    today = date.today()

    def span(days: int) -> str:
        return f"start={(today - timedelta(days=days - 1)).isoformat()}&end={today.isoformat()}"

    report = "/api/reports/summary?"
    return [
        ("report 30 days UTC", report + span(30) + "&zone=UTC"),
        ("report 90 days Los Angeles", report + span(90) + "&zone=America/Los_Angeles"),
        ("report 366 days UTC", report + span(366) + "&zone=UTC"),
        (
            "report 366 days inbound + segment",
            report
            + span(366)
            + f"&zone=Asia/Kolkata&channel=inbound&segment_id={data['segment_ids'][0]}",
        ),
        ("report 90 days team", report + span(90) + f"&zone=UTC&team_id={data['team_ids'][0]}"),
        ("report 366 days one rep", report + span(366) + f"&zone=UTC&rep_id={data['rep_ids'][3]}"),
        ("CSV reps 90 days", "/api/reports/summary.csv?" + span(90) + "&zone=UTC&table=reps"),
        ("Account 360 (5,000 visitors)", f"/api/accounts/{data['big_account']}/360?zone=UTC"),
    ]


class CpuMeter:
    """CPU seconds used by the server process and, on PostgreSQL, by the database's backends
    (the machine is shared: CPU per request is steadier than latency under load)."""

    def __init__(self, server_pid: int, pg_name: str | None) -> None:
        self.server = psutil.Process(server_pid)
        self.pg_name = pg_name

    def _backends(self) -> dict[int, float]:
        if not self.pg_name:
            return {}
        rows = asyncio.run(
            _pg_fetch(
                "postgres", f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.pg_name}'"
            )
        )
        out = {}
        for (pid,) in rows:
            with contextlib.suppress(psutil.Error):
                t = psutil.Process(pid).cpu_times()
                out[pid] = t.user + t.system
        return out

    def read(self) -> tuple[float, dict[int, float]]:
        t = self.server.cpu_times()
        return t.user + t.system, self._backends()

    @staticmethod
    def used(
        before: tuple[float, dict[int, float]], after: tuple[float, dict[int, float]]
    ) -> tuple[float, float]:
        db = sum(v - before[1].get(pid, 0.0) for pid, v in after[1].items())
        return after[0] - before[0], db


async def measure(
    url: str, data: dict[str, Any], repeat: int, meter: CpuMeter | None = None
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            url + "/api/auth/login", json={"email": data["admin"], "password": PASSWORD}
        ) as r:
            assert r.status == 200, await r.text()
        for name, path in pages(data):
            times = []
            cpu_before: Any = None
            for n in range(repeat + 2):
                if n == 2 and meter is not None:
                    cpu_before = await asyncio.to_thread(meter.read)
                started = time.perf_counter()
                async with http.get(url + path) as r:
                    body = await r.read()
                    assert r.status == 200, body[:500]
                if n >= 2:  # two warm-ups
                    times.append((time.perf_counter() - started) * 1000)
            cpu = ""
            if meter is not None:
                server_cpu, db_cpu = meter.used(cpu_before, await asyncio.to_thread(meter.read))
                cpu = f"  CPU/request server {server_cpu * 1000 / repeat:5.1f} ms" + (
                    f" + database {db_cpu * 1000 / repeat:5.1f} ms" if meter.pg_name else ""
                )
            results[name] = times
            log(
                f"  {name:38} p50 {statistics.median(times):7.1f} ms  p95 {p95(times):7.1f} ms  max {max(times):7.1f} ms{cpu}"
            )
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


ZONES = ("UTC", "America/Los_Angeles", "Asia/Kolkata")  # the zones pages() reads reports in


def roll_up(b: Backend) -> None:
    """What an upgrade's `frontdesk report-rollups` (or the server in the background) does
    for history that was there before: the rows above were loaded behind the server's back."""
    zones = [arg for zone in ZONES for arg in ("--zone", zone)]
    started = time.perf_counter()
    result = subprocess.run(
        [*FRONTDESK_COMMAND, "report-rollups", *zones],
        env=b.env,
        capture_output=True,
        text=True,
        timeout=3 * 3600,
        check=True,
    )
    log(f"  {result.stdout.strip()} in {time.perf_counter() - started:.1f} s ({', '.join(ZONES)})")


@contextlib.contextmanager
def kept_backend(kind: str, keep: Path | None) -> Iterator[tuple[Backend, dict[str, Any] | None]]:
    """A fresh backend (dropped afterwards), or with --keep DIR one kept between runs: the
    first run loads it and writes DIR/reports-KIND.json; later runs reuse it (and migrate it,
    for a new migration; FRONTDESK_BENCH_NO_MIGRATE=1 does not, to run older code on it for an
    A/B). Delete it with --drop DIR when done (it takes gigabytes)."""
    if keep is None:
        with backend(kind) as b:
            yield b, None
        return
    keep.mkdir(parents=True, exist_ok=True)
    saved = keep / f"reports-{kind}.json"
    if saved.exists():
        state = json.loads(saved.read_text())
        env = {**state["env"]}
        env.pop("PYTHONPATH", None)  # this run's code (FRONTDESK_BENCH_SRC), not the loader's
        if SRC_OVERRIDE:
            env["PYTHONPATH"] = SRC_OVERRIDE
        b = Backend(state["name"], env, Path(state["workdir"]), state["pg_name"])
        if not os.environ.get("FRONTDESK_BENCH_NO_MIGRATE"):  # older code, for an A/B run
            b.cli("migrate")
        yield b, state["data"]
        return
    workdir = keep / kind
    workdir.mkdir(exist_ok=True)
    env = _base_env(workdir)
    if kind == "sqlite":
        env["FRONTDESK_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'frontdesk.db'}"
        env["FRONTDESK_BUS_URL"] = "memory://"
        b = Backend("SQLite + memory bus", env, workdir)
    else:
        name = f"fdbench_reports_{uuid.uuid4().hex[:8]}"
        _in_thread(_pg_admin, f'CREATE DATABASE "{name}"')
        env["FRONTDESK_DATABASE_URL"] = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
        env["FRONTDESK_BUS_URL"] = REDIS_URL
        env["FRONTDESK_REDIS_NAMESPACE"] = f"fdbench{uuid.uuid4().hex[:8]}"
        b = Backend("PostgreSQL + Redis", env, workdir, name)
    b.cli("migrate")
    yield b, None  # run() saves the state once loaded


def drop_kept(keep: Path) -> None:
    import shutil

    for kind in ("pg", "sqlite"):
        saved = keep / f"reports-{kind}.json"
        if saved.exists():
            pg_name = json.loads(saved.read_text())["pg_name"]
            if pg_name:
                _in_thread(_pg_admin, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            saved.unlink()
        shutil.rmtree(keep / kind, ignore_errors=True)
    log(f"dropped the databases kept in {keep}")


def run(kind: str, scale: float, repeat: int, keep: Path | None = None) -> None:
    with kept_backend(kind, keep) as (b, data), Servers() as servers:
        if data is None:
            data = load(b, kind, scale)
            if keep is not None:
                (keep / f"reports-{kind}.json").write_text(
                    json.dumps(
                        {
                            "name": b.name,
                            "env": b.env,
                            "workdir": str(b.workdir),
                            "pg_name": b._pg_name,
                            "data": data,
                        }
                    )
                )
        roll_up(b)
        server = servers.start(frontdesk_server(b, f"reports-{kind}"))
        time.sleep(10)  # the server's start-up rollup catch-up (nothing to build) ends first
        log(f"{b.name}: {repeat} requests per page after 2 warm-ups; {source_label()}")
        log(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        meter = CpuMeter(server.pid, b._pg_name)
        results = asyncio.run(measure(server.url, data, repeat, meter))
        log(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        report_p95 = max(p95(v) for k, v in results.items() if not k.startswith("Account"))
        account_p95 = p95(results["Account 360 (5,000 visitors)"])
        log(
            f"{b.name} (scale {scale}): worst report page p95 {report_p95:.1f} ms (bar 500: "
            f"{'met' if report_p95 < 500 else 'NOT met'}); Account 360 p95 {account_p95:.1f} ms "
            f"(bar 200: {'met' if account_p95 < 200 else 'NOT met'})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="pg,sqlite", help="pg, sqlite or both (default)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="PostgreSQL size; SQLite gets a tenth of it"
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="requests per page (after 2 warm-ups)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the loaded databases in this directory (and PostgreSQL) for later runs",
    )
    parser.add_argument("--drop", action="store_true", help="drop the databases --keep kept")
    args = parser.parse_args(argv)
    if args.drop:
        if args.keep is not None:
            drop_kept(args.keep)
        return
    for kind in args.backends.split(","):
        run(kind, args.scale if kind == "pg" else args.scale / 10, args.repeat, args.keep)


if __name__ == "__main__":
    main()
