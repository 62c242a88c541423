"""Reports: every figure the API gives equals the same figure computed here, in plain Python,
from the raw rows of a seeded history (months of chats, several reps, teams, segments and
channels), on SQLite and PostgreSQL, in two time zones whose days begin at different instants.
The CSV is the table; a rep reads only their own report."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.meetings.models import Meeting
from frontdesk.features.proactive.models import ProactiveEvent
from frontdesk.features.reports import day_ranges, rollups
from frontdesk.features.reports.models import ReportBuiltDay, ReportDayChats
from frontdesk.storage.db import Database
from tests.harness import RepClient, Server
from tests.support.report_history import History, seed_history

pytestmark = pytest.mark.asyncio

CHANNELS = ("inbound", "pounce", "invitation", "auto_pounce")
START, END = "2026-08-01", "2026-11-28"  # the history runs Aug 1 to Nov 28 UTC: LA's DST ends Nov 1


class Seeded:
    def __init__(self, history: History, admin: RepClient, reps: list[RepClient]) -> None:
        self.history = history
        self.admin = admin
        self.reps = reps


async def _seed(server: Server) -> Seeded:
    org = await server.create_org("Reports")
    admin = await server.rep(org, "admin", "Avery Admin")
    reps = [await server.rep(org, "rep", f"Rep {n}") for n in range(5)]
    async with server.runtime.db.transaction() as session:
        history = await seed_history(session, org.id, [r.rep_id for r in reps])
    return Seeded(history, admin, reps)


# ---- the figures, computed independently from the rows ---------------------------------------


def nearest_rank(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


class Expected:
    def __init__(self) -> None:
        self.started: dict[str, int] = dict.fromkeys(CHANNELS, 0)
        self.answered = 0
        self.inbound_timeouts = 0
        self.queue_timeouts = 0
        self.missed_responses = 0
        self.qualified = 0
        self.deal_value = 0.0
        self.lengths: list[int] = []
        self.frts: list[int] = []
        self.sent: dict[str, int] = dict.fromkeys(CHANNELS, 0)
        self.replies: dict[str, int] = dict.fromkeys(CHANNELS, 0)
        self.calls: list[Any] = []
        self.meetings: list[Any] = []
        self.ratings = 0
        self.satisfied = 0

    def figures(self) -> dict[str, Any]:
        def rate(channel: str) -> float | None:
            return (
                round(self.replies[channel] / self.sent[channel], 4) if self.sent[channel] else None
            )

        return {
            "conversations_started": sum(self.started.values()),
            "started_inbound": self.started["inbound"],
            "started_pounce": self.started["pounce"],
            "started_invitation": self.started["invitation"],
            "started_auto_pounce": self.started["auto_pounce"],
            "conversations_answered": self.answered,
            "missed": self.inbound_timeouts + self.queue_timeouts + self.missed_responses,
            "inbound_timeouts": self.inbound_timeouts,
            "queue_timeouts": self.queue_timeouts,
            "missed_responses": self.missed_responses,
            "first_response_median_seconds": nearest_rank(self.frts, 50),
            "first_response_p90_seconds": nearest_rank(self.frts, 90),
            "average_length_seconds": (
                round(sum(self.lengths) / len(self.lengths), 1) if self.lengths else None
            ),
            "pounces_sent": self.sent["pounce"],
            "pounce_replies": self.replies["pounce"],
            "pounce_reply_rate": rate("pounce"),
            "invitations_sent": self.sent["invitation"],
            "invitation_replies": self.replies["invitation"],
            "invitation_reply_rate": rate("invitation"),
            "auto_pounces_sent": self.sent["auto_pounce"],
            "auto_pounce_replies": self.replies["auto_pounce"],
            "auto_pounce_reply_rate": rate("auto_pounce"),
            "qualified": self.qualified,
            "deal_value": round(self.deal_value, 2),
            **call_figures(self.calls),
            "meetings_booked": len(self.meetings),
            "meetings_cancelled": sum(1 for m in self.meetings if m.status == "cancelled"),
            "csat_ratings": self.ratings,
            "csat_satisfied": self.satisfied,
            "csat_rate": round(self.satisfied / self.ratings, 4) if self.ratings else None,
        }


def call_figures(calls: list[Any]) -> dict[str, Any]:
    lengths = [
        int(c.ended_at.timestamp()) - int(c.connected_at.timestamp())
        for c in calls
        if c.connected_at is not None and c.ended_at is not None
    ]

    def ended(*reasons: str) -> int:
        return sum(1 for c in calls if c.end_reason in reasons)

    return {
        "calls": len(calls),
        "calls_connected": sum(1 for c in calls if c.connected_at is not None),
        "call_average_seconds": round(sum(lengths) / len(lengths), 1) if lengths else None,
        "calls_ended_by_rep": ended("ended_by_rep"),
        "calls_ended_by_visitor": ended("ended_by_visitor"),
        "calls_declined": ended("declined"),
        "calls_missed": ended("missed"),
        "calls_failed": ended("failed", "blocked"),
    }


def first_response(messages: list[Any]) -> int | None:
    """Whole seconds from the visitor's first message to the first rep message after it
    (not internal, not written by AI), by the chat's message order."""
    first_visitor = None
    for m in sorted(messages, key=lambda m: m.seq):
        if m.author_kind == "visitor" and first_visitor is None:
            first_visitor = m.created_at
        elif (
            m.author_kind == "rep"
            and first_visitor is not None
            and not m.internal
            and not (m.meta or {}).get("auto_pounce")
        ):
            return int((m.created_at - first_visitor).total_seconds())
    return None


