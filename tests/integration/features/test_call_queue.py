"""The voice call queue (issue 15): "Call us" in the messenger for the segments an admin picks;
the call rings every rep routed to the visitor who allows voice; the first answer wins, across
server processes; the others see it go; unanswered, it ends as missed and the chat goes the
offline/meeting way. (Media: tests/e2e/test_call_queue_e2e.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from frontdesk.transport.frames import VISITOR_FRAME_MAX_BYTES
from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, Socket, running_server

pytestmark = pytest.mark.asyncio

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


async def _offer_queue(server: Server, org: OrgInfo, timeout: int = 30) -> RepClient:
    """An admin offers "Call us" to everyone (the catch-all segment)."""
    admin = await server.rep(org, role="admin", available=False)
    status, body = await admin.request("GET", "/api/segments")
    assert status == 200
    everyone = next(s["id"] for s in body["segments"] if s["name"] == "Everyone else")
    status, body = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"calls": {"queue_segment_ids": [everyone], "queue_timeout_seconds": timeout}},
    )
    assert status == 200, body
    assert body["calls"]["queue_timeout_seconds"] == timeout
    return admin


async def _call_us(visitor: Socket) -> str:
    assert visitor.welcome["config"]["call_queue"] is True  # type: ignore[index]
    await visitor.send({"type": "call_queue", "tab_id": "tab"})
    ice = await visitor.expect("call_ice")
    queued = await visitor.expect("call", call__state="requested")
    assert queued["call"]["queued"] is True and queued["call"]["rep"] is None
    return str(ice["call_id"])


async def test_three_reps_ring_two_answer_at_the_same_moment_and_exactly_one_gets_the_call(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    reps = [await server.rep(org, name=n) for n in ("Dana Reyes", "Sam Okafor", "Lee Park")]
    async with (
        reps[0].socket() as a,
        reps[1].socket() as b,
        reps[2].socket() as c,
        server.visitor(org) as visitor,
    ):
        call_id = await _call_us(visitor)
        for console in (a, b, c):
            ringing = await console.expect("call", call__id=call_id, call__state="requested")
            assert ringing["call"]["queued"] is True
        # Two answer at the same moment.
        await asyncio.gather(
            a.send({"type": "call_pickup", "call_id": call_id, "leg": "a"}),
            b.send({"type": "call_pickup", "call_id": call_id, "leg": "b"}),
        )
        outcomes: dict[str, Any] = {}
        for name, console in (("a", a), ("b", b)):
            frame = await _first_of(console, ("call_ice", "error"))
            outcomes[name] = frame
        winners = [n for n, f in outcomes.items() if f["type"] == "call_ice"]
        losers = [n for n, f in outcomes.items() if f["type"] == "error"]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        refused = outcomes[losers[0]]
        assert refused["code"] == "conflict"
        assert refused["message"] == "already answered: another rep took this call first"
        winner = reps[0] if winners[0] == "a" else reps[1]
        # Everyone it rang sees who took it (the console takes it off the queue).
        for console in (a, b, c):
            taken = await console.expect("call", call__id=call_id, call__state="connecting")
            assert taken["call"]["rep"]["id"] == winner.rep_id
            assert taken["call"]["queued"] is False
        connecting = await visitor.expect("call", call__state="connecting")
        assert connecting["call"]["rep"]["id"] == winner.rep_id
        # The winner has the chat; signalling goes between the winner and the visitor only.
        winner_console = a if winner is reps[0] else b
        loser_console = b if winner is reps[0] else a
        await winner_console.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
        assert (await visitor.expect("call_offer"))["sdp"] == OFFER
        await loser_console.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
        assert (await loser_console.expect("error"))["message"] == "call not found"
        # The third rep answering late is refused the same way.
        await c.send({"type": "call_pickup", "call_id": call_id, "leg": "c"})
        assert (await c.expect("error"))["message"].startswith("already answered")
    status, chat = await winner.request(
        "GET", f"/api/conversations/{connecting['call']['conversation_id']}"
    )
    assert status == 200
    assert (chat["conversation"]["status"], chat["conversation"]["owner_rep_id"]) == (
        "active",
        winner.rep_id,
    )


async def _first_of(sock: Socket, types: tuple[str, ...], timeout: float = 5.0) -> dict[str, Any]:
    """The first frame of one of these types not yet taken (other frames stay unread)."""

    def take(frame: dict[str, Any]) -> dict[str, Any] | None:
        inner = frame["events"] if frame.get("type") == "batch" else [frame]
        return next((f for f in inner if f.get("type") in types), None)

    for index, frame in enumerate(sock.unread):
        found = take(frame)
        if found is not None:
            del sock.unread[index]
            return found
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = await sock.next_frame(max(0.01, deadline - loop.time()))
        found = take(frame)
        if found is not None:
            return found
        sock.unread.append(frame)


async def test_two_answers_on_two_server_processes_one_gets_the_call(
    postgres_redis_backend: Backend,
) -> None:
    """Two servers on one PostgreSQL and Redis (as two processes behind a load balancer): each
    rep's answer reaches another server; the row decides, exactly one rep gets the call."""
    b = postgres_redis_backend
    async with (
        running_server(b.database_url, b.bus_url, b.namespace) as one,
        running_server(b.database_url, b.bus_url, b.namespace) as two,
    ):
        org = await one.create_org()
        await _offer_queue(one, org)
        dana = await one.rep(org, name="Dana Reyes")
        sam = await two.sign_in(await two.create_rep(org, name="Sam Okafor"))
        status, _ = await sam.request("PATCH", "/api/me/status", {"availability": "available"})
        assert status == 200
        for _ in range(5):
            async with dana.socket() as a, sam.socket() as s, one.visitor(org) as visitor:
                call_id = await _call_us(visitor)
                await a.expect("call", call__id=call_id, timeout=10)
                await s.expect("call", call__id=call_id, timeout=10)
                await asyncio.gather(
                    a.send({"type": "call_pickup", "call_id": call_id, "leg": "a"}),
                    s.send({"type": "call_pickup", "call_id": call_id, "leg": "s"}),
                )
                got = [await _first_of(x, ("call_ice", "error"), 10) for x in (a, s)]
                assert sorted(f["type"] for f in got) == ["call_ice", "error"], got
                await visitor.expect("call", call__state="connecting", timeout=10)
                await visitor.send({"type": "call_hangup", "call_id": call_id})
                await visitor.expect("call", call__state="ended", timeout=10)
            # Each round's chat ends, so the next "Call us" opens a new one.
            winner = dana if got[0]["type"] == "call_ice" else sam
            status, mine = await winner.request("GET", "/api/conversations?box=active")
            for conversation in mine["conversations"]:
                if conversation["status"] == "active":
                    await winner.request("POST", f"/api/conversations/{conversation['id']}/end")


