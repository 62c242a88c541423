"""Team leads (issue 18): a rep who also reads every rep's reports, exports them and opens
Account 360 for the whole org, but changes nothing an admin configures. Admins make and unmake
leads through the reps API (audited); a demoted lead's next report request is refused."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from frontdesk.transport.api import api
from tests.harness import RepClient, Server
from tests.support.report_history import seed_history

pytestmark = pytest.mark.asyncio

START, END = "2026-08-01", "2026-11-28"  # the seeded history's span (tests/support)


def _query(**filters: str) -> str:
    return "&".join(f"{k}={v}" for k, v in {"start": START, "end": END, **filters}.items())


async def _csv(client: RepClient, query: str) -> tuple[int, list[list[str]]]:
    async with client.http.get(f"{client.harness.url}/api/reports/summary.csv?{query}") as answer:
        text = await answer.text()
        return answer.status, (list(csv.reader(io.StringIO(text))) if answer.status == 200 else [])


async def _make_lead(admin: RepClient, rep: RepClient) -> None:
    status, body = await admin.request("PATCH", f"/api/reps/{rep.rep_id}", {"role": "lead"})
    assert status == 200, body
    assert body["role"] == "lead"


async def test_a_team_lead_reads_every_reps_report_and_exports_it_a_rep_cannot(
    server: Server,
) -> None:
    org = await server.create_org("Leads")
    admin = await server.rep(org, "admin", "Avery Admin")
    reps = [await server.rep(org, "rep", f"Rep {n}") for n in range(4)]
    lead = await server.rep(org, "rep", "Lee Lead")
    async with server.runtime.db.transaction() as session:
        history = await seed_history(session, org.id, [r.rep_id for r in [*reps, lead]])
    await _make_lead(admin, lead)
    other, plain = reps[0], reps[1]
    team_id = next(iter(history.team_ids))

    # Everyone, another rep, a team: the lead gets exactly what the admin gets.
    for filters in ({}, {"rep_id": other.rep_id}, {"team_id": team_id}):
        status, as_admin = await admin.request("GET", "/api/reports/summary?" + _query(**filters))
        assert status == 200
        status, as_lead = await lead.request("GET", "/api/reports/summary?" + _query(**filters))
        assert status == 200, as_lead
        assert as_lead == as_admin
    status, everyone = await lead.request("GET", "/api/reports/summary?" + _query())
    assert {r["rep_id"] for r in everyone["reps"]} >= {r.rep_id for r in reps}
    assert everyone["totals"]["conversations_started"] > 0

    # The CSV exports, days and reps, are the admin's too.
    for table in ("days", "reps"):
        query = _query(rep_id=other.rep_id, table=table)
        lead_status, lead_rows = await _csv(lead, query)
        admin_status, admin_rows = await _csv(admin, query)
        assert lead_status == admin_status == 200
        assert lead_rows == admin_rows and len(lead_rows) > 2

    # The proactive counts (the console's Today panel) cover every rep for a lead.
    status, counts = await lead.request("GET", "/api/reports/proactive?days=30")
    assert status == 200
    status, admin_counts = await admin.request("GET", "/api/reports/proactive?days=30")
    assert counts == admin_counts

    # A plain rep still cannot, in JSON or CSV.
    status, body = await plain.request("GET", "/api/reports/summary?" + _query(rep_id=other.rep_id))
    assert status == 403
    assert "admins and team leads see every rep" in body["error"]["message"]
    status, _ = await _csv(plain, _query(rep_id=other.rep_id, table="reps"))
    assert status == 403
    status, mine = await plain.request("GET", "/api/reports/summary?" + _query())
    assert {r["rep_id"] for r in mine["reps"]} == {plain.rep_id}


def _admin_routes() -> list[tuple[str, str]]:
    return sorted(
        (route.method, re.sub(r"{\w+}", "0" * 32, route.path))
        for route in api.routes
        if route.auth == "admin" and route.handler is not None
    )


async def test_a_team_lead_cannot_change_settings_users_or_anything_admin_only(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    lead, rep = await server.rep(org, "rep", "Lee Lead"), await server.rep(org, "rep")
    await _make_lead(admin, lead)
    routes = _admin_routes()
    # The ones the issue names, so a renamed path cannot empty this test.
    for named in (
        ("PUT", "/api/org"),
        ("POST", "/api/reps"),
        ("PATCH", f"/api/reps/{'0' * 32}"),
        ("POST", "/api/segments"),
        ("POST", "/api/api-tokens"),
        ("GET", "/api/audit"),
    ):
        assert named in routes
    for method, path in routes:
        status, body = await lead.request(method, path, {} if method != "GET" else None)
        assert status == 403, (method, path, body)
        assert body["error"]["message"] == "only admins may do this", (method, path)
    # In particular, a lead cannot make a colleague (or themselves) an admin.
    for target in (rep, lead):
        status, _ = await lead.request("PATCH", f"/api/reps/{target.rep_id}", {"role": "admin"})
        assert status == 403
    status, reps = await admin.request("GET", "/api/reps")
    roles = {r["id"]: r["role"] for r in reps["reps"]}
    assert roles[lead.rep_id] == "lead" and roles[rep.rep_id] == "rep"
    # What a lead's console lists of colleagues is a rep's view: no emails.
    status, seen = await lead.request("GET", "/api/reps")
    assert status == 200 and all("email" not in r for r in seen["reps"])


async def test_an_admin_makes_a_lead_it_is_audited_and_a_bad_role_is_refused_clearly(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin", "Ada Admin")
    rep = await server.rep(org, "rep", "Lee")
    await _make_lead(admin, rep)
    status, audit = await admin.request("GET", "/api/audit")
    assert status == 200
    entry = audit["entries"][0]
    assert entry["action"] == "PATCH /api/reps/{rep_id}"
    assert entry["target"] == {"rep_id": rep.rep_id} and entry["details"] == {"role": "lead"}
    assert entry["actor_rep_id"] == admin.rep_id

    # A lead created directly is a lead from the start.
    status, created = await admin.request(
        "POST",
        "/api/reps",
        {"email": "kim@example.com", "name": "Kim", "role": "lead", "password": "pale-otter-42"},
    )
    assert status == 200 and created["role"] == "lead"

    for method, path, body in (
        ("PATCH", f"/api/reps/{rep.rep_id}", {"role": "manager"}),
        (
            "POST",
            "/api/reps",
            {"email": "x@example.com", "name": "X", "role": "boss", "password": "pale-otter-42"},
        ),
    ):
        status, refused = await admin.request(method, path, body)
        assert status == 422, refused
        assert refused["error"]["code"] == "invalid"
        assert "role" in refused["error"]["message"]
        assert "'admin', 'lead' or 'rep'" in refused["error"]["message"]
    status, reps = await admin.request("GET", "/api/reps")
    assert {r["id"]: r["role"] for r in reps["reps"]}[rep.rep_id] == "lead"
    # An admin cannot step down to lead themselves (another admin must do it).
    status, refused = await admin.request("PATCH", f"/api/reps/{admin.rep_id}", {"role": "lead"})
    assert status == 422 and "demote yourself" in refused["error"]["message"]


async def test_a_demoted_lead_keeps_their_session_but_their_next_report_request_is_refused(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    lead, other = await server.rep(org, "rep", "Lee Lead"), await server.rep(org, "rep", "Oli")
    await _make_lead(admin, lead)
    query = "/api/reports/summary?" + _query(rep_id=other.rep_id)
    async with lead.socket() as console:
        status, _ = await lead.request("GET", query)
        assert status == 200
        status, body = await admin.request("PATCH", f"/api/reps/{lead.rep_id}", {"role": "rep"})
        assert status == 200 and body["role"] == "rep"
        # Their console hears it (it hides the filters) and stays open.
        changed = await console.expect("rep.changed", rep_id=lead.rep_id)
        assert changed["role"] == "rep"
        await console.send({"type": "ping"})
        await console.expect("pong")
    status, me = await lead.request("GET", "/api/me")
    assert status == 200
    status, refused = await lead.request("GET", query)
    assert status == 403
    status, _ = await _csv(lead, _query(rep_id=other.rep_id, table="reps"))
    assert status == 403
    status, own = await lead.request("GET", "/api/reports/summary?" + _query())
    assert status == 200 and {r["rep_id"] for r in own["reps"]} == {lead.rep_id}


async def test_a_team_lead_is_a_rep_in_routing(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    lead, sam = await server.rep(org, "rep", "Lee Lead"), await server.rep(org, "rep", "Sam")
    await _make_lead(admin, lead)
    status, team = await admin.request(
        "POST", "/api/teams", {"name": "Enterprise", "rep_ids": [lead.rep_id]}
    )
    assert status == 200
    status, _ = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Pricing",
            "color": "#2563eb",
            "rules": {"conditions": [{"field": "page.url", "op": "contains", "value": "/pricing"}]},
            "routing": {"steps": [{"kind": "team", "team_id": team["id"]}]},
        },
    )
    assert status == 200
    async with (
        lead.socket() as lead_console,
        sam.socket() as sam_console,
        server.visitor(org, url="https://www.customer.example/pricing") as visitor,
    ):
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        joined: dict[str, Any] = await lead_console.expect(
            "visitor.joined", visitor__visitor_id=vid
        )
        assert joined["visitor"]["routed_rep_ids"] == [lead.rep_id]
        await sam_console.send({"type": "ping"})
        await sam_console.expect("pong")
        assert vid not in str(sam_console.received)