async def expected_report(
    server: Server,
    history: History,
    zone: str,
    *,
    rep_ids: set[str] | None = None,
    segment_id: str | None = None,
    channel: str | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, dict[str, Any]]]:
    tz = ZoneInfo(zone)
    first, last = date.fromisoformat(START), date.fromisoformat(END)
    async with server.runtime.db.read() as session:
        chats = list(
            (
                await session.execute(
                    select(Conversation).where(Conversation.org_id == history.org_id)
                )
            ).scalars()
        )
        messages = list(
            (
                await session.execute(select(Message).where(Message.org_id == history.org_id))
            ).scalars()
        )
        events = list(
            (
                await session.execute(
                    select(ProactiveEvent).where(ProactiveEvent.org_id == history.org_id)
                )
            ).scalars()
        )
        calls = list(
            (await session.execute(select(Call).where(Call.org_id == history.org_id))).scalars()
        )
        meetings = list(
            (
                await session.execute(select(Meeting).where(Meeting.org_id == history.org_id))
            ).scalars()
        )
    chat_of = {chat.id: chat for chat in chats}
    by_chat: dict[str, list[Any]] = defaultdict(list)
    for m in messages:
        by_chat[m.conversation_id].append(m)
    days: dict[str, Expected] = defaultdict(Expected)
    reps: dict[str, Expected] = defaultdict(Expected)
    total = Expected()

    def in_scope_owner(owner: str | None, routed: list[str]) -> bool:
        if rep_ids is None:
            return True
        return owner in rep_ids if owner is not None else bool(rep_ids & set(routed))

    for chat in chats:
        local = chat.created_at.astimezone(tz).date()
        if not first <= local <= last:
            continue
        if channel is not None and chat.origin != channel:
            continue
        if segment_id is not None and chat.segment_id != segment_id:
            continue
        if not in_scope_owner(chat.owner_rep_id, chat.routed_rep_ids):
            continue
        frt = first_response(by_chat[chat.id])
        missed = None
        if chat.status == "missed":
            missed = "queue" if chat.meta.offline else "inbound"
        targets = [days[local.isoformat()], total]
        if chat.owner_rep_id is not None:
            targets.append(reps[chat.owner_rep_id])
        for t in targets:
            t.started[chat.origin] += 1
            if frt is not None:
                t.answered += 1
                t.frts.append(frt)
                if chat.ended_at is not None:
                    t.lengths.append(int((chat.ended_at - chat.created_at).total_seconds()))
            if missed == "queue":
                t.queue_timeouts += 1
            elif missed == "inbound":
                t.inbound_timeouts += 1
            if chat.qualified:
                t.qualified += 1
            if chat.meta.csat is not None:
                t.ratings += 1
                good = 3 if chat.meta.csat.scale == 3 else 4  # good, or 4-5 stars
                t.satisfied += chat.meta.csat.score >= good
            t.deal_value += chat.deal_value or 0.0
        if missed is not None:  # per rep: every rep it was routed to missed it
            for routed in chat.routed_rep_ids:
                if rep_ids is None or routed in rep_ids:
                    if missed == "queue":
                        reps[routed].queue_timeouts += 1
                    else:
                        reps[routed].inbound_timeouts += 1
    for e in events:
        local = e.at.astimezone(tz).date()
        if not first <= local <= last:
            continue
        if channel is not None and e.channel != channel:
            continue
        if segment_id is not None and e.segment_id != segment_id:
            continue
        if rep_ids is not None and e.rep_id not in rep_ids:
            continue
        for t in (days[local.isoformat()], total, reps[e.rep_id]):
            if e.kind == "missed_response":
                t.missed_responses += 1
            elif e.kind == "reply":
                t.replies[e.channel] += 1
            elif e.kind in ("pounce", "auto_pounce"):
                t.sent[e.kind] += 1
            elif e.kind == "invitation_sent":
                t.sent["invitation"] += 1
    for call in calls:
        local = call.created_at.astimezone(tz).date()
        chat = chat_of[call.conversation_id]
        if not first <= local <= last:
            continue
        if channel is not None and chat.origin != channel:
            continue
        if segment_id is not None and chat.segment_id != segment_id:
            continue
        if rep_ids is not None and call.rep_id not in rep_ids:
            continue
        targets = [days[local.isoformat()], total]
        if call.rep_id is not None:
            targets.append(reps[call.rep_id])
        for t in targets:
            t.calls.append(call)
    for meeting in meetings:
        local = meeting.created_at.astimezone(tz).date()
        if not first <= local <= last:
            continue
        booked_in = chat_of.get(meeting.conversation_id or "")
        if channel is not None and (booked_in is None or booked_in.origin != channel):
            continue
        if segment_id is not None and (booked_in is None or booked_in.segment_id != segment_id):
            continue
        if rep_ids is not None and meeting.owner_rep_id not in rep_ids:
            continue
        for t in (days[local.isoformat()], total, reps[meeting.owner_rep_id]):
            t.meetings.append(meeting)
    all_days = {}
    day = first
    while day <= last:
        all_days[day.isoformat()] = days[day.isoformat()].figures()
        day += timedelta(days=1)
    return all_days, total.figures(), {r: e.figures() for r, e in reps.items()}