async def test_a_rep_declines_a_queued_call_for_everyone_and_the_caller_gets_the_offline_form(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    async with dana.socket() as a, sam.socket() as b, server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        for console in (a, b):
            await console.expect("call", call__id=call_id, call__state="requested")
        await a.send({"type": "call_decline", "call_id": call_id})
        # Every console it rang sees it go; nobody holds it.
        for console in (a, b):
            gone = await console.expect("call", call__id=call_id, call__state="ended")
            assert (gone["call"]["end_reason"], gone["call"]["rep"]) == ("declined", None)
            assert gone["call"]["queued"] is False
        ended = await visitor.expect("call", call__state="ended")
        assert (ended["call"]["end_reason"], ended["call"]["end_detail"]) == (
            "declined",
            "declined by Dana Reyes",
        )
        await visitor.expect(
            "message", message__body="Voice call from the visitor: declined by Dana Reyes."
        )
        await visitor.expect(
            "message", message__body="Sorry, nobody could take your call right now."
        )
        offline = await visitor.expect("conversation", conversation__offline=True)
        assert offline["conversation"]["status"] == "incoming"
        # Too late for the others: answering or declining it is refused.
        await b.send({"type": "call_pickup", "call_id": call_id, "leg": "b"})
        assert (await b.expect("error"))["message"] == "this call has ended"
        await b.send({"type": "call_decline", "call_id": call_id})
        assert (await b.expect("error"))["message"] == "this call has ended"
        # A reloaded console does not ring for it any more.
        async with sam.socket() as again:
            await again.send({"type": "ping"})
            await again.expect("pong")
            assert [f for f in again.received if f.get("type") == "call"] == []


async def test_a_decline_and_an_answer_at_the_same_moment_exactly_one_wins(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    async with dana.socket() as a, sam.socket() as b, server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        for console in (a, b):
            await console.expect("call", call__id=call_id)
        await asyncio.gather(
            a.send({"type": "call_decline", "call_id": call_id}),
            b.send({"type": "call_pickup", "call_id": call_id, "leg": "b"}),
        )
        answered = await _first_of(b, ("call_ice", "error"))
        final = await visitor.expect("call")
        while final["call"]["state"] == "requested":
            final = await visitor.expect("call")
        if answered["type"] == "call_ice":
            assert final["call"]["state"] == "connecting"
            assert (await a.expect("error"))["message"].startswith("already answered")
        else:
            assert answered["message"] == "this call has ended"
            assert final["call"]["end_reason"] == "declined"


async def test_a_rep_the_queued_call_does_not_ring_cannot_decline_it(server: Server) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    await server.rep(org)
    away = await server.rep(org, available=False)
    other_org = await server.create_org("Globex")
    outsider = await server.rep(other_org)
    async with away.socket() as w, outsider.socket() as o, server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        for console in (w, o):
            await console.send({"type": "call_decline", "call_id": call_id})
            assert (await console.expect("error"))["message"] == "call not found"
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert [f for f in visitor.received if (f.get("call") or {}).get("state") == "ended"] == []


async def test_only_reps_routed_to_the_visitor_who_allow_voice_and_are_available_ring(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    ringing = await server.rep(org)
    no_voice = await server.rep(org)
    status, _ = await no_voice.request("PATCH", "/api/me/status", {"voice_video_enabled": False})
    assert status == 200
    away = await server.rep(org, available=False)
    other_org = await server.create_org("Globex")
    outsider = await server.rep(other_org)
    async with (
        ringing.socket() as r,
        no_voice.socket() as n,
        away.socket() as w,
        outsider.socket() as o,
        server.visitor(org) as visitor,
    ):
        call_id = await _call_us(visitor)
        await r.expect("call", call__id=call_id)
        # Nobody else rings, and nobody else may answer.
        for console in (n, w, o):
            await console.send({"type": "call_pickup", "call_id": call_id, "leg": "x"})
            assert (await console.expect("error"))["message"] == "call not found"
            assert [f for f in console.received if f.get("type") == "call"] == []
        # A reload of the ringing rep's console shows the call still waiting.
        async with ringing.socket() as again:
            assert (await again.expect("call", call__id=call_id))["call"]["queued"] is True


async def test_nobody_answers_the_call_ends_missed_and_the_chat_offers_the_offline_form(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org, timeout=20)
    rep = await server.rep(org, name="Dana Reyes")
    async with rep.socket() as console, server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        await console.expect("call", call__id=call_id)
        for _ in range(5):  # the visitor holds: keepalives every 5 s
            server.clock.advance(5)  # type: ignore[attr-defined]
            await visitor.send({"type": "call_keepalive", "call_id": call_id})
            await visitor.send({"type": "ping"})
            await visitor.expect("pong")
            await server.runtime.sweeper.run_due()
        ended = await visitor.expect("call", call__state="ended")
        assert (ended["call"]["end_reason"], ended["call"]["end_detail"]) == (
            "missed",
            "nobody answered in time",
        )
        gone = await console.expect("call", call__id=call_id, call__state="ended")
        assert gone["call"]["end_reason"] == "missed"
        await visitor.expect(
            "message",
            message__body="Voice call from the visitor: not answered (nobody answered in time).",
        )
        offline = await visitor.expect("conversation", conversation__offline=True)
        assert offline["conversation"]["status"] == "incoming"
        await visitor.expect("message", message__author_kind="bot")
        await console.send({"type": "call_pickup", "call_id": call_id, "leg": "c"})
        assert (await console.expect("error"))["message"] == "this call has ended"


async def test_with_a_booker_the_missed_call_offers_a_meeting(server: Server) -> None:
    org = await server.create_org()
    admin = await _offer_queue(server, org, timeout=10)
    status, body = await admin.request(
        "POST",
        "/api/meeting-types",
        {"name": "Intro call", "duration_minutes": 30, "member_rep_ids": [admin.rep_id]},
    )
    assert status == 200, body
    type_id = body["id"]
    status, experiences = await admin.request("GET", "/api/experiences")
    default = experiences["experiences"][0]["id"]
    status, body = await admin.request(
        "PATCH", f"/api/experiences/{default}", {"booker_meeting_type_id": type_id}
    )
    assert status == 200, body
    await server.rep(org)
    async with server.visitor(org) as visitor:
        await _call_us(visitor)
        server.clock.advance(11)  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        ended = await visitor.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "missed"
        await visitor.expect(
            "message", message__body="Sorry, nobody could take your call right now."
        )
        booker = await visitor.expect("message", message__author_kind="bot")
        assert booker["message"]["body"].startswith("Book a meeting: **Intro call**")


async def test_with_nobody_to_take_calls_the_call_is_missed_at_once(server: Server) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "call_queue", "tab_id": "tab"})
        await visitor.expect("call_ice")
        ended = await visitor.expect("call", call__state="ended")
        assert ended["call"]["end_detail"] == "nobody who takes calls was available"
        await visitor.expect("conversation", conversation__offline=True)


async def test_the_visitor_hangs_up_on_hold_and_the_ringing_consoles_see_it_go(
    server: Server,
) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    rep = await server.rep(org)
    async with rep.socket() as console, server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        await console.expect("call", call__id=call_id)
        await visitor.send({"type": "call_hangup", "call_id": call_id})
        gone = await console.expect("call", call__id=call_id, call__state="ended")
        assert gone["call"]["end_reason"] == "ended_by_visitor"


async def test_call_us_is_offered_only_to_the_segments_the_admin_picked(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as visitor:
        assert visitor.welcome["config"]["call_queue"] is False  # type: ignore[index]
        await visitor.send({"type": "call_queue", "tab_id": "tab"})
        refused = await visitor.expect("error")
        assert refused["code"] == "conflict" and "not offered" in refused["message"]
    # Another org's segment is refused, and so is a timeout out of range.
    other = await server.create_org("Globex")
    other_admin = await server.rep(other, role="admin")
    _, segments = await other_admin.request("GET", "/api/segments")
    status, body = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"calls": {"queue_segment_ids": [segments["segments"][0]["id"]]}},
    )
    assert status == 422 and "segment not found" in body["error"]["message"]
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"calls": {"queue_timeout_seconds": 5}}
    )
    assert status == 422


