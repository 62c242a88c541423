"""Reps engage visitors first: pounce, invitations that expire, and AI auto pounce."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import OrgInfo, RepClient, Server

pytestmark = pytest.mark.asyncio


async def _visitor_id(visitor: Any) -> str:
    return str(visitor.welcome["visitor_id"])


async def test_a_rep_pounces_and_the_visitor_sees_it_and_replies(server: Server) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org, url="https://www.customer.example/pricing") as visitor:
        vid = await _visitor_id(visitor)
        status, body = await dana.request(
            "POST",
            f"/api/visitors/{vid}/conversations",
            {"client_id": "p1", "body": "Hi! Comparing plans?"},
        )
        assert status == 200
        pounce = await visitor.expect("message", message__author_kind="rep")
        assert pounce["message"]["author_name"] == "Dana Reyes"
        await visitor.send({"type": "message", "client_id": "v1", "body": "Yes, what about SSO?"})
        ack = await visitor.expect("ack", client_id="v1")
        assert ack["message"]["conversation_id"] == body["conversation_id"]
        status, again = await dana.request(
            "POST", f"/api/visitors/{vid}/conversations", {"client_id": "p2", "body": "Hello again"}
        )
        assert status == 409 and "open conversation" in again["error"]["message"]
    status, counts = await dana.request("GET", "/api/reports/proactive")
    row = counts["rows"][0]
    assert (row["pounce"], row["reply"]) == (1, 1)


async def test_nobody_pounces_on_a_visitor_another_rep_is_already_engaging(server: Server) -> None:
    org = await server.create_org()
    dana, sam = await server.rep(org, name="Dana"), await server.rep(org, name="Sam")
    async with server.visitor(org) as visitor:
        vid = await _visitor_id(visitor)
        status, _ = await dana.request(
            "POST", f"/api/visitors/{vid}/invitations", {"message": "Hi #first_name#!"}
        )
        assert status == 200
        status, body = await sam.request(
            "POST", f"/api/visitors/{vid}/conversations", {"client_id": "x", "body": "Hi"}
        )
        assert status == 409 and "open invitation" in body["error"]["message"]


async def test_cold_segments_and_the_repeat_interval_are_respected(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Competitors",
            "color": "#111111",
            "cold": True,
            "rules": {"conditions": [{"field": "page.url", "op": "contains", "value": "/compare"}]},
        },
    )
    assert status == 200
    async with server.visitor(org, url="https://www.customer.example/compare") as visitor:
        status, body = await admin.request(
            "POST",
            f"/api/visitors/{await _visitor_id(visitor)}/conversations",
            {"client_id": "c", "body": "Hi"},
        )
        assert status == 409 and "cold segment" in body["error"]["message"]
    async with server.visitor(org) as visitor:
        vid = await _visitor_id(visitor)
        status, _ = await admin.request(
            "POST", f"/api/visitors/{vid}/conversations", {"client_id": "a", "body": "Hi"}
        )
        assert status == 200
        status, conv = await admin.request("GET", "/api/conversations?box=active")
        await admin.request("POST", f"/api/conversations/{conv['conversations'][0]['id']}/end")
        status, body = await admin.request(
            "POST", f"/api/visitors/{vid}/conversations", {"client_id": "b", "body": "Hi again"}
        )
        assert status == 409 and "engaged recently" in body["error"]["message"]
        server.clock.advance(301)
        status, _ = await admin.request(
            "POST", f"/api/visitors/{vid}/conversations", {"client_id": "b", "body": "Hi again"}
        )
        assert status == 200


async def test_an_invitation_previews_its_variables_and_leaves_out_unknown_or_empty_ones(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(
        org, url="https://www.customer.example/pricing", title="Pricing | Acme"
    ) as visitor:
        vid = await _visitor_id(visitor)
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane Doe", "hash": None}
        )
        await visitor.expect("identified")
        status, preview = await dana.request(
            "POST",
            f"/api/visitors/{vid}/invitations/preview",
            {
                "message": "Hi #first_name#, I'm #rep_first_name#. Questions about #page_title# from #city#? (#company#) #nonsense#"
            },
        )
    assert status == 200
    # No city or company is known: "from #city#" and "(#company#)" are left out as a whole,
    # and the unknown #nonsense# vanishes.
    assert preview["message"] == "Hi Jane, I'm Dana. Questions about Pricing | Acme?"
    assert preview["unknown"] == ["nonsense"]
    status, empty = await dana.request(
        "POST",
        f"/api/visitors/{vid}/invitations/preview",
        {"message": "Hello #first_name#, #city#!"},
    )
    assert empty["message"] == "Hello Jane!"
    status, anonymous = await dana.request(
        "POST",
        f"/api/visitors/{vid}/invitations/preview",
        {"message": "Hi #name#, welcome from #country#."},
    )
    assert anonymous["message"] == "Hi Jane Doe, welcome."


async def _invite(
    server: Server,
    org: OrgInfo,
    rep: RepClient,
    visitor: Any,
    text: str = "Hi #first_name#! Can I help?",
) -> dict[str, Any]:
    status, body = await rep.request(
        "POST", f"/api/visitors/{await _visitor_id(visitor)}/invitations", {"message": text}
    )
    assert status == 200, body
    return body["invitation"]


async def test_an_unanswered_invitation_leaves_the_screen_two_minutes_after_it_was_shown(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org)
    async with server.visitor(org) as visitor:
        invitation = await _invite(server, org, dana, visitor)
        shown = await visitor.expect("invitation")
        assert shown["invitation"]["message"] == "Hi! Can I help?"
        server.clock.advance(30)  # it took the visitor's browser a while to put it on screen
        await visitor.send({"type": "invitation_shown", "invitation_id": invitation["id"]})
        on_screen = await visitor.expect("invitation", invitation__status="shown")
        assert on_screen["invitation"]["expires_at"] is not None
        server.clock.advance(119)
        await server.runtime.sweeper.run_due()
        server.clock.advance(1)
        await server.runtime.sweeper.run_due()
        gone = await visitor.expect("invitation_expired")
        assert gone["invitation_id"] == invitation["id"]
    status, counts = await dana.request("GET", "/api/reports/proactive")
    assert (counts["rows"][0]["invitation_sent"], counts["rows"][0]["invitation_expired"]) == (1, 1)


async def test_a_reply_to_an_invitation_goes_to_the_inviter_even_when_they_are_away(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam")
    async with server.visitor(org) as visitor:
        invitation = await _invite(server, org, dana, visitor, "Hi there! Want a quick tour?")
        await visitor.expect("invitation")
        status, _ = await dana.request("PATCH", "/api/me/status", {"availability": "away"})
        assert status == 200
        await visitor.send({"type": "invitation_shown", "invitation_id": invitation["id"]})
        server.clock.advance(60)
        await visitor.send({"type": "message", "client_id": "yes", "body": "Sure, show me"})
        ack = await visitor.expect("ack", client_id="yes")
        cid = ack["message"]["conversation_id"]
        assert ack["message"]["seq"] == 2  # the invitation itself is the first message
    status, body = await dana.request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["owner_rep_id"] == dana.rep_id
    assert (
        body["conversation"]["origin"] == "invitation"
        and body["conversation"]["status"] == "active"
    )
    assert [m["body"] for m in body["messages"]] == [
        "Hi there! Want a quick tour?",
        "Sure, show me",
    ]
    status, incoming = await sam.request("GET", "/api/conversations?box=incoming")
    assert cid not in [c["id"] for c in incoming["conversations"]]
    server.clock.advance(120)
    await server.runtime.sweeper.run_due()
    status, counts = await dana.request("GET", "/api/reports/proactive")
    row = counts["rows"][0]
    assert (
        row["invitation_sent"],
        row["invitation_accepted"],
        row["invitation_expired"],
        row["reply"],
    ) == (1, 1, 0, 1)


async def _enable_auto_pounce(server: Server, org: OrgInfo) -> RepClient:
    admin = await server.rep(org, role="admin", available=False)
    status, body = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"proactive": {"auto_pounce": True, "auto_pounce_after_seconds": 30}},
    )
    assert status == 200 and body["proactive"]["auto_pounce"] is True
    return admin


async def test_auto_pounce_alternates_between_available_reps_and_looks_like_the_rep(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await _enable_auto_pounce(server, org)
    dana, sam = await server.rep(org, name="Dana Reyes"), await server.rep(org, name="Sam Okafor")
    owners = []
    for n in range(4):
        async with server.visitor(
            org, url=f"https://www.customer.example/pricing?v={n}", title="Pricing"
        ) as visitor:
            server.clock.advance(30)
            await server.runtime.sweeper.run_due()
            greeting = await visitor.expect("message", message__author_kind="rep")
            assert (
                greeting["message"]["meta"] == {}
            )  # to the visitor it is simply the rep's message
            assert "plans" in greeting["message"]["body"]
            owners.append(greeting["message"]["author_rep_id"])
            status, body = await admin.request(
                "GET", f"/api/conversations/{greeting['message']['conversation_id']}"
            )
            assert body["messages"][0]["meta"]["auto_pounce"] is True  # reps see it marked
            assert body["conversation"]["origin"] == "auto_pounce"
        server.clock.advance(301)  # past the repeat interval for the next visitor's sake
    assert owners[0] != owners[1] and owners[1] != owners[2] and owners[2] != owners[3]
    assert set(owners) == {dana.rep_id, sam.rep_id}


async def test_switching_auto_pounce_on_considers_the_visitors_already_on_the_site(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org, url="https://www.customer.example/pricing") as browsing:
        server.clock.advance(120)  # browsing for two minutes while auto pounce is off
        async with server.visitor(org, url="https://www.customer.example/pricing?b") as newer:
            server.clock.advance(10)
            await _enable_auto_pounce(server, org)
            await server.runtime.sweeper.run_due()
            greeting = await browsing.expect("message", message__author_kind="rep")
            assert greeting["message"]["author_rep_id"] == dana.rep_id
            # The newer visitor has browsed 10 of the 30 seconds: greeted when they reach 30.
            await newer.send({"type": "ping"})
            await newer.expect("pong")
            assert not [f for f in newer.unread if f.get("type") == "message"]
            server.clock.advance(20)
            await server.runtime.sweeper.run_due()
            await newer.expect("message", message__author_kind="rep")


async def test_a_reply_to_an_auto_pounce_alerts_the_rep_and_a_missed_response_turns_it_off(
    server: Server,
) -> None:
    org = await server.create_org()
    await _enable_auto_pounce(server, org)
    dana = await server.rep(org, name="Dana Reyes")
    async with dana.socket() as console, server.visitor(org) as visitor:
        server.clock.advance(30)
        await server.runtime.sweeper.run_due()
        greeting = await visitor.expect("message", message__author_kind="rep")
        cid = greeting["message"]["conversation_id"]
        await visitor.send({"type": "message", "client_id": "r", "body": "Hi, yes actually"})
        await visitor.expect("ack")
        alert = await console.expect(
            "conversation.updated", conversation__id=cid, conversation__meta__visitor_replied=True
        )
        assert alert["conversation"]["meta"]["rep_timeout_at"] is not None
        server.clock.advance(59)
        await server.runtime.sweeper.run_due()
        status, me = await dana.request("GET", "/api/me")
        assert me["rep"]["auto_pounce_enabled"] is True
        server.clock.advance(1)
        await server.runtime.sweeper.run_due()
        changed = await console.expect("rep.changed", rep_id=dana.rep_id)
        assert changed["auto_pounce_enabled"] is False
        assert changed["auto_pounce_off_reason"].startswith("Missed response")
    status, counts = await dana.request("GET", "/api/reports/proactive")
    row = counts["rows"][0]
    assert (row["auto_pounce"], row["reply"], row["missed_response"]) == (1, 1, 1)


@pytest.mark.parametrize("action", ["spam", "no_response_needed", "reply"])
async def test_spam_no_response_needed_or_a_reply_clear_the_alert_without_a_miss(
    server: Server, action: str
) -> None:
    org = await server.create_org()
    await _enable_auto_pounce(server, org)
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor:
        server.clock.advance(30)
        await server.runtime.sweeper.run_due()
        cid = (await visitor.expect("message", message__author_kind="rep"))["message"][
            "conversation_id"
        ]
        await visitor.send({"type": "message", "client_id": "r", "body": "buy cheap watches"})
        await visitor.expect("ack")
        if action == "reply":
            status, _ = await dana.request(
                "POST",
                f"/api/conversations/{cid}/messages",
                {"client_id": "d", "body": "Hi! Dana here."},
            )
        else:
            status, _ = await dana.request(
                "POST", f"/api/conversations/{cid}/auto-pounce", {"action": action}
            )
        assert status == 200
        server.clock.advance(120)
        await server.runtime.sweeper.run_due()
    status, me = await dana.request("GET", "/api/me")
    assert me["rep"]["auto_pounce_enabled"] is True
    status, body = await dana.request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["status"] == ("ended" if action == "spam" else "active")
    status, counts = await dana.request("GET", "/api/reports/proactive")
    assert counts["rows"][0]["missed_response"] == 0


@pytest.mark.parametrize(
    ("action", "marker"),
    [
        ("spam", "Marked as spam by Dana Reyes: the chat was ended."),
        ("no_response_needed", "Marked “No response needed” by Dana Reyes."),
    ],
)
async def test_marking_a_reply_leaves_a_marker_in_the_transcript_that_only_reps_see(
    server: Server, action: str, marker: str
) -> None:
    org = await server.create_org()
    await _enable_auto_pounce(server, org)
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor:
        server.clock.advance(30)
        await server.runtime.sweeper.run_due()
        cid = (await visitor.expect("message", message__author_kind="rep"))["message"][
            "conversation_id"
        ]
        await visitor.send({"type": "message", "client_id": "r", "body": "buy cheap watches"})
        await visitor.expect("ack")
        status, _ = await dana.request(
            "POST", f"/api/conversations/{cid}/auto-pounce", {"action": action}
        )
        assert status == 200
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert not [
            f
            for f in visitor.received
            if f["type"] == "message" and "Marked" in f["message"]["body"]
        ]
    status, body = await dana.request("GET", f"/api/conversations/{cid}")
    last = body["messages"][-1]
    assert (last["author_kind"], last["internal"], last["body"]) == ("system", True, marker)


async def test_an_auto_pounce_nudges_once_when_the_visitor_does_not_reply(server: Server) -> None:
    org = await server.create_org()
    await _enable_auto_pounce(server, org)
    await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor:
        server.clock.advance(30)
        await server.runtime.sweeper.run_due()
        await visitor.expect("message", message__author_kind="rep")
        server.clock.advance(45)
        await server.runtime.sweeper.run_due()
        nudge = await visitor.expect("message", message__author_kind="rep")
        assert nudge["message"]["body"].startswith("Still around")
        server.clock.advance(600)
        await server.runtime.sweeper.run_due()
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert len([f for f in visitor.received if f["type"] == "message"]) == 2