def _query(zone: str, **filters: str) -> str:
    params = {"start": START, "end": END, "zone": zone, **filters}
    return "&".join(f"{k}={v}" for k, v in params.items())


async def _check(
    server: Server,
    seeded: Seeded,
    reader: RepClient,
    zone: str,
    *,
    rep_ids: set[str] | None = None,
    **filters: str,
) -> dict[str, Any]:
    status, report = await reader.request("GET", "/api/reports/summary?" + _query(zone, **filters))
    assert status == 200, report
    days, total, reps = await expected_report(
        server,
        seeded.history,
        zone,
        rep_ids=rep_ids,
        segment_id=filters.get("segment_id"),
        channel=filters.get("channel"),
    )
    got_days = {
        row["date"]: {k: v for k, v in row.items() if k != "date"} for row in report["days"]
    }
    assert list(got_days) == list(days)
    for day, figures in days.items():
        assert got_days[day] == figures, day
    assert report["totals"] == total
    got_reps = {
        row["rep_id"]: {k: v for k, v in row.items() if k not in ("rep_id", "rep_name")}
        for row in report["reps"]
    }
    for rep_id, row in got_reps.items():
        assert row == reps[rep_id], rep_id
    # Every rep with a figure has a row (and only reps in scope).
    active = {r for r, f in reps.items() if any(v for v in f.values() if v is not None)}
    assert active <= set(got_reps)
    return report


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles"])
async def test_every_figure_equals_the_one_computed_from_the_raw_rows(
    server: Server, zone: str
) -> None:
    seeded = await _seed(server)
    history = seeded.history
    assert history.counts["conversations"] > 2000
    report = await _check(server, seeded, seeded.admin, zone)
    assert report["totals"]["conversations_started"] > 2000
    assert report["totals"]["first_response_p90_seconds"] is not None
    assert report["totals"]["calls"] > 100 and report["totals"]["calls_failed"] > 0
    assert report["totals"]["call_average_seconds"] is not None
    assert report["totals"]["meetings_booked"] > 50
    # Filters: a channel, a segment, a team, a rep, and all four together.
    await _check(server, seeded, seeded.admin, zone, channel="inbound")
    await _check(server, seeded, seeded.admin, zone, channel="auto_pounce")
    await _check(server, seeded, seeded.admin, zone, segment_id=history.segment_ids[0])
    team_id, members = next(iter(history.team_ids.items()))
    await _check(server, seeded, seeded.admin, zone, rep_ids=set(members), team_id=team_id)
    rep = seeded.reps[2].rep_id
    await _check(server, seeded, seeded.admin, zone, rep_ids={rep}, rep_id=rep)
    await _check(
        server,
        seeded,
        seeded.admin,
        zone,
        rep_ids=set(members) & {members[0]},
        rep_id=members[0],
        team_id=team_id,
        segment_id=history.segment_ids[1],
        channel="pounce",
    )
    # A rep's own report: their figures only, the same as an admin's report on them.
    own = await _check(server, seeded, seeded.reps[3], zone, rep_ids={seeded.reps[3].rep_id})
    assert [r["rep_id"] for r in own["reps"]] == [seeded.reps[3].rep_id]