async def test_call_us_is_rate_limited_and_size_limited(server: Server) -> None:
    org = await server.create_org()
    await _offer_queue(server, org)
    await server.rep(org)
    async with server.visitor(org) as visitor:
        call_id = await _call_us(visitor)
        # A second "Call us" while one is queued is refused; past 3 a minute, rate limited.
        await visitor.send({"type": "call_queue", "tab_id": "tab"})
        assert (await visitor.expect("error"))["message"] == "this chat already has a call"
        await visitor.send({"type": "call_hangup", "call_id": call_id})
        await visitor.expect("call", call__state="ended")
        await visitor.send({"type": "call_queue", "tab_id": "tab"})
        await visitor.expect("call_ice")
        await visitor.send({"type": "call_queue", "tab_id": "tab"})
        limited = await visitor.expect("error", code="rate_limited")
        assert "call queue" in limited["message"].replace("_", " ")
        big = {"type": "call_queue", "tab_id": "t" * VISITOR_FRAME_MAX_BYTES["call_queue"]}
        await visitor.send(big)
        assert (await visitor.expect("error", code="too_large"))["code"] == "too_large"


# ---- transfer during a call ------------------------------------------------------------------


async def test_on_a_call_one_click_hands_the_reps_other_chats_to_available_colleagues(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    lee = await server.rep(org, name="Lee Park")
    away = await server.rep(org, name="Away Rep", available=False)
    other_org = await server.create_org("Globex")
    outsider = await server.rep(other_org, name="Outsider")
    async with (
        dana.socket() as console,
        server.visitor(org) as caller,
        server.visitor(org) as second,
        server.visitor(org) as third,
    ):
        chats = []
        for n, visitor in enumerate((caller, second, third)):
            await visitor.send({"type": "message", "client_id": f"v{n}", "body": "Hi"})
            cid = (await visitor.expect("ack", client_id=f"v{n}"))["message"]["conversation_id"]
            status, _ = await dana.request("POST", f"/api/conversations/{cid}/accept")
            assert status == 200
            chats.append(cid)
        # Not on a call yet: refused, nothing moves.
        status, body = await dana.request("POST", "/api/calls/transfer-other-chats")
        assert status == 409 and "not on a call" in body["error"]["message"]
        await console.send(
            {"type": "call_start", "conversation_id": chats[0], "media": "audio", "leg": "c"}
        )
        await console.expect("call_ice")
        status, body = await dana.request("POST", "/api/calls/transfer-other-chats")
        assert status == 200, body
        moved = {t["conversation_id"]: t["to_rep"]["id"] for t in body["transferred"]}
        assert set(moved) == {chats[1], chats[2]} and body["kept"] == []
        # Spread out: one each to Sam and Lee, none to the rep who is away or another org's.
        assert sorted(moved.values()) == sorted([sam.rep_id, lee.rep_id])
        assert away.rep_id not in moved.values() and outsider.rep_id not in moved.values()
        # The visitors are told; the call's chat stays with Dana.
        names = {sam.rep_id: "Sam Okafor", lee.rep_id: "Lee Park"}
        for visitor, cid in ((second, chats[1]), (third, chats[2])):
            told = await visitor.expect(
                "message", message__body=f"You're now chatting with {names[moved[cid]]}."
            )
            assert told["message"]["author_kind"] == "system"
        status, chat = await dana.request("GET", f"/api/conversations/{chats[0]}")
        assert chat["conversation"]["owner_rep_id"] == dana.rep_id
        status, chat = await sam.request("GET", f"/api/conversations/{chats[1]}")
        assert status == 200 and chat["conversation"]["owner_rep_id"] in (sam.rep_id, lee.rep_id)
