"""Admins segment and route visitors; the live stream follows at once."""

from __future__ import annotations

import pytest

from tests.harness import Server

pytestmark = pytest.mark.asyncio

TARGETS_CSV = """name,domain,target_account,open_pipeline,employees,industry,region
Initech,initech.example,yes,120000,850,Software,EMEA
Globex,globex.example,no,0,12000,Energy,NA
"""


async def test_an_admin_imports_target_accounts_and_an_identified_visitor_moves_into_their_column(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with admin.http.post(
        server.url + "/api/accounts/import",
        data=TARGETS_CSV.encode(),
        headers={"X-CSRF-Token": admin.csrf, "Content-Type": "text/csv"},
    ) as response:
        assert response.status == 200
        imported = await response.json()
    assert (imported["created"], imported["updated"], imported["errors"]) == (2, 0, [])
    status, listing = await admin.request("GET", "/api/accounts?q=initech")
    assert status == 200 and listing["accounts"][0]["custom"] == {"region": "EMEA"}

    status, created = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Target accounts",
            "color": "#dc2626",
            "rules": {
                "match": "all",
                "conditions": [{"field": "account.target_account", "op": "is_true"}],
            },
        },
    )
    assert status == 200, created
    target_id = created["segment"]["id"]
    assert [s["name"] for s in created["segments"]] == ["Target accounts", "Everyone else"]

    async with (
        admin.socket() as console,
        server.visitor(org, url="https://www.customer.example/pricing") as visitor,
    ):
        joined = await console.expect("visitor.joined")
        assert joined["visitor"]["segment"] != target_id
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane", "hash": None}
        )
        assert (await visitor.expect("identified"))["identity_status"] == "unverified"
        moved = await console.expect("visitor.joined", visitor__segment=target_id)
        assert moved["visitor"]["company"] == "Initech"
        assert moved["visitor"]["account"]["target_account"] is True
        assert moved["visitor"]["enrichment"]["company"]["source"] == "unverified_email"
        status, segments = await admin.request("GET", "/api/segments")
        counts = {s["name"]: s["live_count"] for s in segments["segments"]}
        assert counts == {"Target accounts": 1, "Everyone else": 0}