async def test_a_day_begins_at_local_midnight_in_the_chosen_zone(server: Server) -> None:
    seeded = await _seed(server)
    status, utc = await seeded.admin.request("GET", "/api/reports/summary?" + _query("UTC"))
    assert status == 200
    status, tokyo = await seeded.admin.request(
        "GET", "/api/reports/summary?" + _query("Asia/Tokyo")
    )
    assert status == 200
    # The same chats fall on different days: Tokyo's day starts 9 hours before UTC's.
    assert [d["conversations_started"] for d in utc["days"]] != [
        d["conversations_started"] for d in tokyo["days"]
    ]
    days, total, _ = await expected_report(server, seeded.history, "Asia/Tokyo")
    assert {d.pop("date"): d for d in tokyo["days"]} == days
    assert tokyo["totals"] == total


async def test_the_csv_export_is_the_table_shown(server: Server) -> None:
    seeded = await _seed(server)
    query = _query("America/Los_Angeles", channel="inbound")
    status, report = await seeded.admin.request("GET", "/api/reports/summary?" + query)
    assert status == 200
    labels = [c["label"] for c in report["columns"]]
    keys = [c["key"] for c in report["columns"]]

    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    for table, rows, first in (
        ("days", report["days"], "date"),
        ("reps", report["reps"], "rep_name"),
    ):
        async with seeded.admin.http.get(
            f"{server.url}/api/reports/summary.csv?{query}&table={table}"
        ) as response:
            assert response.status == 200
            assert response.content_type == "text/csv"
            assert "attachment" in response.headers["Content-Disposition"]
            text = await response.text()
        parsed = list(csv.reader(io.StringIO(text)))
        assert parsed[0] == ["Date" if table == "days" else "Rep", *labels]
        assert parsed[1:-1] == [[row[first], *[cell(row[k]) for k in keys]] for row in rows]
        assert parsed[-1] == ["Total", *[cell(report["totals"][k]) for k in keys]]
        assert len(parsed) == len(rows) + 2


