"""A visitor's placement holds until its own inputs change: a rep's visitors and chats never
move because an admin saved something else (issue 13, item 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import OrgInfo, RepClient, Server, Socket

pytestmark = pytest.mark.asyncio

SITE = "https://www.customer.example"
EVERYONE_IN_TURN = {"steps": [{"kind": "everyone", "round_robin": True}]}


def _segment(name: str, path: str, routing: dict[str, Any]) -> dict[str, Any]:
    """A segment as the console's editor sends it: every field, on every save."""
    return {
        "name": name,
        "color": "#2563eb",
        "cold": False,
        "rules": {
            "match": "all",
            "conditions": [{"field": "page.url", "op": "contains", "value": path}],
        },
        "routing": routing,
        "experience_id": None,
    }


async def _create(admin: RepClient, body: dict[str, Any]) -> str:
    status, created = await admin.request("POST", "/api/segments", body)
    assert status == 200, created
    return str(created["segment"]["id"])


async def _setup(server: Server) -> tuple[OrgInfo, RepClient, RepClient, RepClient]:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    dana, sam = await server.rep(org, name="Dana"), await server.rep(org, name="Sam")
    return org, admin, dana, sam


def _card(snapshot: dict[str, Any], visitor: Socket) -> dict[str, Any]:
    assert visitor.welcome is not None
    return next(v for v in snapshot["visitors"] if v["visitor_id"] == visitor.welcome["visitor_id"])


async def test_saving_an_unrelated_segment_unchanged_deals_no_live_visitor_to_another_rep(
    server: Server,
) -> None:
    org, admin, dana, sam = await _setup(server)
    await _create(admin, _segment("Pricing", "/pricing", EVERYONE_IN_TURN))
    careers = _segment("Careers", "/careers", {"steps": []})
    careers_id = await _create(admin, careers)
    async with (
        server.visitor(org, url=SITE + "/pricing") as visitor,
        admin.socket() as console,
    ):
        first = _card(console.snapshot or {}, visitor)["routed_rep_ids"]
        assert first in ([dana.rep_id], [sam.rep_id])
        for _ in range(3):  # today: Dana -> Sam -> Dana -> Sam
            status, body = await admin.request("PATCH", f"/api/segments/{careers_id}", careers)
            assert status == 200, body
            resync = await console.expect("snapshot")
            assert _card(resync, visitor)["routed_rep_ids"] == first


async def test_changing_a_round_robin_rule_keeps_each_visitor_with_their_rep_while_still_eligible(
    server: Server,
) -> None:
    org, admin, dana, sam = await _setup(server)
    pricing = _segment("Pricing", "/pricing", EVERYONE_IN_TURN)
    pricing_id = await _create(admin, pricing)
    async with (
        server.visitor(org, url=SITE + "/pricing") as first_visitor,
        server.visitor(org, url=SITE + "/pricing?plan=team") as second_visitor,
        admin.socket() as console,
    ):
        before = [
            _card(console.snapshot or {}, v)["routed_rep_ids"]
            for v in (first_visitor, second_visitor)
        ]
        assert sorted(before) == sorted([[dana.rep_id], [sam.rep_id]])
        # A real change to the rule (an owner step first), which these visitors have no
        # owner for: each still qualifies for the rep they have, so neither is re-dealt.
        pricing["routing"] = {"steps": [{"kind": "account_owner"}, *EVERYONE_IN_TURN["steps"]]}
        status, body = await admin.request("PATCH", f"/api/segments/{pricing_id}", pricing)
        assert status == 200, body
        resync = await console.expect("snapshot")
        after = [_card(resync, v)["routed_rep_ids"] for v in (first_visitor, second_visitor)]
        assert after == before

        # A rule that leaves a visitor's rep out does move them, openly (consoles resync).
        pricing["routing"] = {"steps": [{"kind": "reps", "rep_ids": [sam.rep_id]}]}
        status, body = await admin.request("PATCH", f"/api/segments/{pricing_id}", pricing)
        assert status == 200, body
        resync = await console.expect("snapshot")
        moved = [_card(resync, v)["routed_rep_ids"] for v in (first_visitor, second_visitor)]
        assert moved == [[sam.rep_id], [sam.rep_id]]