async def test_changing_a_rule_resegments_live_visitors_at_once(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with (
        admin.socket() as console,
        server.visitor(org, url="https://www.customer.example/careers") as visitor,
    ):
        await console.expect("visitor.joined")
        status, body = await admin.request(
            "POST",
            "/api/segments",
            {
                "name": "Job seekers",
                "color": "#64748b",
                "cold": True,
                "rules": {
                    "conditions": [{"field": "page.url", "op": "contains", "value": "/careers"}]
                },
            },
        )
        assert status == 200
        job_seekers = body["segment"]["id"]
        snapshot = await console.expect("snapshot")
        card = next(
            v for v in snapshot["visitors"] if v["visitor_id"] == visitor.welcome["visitor_id"]
        )  # type: ignore[index]
        assert card["segment"] == job_seekers
        columns = [(s["name"], s["cold"], s["live_count"]) for s in snapshot["segments"]]
        assert columns == [("Everyone else", False, 0), ("Job seekers", True, 1)]


async def test_invalid_rules_are_refused_naming_the_rule_and_field(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    for rules, words in [
        (
            {"conditions": [{"field": "visitor.shoe_size", "op": "equals", "value": "x"}]},
            "visitor.shoe_size",
        ),
        (
            {"conditions": [{"field": "page.url", "op": "matches", "value": "(["}]},
            "bad regular expression",
        ),
        (
            {"conditions": [{"field": "visit.page_views", "op": "gte", "value": "three"}]},
            "not a number",
        ),
    ]:
        status, body = await admin.request(
            "POST", "/api/segments", {"name": "Broken", "rules": rules}
        )
        assert status == 422
        assert "Broken" in body["error"]["message"] and "condition 1" in body["error"]["message"]
        assert words in body["error"]["message"]
    status, body = await admin.request("GET", "/api/segments")
    assert [s["name"] for s in body["segments"]] == ["Everyone else"]


async def test_reps_only_see_visitors_routed_to_them_while_admins_see_all(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    dana, sam = await server.rep(org, name="Dana"), await server.rep(org, name="Sam")
    status, team = await admin.request(
        "POST", "/api/teams", {"name": "Enterprise", "rep_ids": [dana.rep_id]}
    )
    assert status == 200
    status, body = await admin.request(
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
        dana.socket() as dana_console,
        sam.socket() as sam_console,
        admin.socket() as admin_console,
    ):
        async with server.visitor(org, url="https://www.customer.example/pricing") as visitor:
            vid = visitor.welcome["visitor_id"]  # type: ignore[index]
            joined = await dana_console.expect("visitor.joined", visitor__visitor_id=vid)
            assert joined["visitor"]["routed_rep_ids"] == [dana.rep_id]
            assert "Team Enterprise" in joined["visitor"]["routing_reason"]
            await admin_console.expect("visitor.joined", visitor__visitor_id=vid)
            await visitor.send({"type": "activity", "state": "idle"})
            await dana_console.expect("visitor.updated", visitor_id=vid)
            await sam_console.send({"type": "ping"})
            await sam_console.expect("pong")
            assert vid not in str(sam_console.received)
        # Visitor 360 follows the same rule: Sam gets the answer an unknown id gets.
        status, body = await sam.request("GET", f"/api/visitors/{vid}")
        assert status == 404 and body["error"]["code"] == "not_found"
        for rep in (dana, admin):
            status, body = await rep.request("GET", f"/api/visitors/{vid}")
            assert status == 200 and body["visitor"]["id"] == vid


async def test_round_robin_routing_alternates_between_available_reps(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    dana, sam = await server.rep(org, name="Dana"), await server.rep(org, name="Sam")
    status, _ = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Everyone RR",
            "color": "#16a34a",
            "rules": {"conditions": [{"field": "page.url", "op": "exists"}]},
            "routing": {"steps": [{"kind": "everyone", "round_robin": True}]},
        },
    )
    assert status == 200
    owners = []
    for _ in range(4):
        async with server.visitor(org) as visitor, admin.socket() as console:
            card = next(
                v
                for v in console.snapshot["visitors"]
                if v["visitor_id"] == visitor.welcome["visitor_id"]
            )  # type: ignore[index]
            owners.append(card["routed_rep_ids"])
    assert all(len(o) == 1 for o in owners)
    sequence = [o[0] for o in owners]
    assert set(sequence) == {dana.rep_id, sam.rep_id}
    assert sequence[0] != sequence[1] and sequence[1] != sequence[2]


async def test_the_account_owner_gets_their_accounts_visitors_first(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    owner = await server.rep(org, name="Olivia Owner")
    await server.rep(org, name="Other")
    csv = f"name,domain,target_account,owner_email\nInitech,initech.example,yes,{owner.email}\n"
    async with admin.http.post(
        server.url + "/api/accounts/import", data=csv.encode(), headers={"X-CSRF-Token": admin.csrf}
    ) as response:
        assert response.status == 200
        assert (await response.json())["errors"] == []
    status, _ = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Targets",
            "color": "#dc2626",
            "rules": {"conditions": [{"field": "account.target_account", "op": "is_true"}]},
            "routing": {
                "steps": [{"kind": "account_owner"}, {"kind": "everyone", "round_robin": True}]
            },
        },
    )
    assert status == 200
    async with admin.socket() as console, server.visitor(org) as visitor:
        await visitor.send(
            {"type": "identify", "email": "bob@initech.example", "name": "Bob", "hash": None}
        )
        moved = await console.expect("visitor.joined", visitor__company="Initech")
        assert moved["visitor"]["routed_rep_ids"] == [owner.rep_id]
        assert moved["visitor"]["routing_reason"].startswith("Account owner of Initech")


async def test_a_csv_with_bad_rows_reports_them_and_imports_the_rest(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    csv = "name,domain,open_pipeline,owner_email\nGood,good.example,10,\nBad domain,not a domain,0,\nBad money,money.example,lots,\nNo owner,owner.example,0,ghost@x.example\n"
    async with admin.http.post(
        server.url + "/api/accounts/import", data=csv.encode(), headers={"X-CSRF-Token": admin.csrf}
    ) as response:
        result = await response.json()
    assert result["created"] == 1
    assert len(result["errors"]) == 3
    assert any("row 3" in e and "domain" in e for e in result["errors"])
    assert any("row 4" in e and "open_pipeline" in e for e in result["errors"])
    assert any("row 5" in e and "ghost@x.example" in e for e in result["errors"])
    rep = await server.rep(org)
    async with rep.http.post(
        server.url + "/api/accounts/import", data=csv.encode(), headers={"X-CSRF-Token": rep.csrf}
    ) as response:
        assert response.status == 403