async def test_a_rep_cannot_read_another_reps_report(server: Server) -> None:
    seeded = await _seed(server)
    me, other = seeded.reps[0], seeded.reps[1]
    status, body = await me.request(
        "GET", "/api/reports/summary?" + _query("UTC", rep_id=other.rep_id)
    )
    assert status == 403
    assert body["error"]["message"] == (
        "reps can see only their own report; admins and team leads see every rep"
    )
    async with me.http.get(
        f"{server.url}/api/reports/summary.csv?{_query('UTC', rep_id=other.rep_id)}&table=reps"
    ) as response:
        assert response.status == 403
    # Without a rep filter, or with a team filter, a rep still gets only their own figures.
    team_id = next(iter(seeded.history.team_ids))
    for filters in ({}, {"team_id": team_id}):
        status, body = await me.request("GET", "/api/reports/summary?" + _query("UTC", **filters))
        assert status == 200
        assert {r["rep_id"] for r in body["reps"]} <= {me.rep_id}
        status, theirs = await seeded.admin.request(
            "GET", "/api/reports/summary?" + _query("UTC", rep_id=me.rep_id, **filters)
        )
        assert body["totals"] == theirs["totals"]


async def test_another_orgs_rep_and_report_stay_apart(server: Server) -> None:
    seeded = await _seed(server)
    stranger_org = await server.create_org("Elsewhere")
    stranger = await server.rep(stranger_org, "admin")
    status, body = await stranger.request(
        "GET", "/api/reports/summary?" + _query("UTC", rep_id=seeded.reps[0].rep_id)
    )
    assert status == 422
    assert "unknown rep" in body["error"]["message"]
    status, body = await stranger.request("GET", "/api/reports/summary?" + _query("UTC"))
    assert status == 200
    assert body["totals"]["conversations_started"] == 0
    assert body["reps"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("start=2026-01-01&end=2026-01-31&zone=Mars/Olympus", "unknown time zone"),
        ("start=2026-01-01&end=2026-01-31&zone=../../etc/passwd", "is not a time zone name"),
        ("start=2025-01-01&end=2026-01-02", "at most 366 days"),
        ("start=2026-02-01&end=2026-01-01", "end must be on or after start"),
        ("start=2026-02-30&end=2026-03-01", "start must be a date like"),
        ("start=2026-01-01&end=2026-01-02&channel=fax", "channel"),
        ("start=2026-01-01&end=2026-01-02&rep_id=xyz", "rep_id must be a 32-character id"),
        ("start=2026-01-01&end=2026-01-02&team_id=" + "0" * 32, "unknown team"),
        ("start=2026-01-01&end=2026-01-02&segment_id=" + "0" * 32, "unknown segment"),
        ("start=2026-01-01&end=2026-01-02&colour=red", "colour"),
        ("end=2026-01-02", "start"),
    ],
)
async def test_bad_parameters_are_refused_with_a_clear_error(
    sqlite_server: Server, params: str, message: str
) -> None:
    org = await sqlite_server.create_org()
    admin = await sqlite_server.rep(org, "admin")
    status, body = await admin.request("GET", "/api/reports/summary?" + params)
    assert status == 422, body
    assert message in str(body["error"]), body