async def test_a_visitor_in_a_chat_stays_with_their_rep_when_their_segment_is_rerouted(
    server: Server,
) -> None:
    org, admin, dana, sam = await _setup(server)
    pricing = _segment("Pricing", "/pricing", EVERYONE_IN_TURN)
    pricing_id = await _create(admin, pricing)
    async with server.visitor(org, url=SITE + "/pricing") as visitor:
        assert visitor.welcome is not None
        vid = visitor.welcome["visitor_id"]
        async with admin.socket() as console:
            routed = _card(console.snapshot or {}, visitor)["routed_rep_ids"]
        their_rep, other_rep = (dana, sam) if routed == [dana.rep_id] else (sam, dana)
        async with their_rep.socket() as their_console, other_rep.socket() as other_console:
            await visitor.send({"type": "message", "client_id": "ask", "body": "Can you help?"})
            await visitor.expect("ack", client_id="ask")
            alert = await their_console.expect("conversation.updated")
            assert alert["conversation"]["status"] == "incoming"

            # The admin routes the segment to the other rep only, while the chat waits.
            pricing["routing"] = {"steps": [{"kind": "reps", "rep_ids": [other_rep.rep_id]}]}
            status, body = await admin.request("PATCH", f"/api/segments/{pricing_id}", pricing)
            assert status == 200, body
            await their_console.expect("snapshot")
            await other_console.expect("snapshot")

            # The rep the chat was routed to still follows the visitor live; the other does not.
            await visitor.send({"type": "activity", "state": "idle"})
            await their_console.expect("visitor.updated", visitor_id=vid)
            await other_console.send({"type": "ping"})
            await other_console.expect("pong")
            assert not [f for f in other_console.unread if "visitor.updated" in str(f)]

    # A new visitor is routed by the new rule.
    async with (
        server.visitor(org, url=SITE + "/pricing") as newcomer,
        admin.socket() as console,
    ):
        assert _card(console.snapshot or {}, newcomer)["routed_rep_ids"] == [other_rep.rep_id]


async def test_changing_a_teams_members_re_deals_nobody_outside_the_segments_routed_to_that_team(
    server: Server,
) -> None:
    org, admin, dana, sam = await _setup(server)
    status, team = await admin.request(
        "POST", "/api/teams", {"name": "Enterprise", "rep_ids": [dana.rep_id]}
    )
    assert status == 200
    await _create(
        admin,
        _segment("Enterprise", "/enterprise", {"steps": [{"kind": "team", "team_id": team["id"]}]}),
    )
    await _create(admin, _segment("Pricing", "/pricing", EVERYONE_IN_TURN))
    async with (
        server.visitor(org, url=SITE + "/pricing") as pricing_visitor,
        server.visitor(org, url=SITE + "/enterprise") as enterprise_visitor,
        admin.socket() as console,
    ):
        first = _card(console.snapshot or {}, pricing_visitor)["routed_rep_ids"]
        assert _card(console.snapshot or {}, enterprise_visitor)["routed_rep_ids"] == [dana.rep_id]
        status, _ = await admin.request(
            "PUT", f"/api/teams/{team['id']}/members", {"rep_ids": [dana.rep_id, sam.rep_id]}
        )
        assert status == 200
        resync = await console.expect("snapshot")
        assert _card(resync, pricing_visitor)["routed_rep_ids"] == first
        # The team's own segment is routed again: both members are available now.
        assert sorted(_card(resync, enterprise_visitor)["routed_rep_ids"]) == sorted(
            [dana.rep_id, sam.rep_id]
        )


async def test_a_second_tab_opened_during_a_chat_keeps_the_visitor_with_the_chats_rep(
    server: Server,
) -> None:
    org, admin, dana, sam = await _setup(server)
    # Careers comes first: a visit that has seen a careers page belongs to it.
    await _create(
        admin,
        _segment("Careers", "/careers", {"steps": [{"kind": "reps", "rep_ids": [sam.rep_id]}]}),
    )
    await _create(
        admin,
        _segment("Pricing", "/pricing", {"steps": [{"kind": "reps", "rep_ids": [dana.rep_id]}]}),
    )
    async with (
        server.visitor(org, url=SITE + "/pricing") as first_tab,
        dana.socket() as dana_console,
        sam.socket() as sam_console,
    ):
        assert first_tab.welcome is not None
        vid, token = first_tab.welcome["visitor_id"], first_tab.welcome["token"]
        await first_tab.send({"type": "message", "client_id": "ask", "body": "Pricing question"})
        await first_tab.expect("ack", client_id="ask")
        await dana_console.expect("conversation.updated")
        # The visitor opens the careers page in a new tab, which alone would go to Sam.
        async with server.visitor(org, token=token, url=SITE + "/careers") as second_tab:
            assert second_tab.welcome is not None
            assert second_tab.welcome["conversation"]["status"] == "incoming"
            await second_tab.send({"type": "activity", "state": "idle"})
            # Dana, whose chat it is, follows the visitor in that tab too; Sam hears nothing.
            await dana_console.expect("visitor.updated", visitor_id=vid)
            await sam_console.send({"type": "ping"})
            await sam_console.expect("pong")
            assert vid not in str(sam_console.received)