async def test_chats_as_they_happen_fill_the_report(server: Server) -> None:
    """The live code keeps each chat's report columns: a first response, a length, an inbound
    timeout with reps available, a queue timeout with nobody available, a replied pounce."""
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    dana = await server.rep(org, "rep", "Dana Reyes")
    today = server.clock.now().date()
    span = f"start={today - timedelta(days=1)}&end={today + timedelta(days=1)}&zone=UTC"

    async def ask(visitor: Any) -> str:
        await visitor.send({"type": "message", "client_id": "first", "body": "Hello?"})
        ack = await visitor.expect("ack", client_id="first")
        return str(ack["message"]["conversation_id"])

    async with (
        server.visitor(org) as first,
        server.visitor(org) as second,
        server.visitor(org) as third,
        server.visitor(org) as fourth,
    ):
        answered = await ask(first)
        server.clock.advance(7.4)
        status, _ = await dana.request(
            "POST",
            f"/api/conversations/{answered}/messages",
            {"client_id": "r1", "body": "Hi, I'm Dana"},
        )
        assert status == 200
        await ask(second)
        server.clock.advance(301)
        await server.runtime.sweeper.run_due()  # nobody took the second: an inbound timeout
        for rep in (admin, dana):
            await rep.request("PATCH", "/api/me/status", {"availability": "away"})
        await ask(third)
        server.clock.advance(301)
        await server.runtime.sweeper.run_due()  # nobody was there: a queue timeout
        status, started = await dana.request(
            "POST",
            f"/api/visitors/{fourth.welcome['visitor_id']}/conversations",
            {"client_id": "p1", "body": "Can I help you compare plans?"},
        )
        assert status == 200, started
        server.clock.advance(10)
        await fourth.send({"type": "message", "client_id": "reply", "body": "Yes please"})
        await fourth.expect("ack", client_id="reply")
        server.clock.advance(20.9)
        status, _ = await dana.request(
            "POST",
            f"/api/conversations/{started['conversation_id']}/messages",
            {"client_id": "r2", "body": "Great: here is how they differ"},
        )
        assert status == 200
        status, _ = await dana.request("POST", f"/api/conversations/{answered}/end")
        assert status == 200

    status, report = await admin.request("GET", "/api/reports/summary?" + span)
    assert status == 200
    totals = report["totals"]
    assert totals["started_inbound"] == 3 and totals["started_pounce"] == 1
    assert totals["conversations_answered"] == 2
    assert (totals["inbound_timeouts"], totals["queue_timeouts"]) == (1, 1)
    assert totals["missed"] == 2
    # First responses of 7 and 20 whole seconds: nearest-rank median 7, p90 20.
    assert totals["first_response_median_seconds"] == 7
    assert totals["first_response_p90_seconds"] == 20
    # Only the first chat has ended: 7.4 + 301 + 301 + 10 + 20.9 s, in whole seconds.
    assert totals["average_length_seconds"] == 640
    assert (totals["pounces_sent"], totals["pounce_replies"]) == (1, 1)
    assert totals["pounce_reply_rate"] == 1.0
    dana_row = next(r for r in report["reps"] if r["rep_name"] == "Dana Reyes")
    assert dana_row["conversations_answered"] == 2
    assert dana_row["first_response_median_seconds"] == 7
    # The missed chats were routed to nobody: they count in the totals, in no rep's row.
    assert (dana_row["inbound_timeouts"], dana_row["queue_timeouts"]) == (0, 0)


# ---- rollups: the same figures from whole days rolled up (features/reports/rollups.py) -------

SETTLED_NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)  # every day of the history is settled


async def _roll_up(server: Server, org_id: str, zone: str) -> int:
    offsets = rollups.zone_offsets(
        ZoneInfo(zone), date.fromisoformat(START), date.fromisoformat(END)
    )
    await rollups.register(server.runtime.db, org_id, offsets)
    return await rollups.catch_up(server.runtime.db, SETTLED_NOW, org_id=org_id)


async def _plan(server: Server, org_id: str, zone: str) -> rollups.Plan:
    tz = ZoneInfo(zone)
    days = day_ranges(date.fromisoformat(START), date.fromisoformat(END), tz)
    async with server.runtime.db.read() as session:
        return await rollups.plan(session, org_id, days, tz)


async def _check_every_filter(server: Server, seeded: Seeded, zone: str) -> None:
    history = seeded.history
    await _check(server, seeded, seeded.admin, zone)
    await _check(server, seeded, seeded.admin, zone, channel="inbound")
    await _check(server, seeded, seeded.admin, zone, segment_id=history.segment_ids[0])
    team_id, members = next(iter(history.team_ids.items()))
    await _check(server, seeded, seeded.admin, zone, rep_ids=set(members), team_id=team_id)
    rep = seeded.reps[2].rep_id
    await _check(server, seeded, seeded.admin, zone, rep_ids={rep}, rep_id=rep)
    await _check(
        server,
        seeded,
        seeded.admin,
        zone,
        rep_ids={members[0]},
        rep_id=members[0],
        segment_id=history.segment_ids[1],
        channel="pounce",
    )
    await _check(server, seeded, seeded.reps[3], zone, rep_ids={seeded.reps[3].rep_id})


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Kolkata"])
async def test_rolled_up_days_give_the_same_figures_as_the_raw_rows(
    server: Server, zone: str
) -> None:
    seeded = await _seed(server)
    org_id = seeded.history.org_id
    before = await _plan(server, org_id, zone)
    assert before.rollup_runs == ()  # nothing rolled up yet: every day from the chats
    built = await _roll_up(server, org_id, zone)
    assert built > 0
    plan = await _plan(server, org_id, zone)
    if zone == "America/Los_Angeles":
        # Summer (-7 h) and winter (-8 h) days from rollups; Nov 1 (25 hours) from the chats.
        assert {run[0] for run in plan.rollup_runs} == {-420, -480}
        assert len(plan.raw_runs) == 1
        assert plan.raw_runs[0][1] - plan.raw_runs[0][0] == timedelta(hours=25)
    else:
        assert [run[0] for run in plan.rollup_runs] == [330]  # 5:30 ahead
        assert plan.raw_runs == ()
    # Every rolled-up day has its median stored, and whole blocks of days their histograms
    # (an unfiltered report's per-rep percentiles sum those, the filtered ones the days).
    rolled_days = {(o, d) for o, a, b in plan.rollup_runs for d in range(a, b + 1)}
    assert rolled_days <= set(plan.answers)
    assert any(p50 is not None for p50, _ in plan.answers.values())
    assert len(plan.blocks) >= 5
    for offset, block in plan.blocks:
        assert {(offset, d) for d in rollups.block_days(block)} <= rolled_days
    await _check_every_filter(server, seeded, zone)
    # Built once: catching up again builds nothing.
    assert await rollups.catch_up(server.runtime.db, SETTLED_NOW, org_id=org_id) == 0


async def test_a_late_change_to_an_old_chat_shows_at_once_and_is_rolled_up_again(
    server: Server,
) -> None:
    seeded = await _seed(server)
    org_id = seeded.history.org_id
    await _roll_up(server, org_id, "UTC")
    before = await _plan(server, org_id, "UTC")
    assert before.raw_runs == ()
    async with server.runtime.db.read() as session:
        chat = (
            await session.execute(
                select(Conversation)
                .where(
                    Conversation.org_id == org_id,
                    Conversation.owner_rep_id == seeded.reps[0].rep_id,
                    Conversation.qualified.is_not(True),
                    # a day whose whole block of days is in the report
                    Conversation.created_at >= datetime(2026, 9, 1, tzinfo=UTC),
                )
                .order_by(Conversation.created_at)
                .limit(1)
            )
        ).scalar_one()
    # Classified months later, through the API: the day is read from the chats until rebuilt.
    status, body = await seeded.reps[0].request(
        "PATCH",
        f"/api/conversations/{chat.id}/classification",
        {"qualified": True, "deal_value": 12345.0},
    )
    assert status == 200, body
    plan = await _plan(server, org_id, "UTC")
    assert len(plan.raw_runs) == 1
    assert plan.raw_runs[0][0] <= chat.created_at < plan.raw_runs[0][1]
    # ...and so is the block of days around it: its summed histogram is not used either.
    changed = (chat.created_at.date() - date(1970, 1, 1)).days
    block = (0, changed // rollups.BLOCK_DAYS)
    assert block in before.blocks and block not in plan.blocks
    report = await _check(server, seeded, seeded.admin, "UTC")
    day = next(d for d in report["days"] if d["date"] == chat.created_at.date().isoformat())
    assert day["deal_value"] >= 12345.0
    # The worker rebuilds that day; the figures stay the raw rows' figures.
    assert await rollups.catch_up(server.runtime.db, SETTLED_NOW, org_id=org_id) == 1
    plan = await _plan(server, org_id, "UTC")
    assert plan.raw_runs == ()
    assert block in plan.blocks  # summed again from the day's new rows
    await _check(server, seeded, seeded.admin, "UTC")
    # An erased visitor's chats leave the rolled-up days as well.
    status, _ = await seeded.admin.request("POST", f"/api/visitors/{chat.visitor_id}/erase")
    assert status == 200
    assert (await _plan(server, org_id, "UTC")).raw_runs != ()
    await _check(server, seeded, seeded.admin, "UTC")


async def test_building_the_same_days_at_once_twice_gives_one_set_of_rows(server: Server) -> None:
    """Two processes catching up together (here: two engines on one database) build the same
    rows once: a day is replaced as a whole, under the lock of its marks."""
    seeded = await _seed(server)
    org_id = seeded.history.org_id
    offsets = rollups.zone_offsets(
        ZoneInfo("UTC"), date.fromisoformat(START), date.fromisoformat(END)
    )
    await rollups.register(server.runtime.db, org_id, offsets)
    other = Database(server.runtime.db.url)
    try:
        await asyncio.gather(
            rollups.catch_up(server.runtime.db, SETTLED_NOW, org_id=org_id),
            rollups.catch_up(other, SETTLED_NOW, org_id=org_id),
        )
    finally:
        await other.close()

    async def rows() -> list[tuple[Any, ...]]:
        async with server.runtime.db.read() as session:
            return [
                tuple(r)
                for r in (
                    await session.execute(
                        select(
                            ReportDayChats.day,
                            ReportDayChats.owner_rep_id,
                            ReportDayChats.routed_key,
                            ReportDayChats.origin,
                            ReportDayChats.segment_id,
                            ReportDayChats.started,
                            ReportDayChats.answered,
                        )
                        .where(ReportDayChats.org_id == org_id)
                        .order_by(*ReportDayChats.__table__.c)
                    )
                ).all()
            ]

    twice = await rows()
    async with server.runtime.db.transaction() as session:
        await session.execute(delete(ReportBuiltDay).where(ReportBuiltDay.org_id == org_id))
    assert await rollups.catch_up(server.runtime.db, SETTLED_NOW, org_id=org_id) > 100
    assert await rows() == twice
    await _check(server, seeded, seeded.admin, "UTC")


@pytest.mark.timeout(300)  # seeding months of history, then a background build
async def test_reading_a_report_in_a_new_zone_gets_it_rolled_up_in_the_background(
    server: Server,
) -> None:
    seeded = await _seed(server)
    org_id = seeded.history.org_id
    worker = rollups.RollupWorker(
        server.runtime.db, lambda: SETTLED_NOW, interval=3600, org_id=org_id
    )
    worker.start()
    try:
        # The first report in Tokyo time reads the chats...
        status, _ = await seeded.admin.request(
            "GET", "/api/reports/summary?" + _query("Asia/Tokyo")
        )
        assert status == 200
        # ...and has the worker roll Tokyo's days up for the next one.
        for _ in range(1200):  # building 4 months takes seconds (more on a busy machine)
            plan = await _plan(server, org_id, "Asia/Tokyo")
            if plan.raw_runs == ():
                break
            await asyncio.sleep(0.1)
        assert plan.raw_runs == () and [r[0] for r in plan.rollup_runs] == [540]
        await _check(server, seeded, seeded.admin, "Asia/Tokyo")
    finally:
        await worker.stop()
