"""Voice and video calls (issue 15): the call record, its states and end reasons, signalling
relayed only between the two sides of a call in its org, liveness, and per-call TURN
credentials. Media itself is the browsers' (tests/e2e/test_calls_e2e.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

from frontdesk.features.calls.events import MAX_SDP_CHARS
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.webhooks.service import chat_end_payload
from frontdesk.transport.frames import VISITOR_FRAME_MAX_BYTES
from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, Socket, running_server

pytestmark = pytest.mark.asyncio

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def _chat(rep: RepClient, visitor: Socket) -> str:
    await visitor.send({"type": "message", "client_id": "v", "body": "Can we talk?"})
    cid = (await visitor.expect("ack", client_id="v"))["message"]["conversation_id"]
    status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    return str(cid)


async def _ring(console: Socket, visitor: Socket, cid: str, media: str = "video") -> str:
    """The rep calls; the visitor's messenger rings. Returns the call id."""
    await console.send({"type": "call_start", "conversation_id": cid, "media": media, "leg": "c1"})
    ice = await console.expect("call_ice")
    requested = await visitor.expect("call", call__state="requested")
    assert requested["call"]["id"] == ice["call_id"]
    assert requested["call"]["rep"]["name"]  # the visitor sees who calls
    await visitor.send({"type": "call_ringing", "call_id": ice["call_id"]})
    await console.expect("call", call__state="ringing")
    return str(ice["call_id"])


async def _join(console: Socket, visitor: Socket, call_id: str) -> None:
    """The visitor joins; offer, answer and candidates go across; media flows."""
    await visitor.send({"type": "call_accept", "call_id": call_id, "media": "audio", "tab_id": "t"})
    await visitor.expect("call_ice", call_id=call_id)
    await console.expect("call", call__state="connecting")
    await console.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
    assert (await visitor.expect("call_offer"))["sdp"] == OFFER
    await visitor.send({"type": "call_answer", "call_id": call_id, "sdp": ANSWER})
    assert (await console.expect("call_answer"))["sdp"] == ANSWER
    await console.send({"type": "call_candidate", "call_id": call_id, "candidate": CANDIDATE})
    assert (await visitor.expect("call_candidate"))["candidate"]["candidate"] == CANDIDATE[
        "candidate"
    ]
    await visitor.send({"type": "call_candidate", "call_id": call_id, "candidate": CANDIDATE})
    await console.expect("call_candidate", call_id=call_id)
    await visitor.send({"type": "call_connected", "call_id": call_id})
    await console.expect("call", call__state="active")
    await visitor.expect("call", call__state="active")


def _call_frames(sock: Socket) -> list[dict[str, Any]]:
    return [f for f in sock.received if str(f.get("type", "")).startswith("call")]


async def test_a_rep_calls_a_visitor_who_joins_and_either_side_ends_it_for_both(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor, rep.socket() as console:
        cid = await _chat(rep, visitor)
        call_id = await _ring(console, visitor, cid)
        await _join(console, visitor, call_id)
        await visitor.send({"type": "call_media", "call_id": call_id, "mic": False, "camera": True})
        media = await console.expect("call_media", call_id=call_id)
        assert (media["mic"], media["camera"], media["screen"]) == (False, True, False)
        server.clock.advance(75)  # type: ignore[attr-defined]
        await visitor.send({"type": "call_hangup", "call_id": call_id})
        ended = await console.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "ended_by_visitor"
        assert ended["call"]["duration_seconds"] == 75
        await visitor.expect("call", call__state="ended")
        line = await visitor.expect(
            "message", message__body="Video call with Dana Reyes, 1 min 15 s, ended by the visitor."
        )
        assert line["message"]["author_kind"] == "system"
        assert line["message"]["meta"] == {}  # the call's details are for reps
    status, transcript = await rep.request("GET", f"/api/conversations/{cid}")
    note = transcript["messages"][-1]
    assert note["meta"]["call"]["duration_seconds"] == 75
    assert note["meta"]["call"]["started_at"]


async def test_the_rep_ends_the_call_and_the_visitor_hears_it(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        call_id = await _ring(console, visitor, await _chat(rep, visitor))
        await _join(console, visitor, call_id)
        await console.send({"type": "call_hangup", "call_id": call_id})
        ended = await visitor.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "ended_by_rep"


async def test_the_visitor_declines_and_nothing_of_theirs_was_asked_for(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        call_id = await _ring(console, visitor, await _chat(rep, visitor))
        await visitor.send({"type": "call_decline", "call_id": call_id})
        ended = await console.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "declined"
        assert ended["call"]["visitor_media"] is None and ended["call"]["visitor_leg"] is None
        # A late offer for the ended call is refused.
        await console.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
        error = await console.expect("error")
        assert error["code"] == "conflict" and "ended" in error["message"]


async def test_signalling_for_another_orgs_or_another_chats_call_is_refused_and_a_rep_not_on_the_call_receives_none_of_its_frames(
    server: Server,
) -> None:
    acme, globex = await server.create_org("Acme"), await server.create_org("Globex")
    rep = await server.rep(acme)
    colleague = await server.rep(acme)
    admin = await server.rep(acme, role="admin")
    outsider = await server.rep(globex)
    async with (
        server.visitor(acme) as visitor,
        server.visitor(acme) as other_visitor,
        server.visitor(globex) as foreign_visitor,
        rep.socket() as console,
        colleague.socket() as colleague_console,
        admin.socket() as admin_console,
        outsider.socket() as outsider_console,
    ):
        cid = await _chat(rep, visitor)
        call_id = await _ring(console, visitor, cid)
        await _chat(colleague, other_visitor)
        # Another chat's visitor, another org's visitor, a colleague, an admin and another
        # org's rep: every call frame about this call is refused as not found.
        attempts: list[tuple[Socket, dict[str, Any]]] = [
            (other_visitor, {"type": "call_accept", "media": "video", "tab_id": "x"}),
            (other_visitor, {"type": "call_answer", "sdp": ANSWER}),
            (foreign_visitor, {"type": "call_candidate", "candidate": CANDIDATE}),
            (foreign_visitor, {"type": "call_hangup"}),
            (colleague_console, {"type": "call_offer", "sdp": OFFER}),
            (colleague_console, {"type": "call_hangup"}),
            (admin_console, {"type": "call_accept", "allow": "video", "leg": "a"}),
            (admin_console, {"type": "call_media", "mic": True, "camera": True}),
            (outsider_console, {"type": "call_candidate", "candidate": CANDIDATE}),
            (outsider_console, {"type": "call_keepalive"}),
        ]
        for sock, frame in attempts:
            await sock.send({**frame, "call_id": call_id})
            error = await sock.expect("error")
            assert (error["code"], error["message"]) == ("not_found", "call not found"), frame
        # Nor may another rep call this chat's visitor.
        await colleague_console.send(
            {"type": "call_start", "conversation_id": cid, "media": "audio", "leg": "x"}
        )
        assert (await colleague_console.expect("error"))["code"] in ("not_found", "conflict")
        # The call goes on: join, relay, end.
        await _join(console, visitor, call_id)
        await console.send({"type": "call_hangup", "call_id": call_id})
        await visitor.expect("call", call__state="ended")
        # A ping answered after all of it: nobody else got a single call frame.
        for sock in (colleague_console, admin_console, outsider_console):
            await sock.send({"type": "ping"})
            await sock.expect("pong")
            assert _call_frames(sock) == [], sock.received
        for sock in (other_visitor, foreign_visitor):
            await sock.send({"type": "ping"})
            await sock.expect("pong")
            assert _call_frames(sock) == []


async def test_a_call_rings_unanswered_and_ends_as_missed(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor, rep.socket() as console:
        call_id = await _ring(console, visitor, await _chat(rep, visitor))
        for _ in range(5):  # the rep's console is still there
            server.clock.advance(10)  # type: ignore[attr-defined]
            await console.send({"type": "call_keepalive", "call_id": call_id})
            await console.send({"type": "ping"})
            await console.expect("pong")
            await server.runtime.sweeper.run_due()
        ended = await visitor.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "missed"
        await visitor.expect("message", message__body="Video call with Dana Reyes: not answered.")


async def test_a_call_whose_visitor_vanishes_ends_within_the_grace_period(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console:
        async with server.visitor(org) as visitor:
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)
        # The visitor's tab is gone (no re-join); the rep's console keeps sending keepalives.
        grace = server.settings.call_grace_seconds
        for _ in range(int(grace // 5) + 1):
            server.clock.advance(5)  # type: ignore[attr-defined]
            await console.send({"type": "call_keepalive", "call_id": call_id})
            await console.send({"type": "ping"})
            await console.expect("pong")
            await server.runtime.sweeper.run_due()
        ended = await console.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "failed"
        assert ended["call"]["end_detail"] == "the visitor's browser went away"


async def test_a_visitor_who_reloads_rejoins_the_same_call_and_the_rep_is_told_to_offer_again(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console:
        async with server.visitor(org) as visitor:
            token = visitor.welcome["token"]  # type: ignore[index]
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)
        async with server.visitor(org, token=token, resumed=False) as again:
            live = again.welcome["call"]  # type: ignore[index]
            assert (live["id"], live["state"]) == (call_id, "active")
            await again.send({"type": "call_rejoin", "call_id": call_id, "tab_id": "t"})
            ice = await again.expect("call_ice")
            assert ice["call_id"] == call_id
            await console.expect("call_rejoined", call_id=call_id)
            await console.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
            assert (await again.expect("call_offer"))["sdp"] == OFFER


async def test_a_rep_who_reloads_rejoins_the_same_call_from_the_same_tab_and_offers_again(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        async with rep.socket() as console:
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)
        # The console loads again: its hello lists the call, held by this tab's leg ("c1").
        async with rep.socket() as again:
            live = await again.expect("call", call__id=call_id)
            assert (live["call"]["state"], live["call"]["rep_leg"]) == ("active", "c1")
            await again.send({"type": "call_rejoin", "call_id": call_id, "leg": "c1"})
            ice = await again.expect("call_ice")
            assert ice["call_id"] == call_id
            # The same call, still active (connected_at kept); the visitor does nothing but
            # answer the new offer of the new peer connection.
            state = await visitor.expect("call", call__id=call_id, call__state="active")
            assert state["call"]["rep_leg"] == "c1" and state["call"]["connected_at"]
            await again.send({"type": "call_offer", "call_id": call_id, "sdp": OFFER})
            assert (await visitor.expect("call_offer"))["sdp"] == OFFER
            await visitor.send({"type": "call_answer", "call_id": call_id, "sdp": ANSWER})
            assert (await again.expect("call_answer"))["sdp"] == ANSWER


async def test_the_grace_period_runs_from_the_reps_rejoin_not_from_the_reload(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    grace = int(server.settings.call_grace_seconds)

    async def seconds_pass(seconds: int, *alive: Socket) -> None:
        for _ in range(seconds // 5):
            server.clock.advance(5)  # type: ignore[attr-defined]
            for sock in alive:
                await sock.send({"type": "call_keepalive", "call_id": call_id})
                await sock.send({"type": "ping"})
                await sock.expect("pong")
            await server.runtime.sweeper.run_due()

    async with server.visitor(org) as visitor:
        async with rep.socket() as console:
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)
        # The console is away (loading again) for most of the grace period; only the
        # visitor's keepalives come (no media reaches them meanwhile).
        await seconds_pass(grace - 5, visitor)
        async with rep.socket() as again:
            await again.send({"type": "call_rejoin", "call_id": call_id, "leg": "c1"})
            await again.expect("call_ice")
            # Well past the grace period counted from before the reload: still live.
            await seconds_pass(grace, visitor, again)
            assert not [
                f for f in visitor.received if (f.get("call") or {}).get("state") == "ended"
            ]
        # The console goes for good this time: the call ends after the grace period.
        await seconds_pass(grace + 5, visitor)
        ended = await visitor.expect("call", call__state="ended")
        assert ended["call"]["end_detail"] == "the rep's console went away"


async def test_a_second_console_tab_takes_the_call_only_when_the_rep_moves_it_there(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    other = await server.rep(org)
    async with (
        server.visitor(org) as visitor,
        rep.socket() as first,
        rep.socket() as second,
        other.socket() as stranger,
    ):
        call_id = await _ring(first, visitor, await _chat(rep, visitor))
        await _join(first, visitor, call_id)
        # Another tab (another leg) joining by itself is refused: the call stays where it is.
        await second.send({"type": "call_rejoin", "call_id": call_id, "leg": "c2"})
        refused = await second.expect("error")
        assert refused["code"] == "conflict" and "another window" in refused["message"]
        # The rep moves it there: both tabs hear the new leg (the first lets go of it).
        await second.send({"type": "call_rejoin", "call_id": call_id, "leg": "c2", "move": True})
        assert (await second.expect("call_ice"))["call_id"] == call_id
        moved = await first.expect("call", call__id=call_id, call__rep_leg="c2")
        assert moved["call"]["state"] == "active"
        # Another rep cannot take it, moving or not.
        await stranger.send({"type": "call_rejoin", "call_id": call_id, "leg": "x", "move": True})
        assert (await stranger.expect("error"))["message"] == "call not found"
        await visitor.send({"type": "call_hangup", "call_id": call_id})
        await second.expect("call", call__state="ended")
        # An ended call cannot be joined again.
        await second.send({"type": "call_rejoin", "call_id": call_id, "leg": "c2"})
        assert (await second.expect("error"))["message"] == "this call has ended"


async def test_a_visitors_request_the_rep_has_not_allowed_cannot_be_rejoined(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request(
        "PATCH", "/api/org/settings", {"calls": {"visitor_initiated": True}}
    )
    assert status == 200
    async with server.visitor(org) as visitor, rep.socket() as console:
        await _chat(rep, visitor)
        await visitor.send({"type": "call_request", "media": "audio", "tab_id": "t"})
        call_id = (await visitor.expect("call_ice"))["call_id"]
        await console.send({"type": "call_rejoin", "call_id": call_id, "leg": "c", "move": True})
        assert (await console.expect("error"))["message"] == "the call is not joined yet"
        # A leg over 64 characters is refused before anything is read.
        await console.send({"type": "call_rejoin", "call_id": call_id, "leg": "x" * 65})
        assert (await console.expect("error"))["code"] == "invalid_frame"


async def test_a_visitor_asks_for_a_call_only_when_allowed_and_the_rep_allows_audio_only(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as visitor, rep.socket() as console:
        assert visitor.welcome["config"]["visitor_calls"] is False  # type: ignore[index]
        await _chat(rep, visitor)
        await visitor.send({"type": "call_request", "media": "video", "tab_id": "t"})
        refused = await visitor.expect("error")
        assert refused["code"] == "conflict" and "not switched on" in refused["message"]
        status, body = await admin.request(
            "PATCH", "/api/org/settings", {"calls": {"visitor_initiated": True}}
        )
        assert status == 200 and body["calls"] == {"visitor_initiated": True}
    async with server.visitor(org) as visitor, rep.socket() as console:
        assert visitor.welcome["config"]["visitor_calls"] is True  # type: ignore[index]
        await _chat(rep, visitor)
        await visitor.send({"type": "call_request", "media": "video", "tab_id": "t"})
        ice = await visitor.expect("call_ice")
        asked = await console.expect("call", call__state="requested")
        assert asked["call"]["initiated_by"] == "visitor"
        await console.send(
            {"type": "call_accept", "call_id": ice["call_id"], "allow": "audio", "leg": "c"}
        )
        await console.expect("call_ice", call_id=ice["call_id"])
        connecting = await visitor.expect("call", call__state="connecting")
        assert connecting["call"]["visitor_media"] == "audio"


async def test_a_rep_who_does_not_allow_voice_and_video_cannot_call(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    status, _ = await rep.request("PATCH", "/api/me/status", {"voice_video_enabled": False})
    assert status == 200
    async with server.visitor(org) as visitor, rep.socket() as console:
        cid = await _chat(rep, visitor)
        await console.send(
            {"type": "call_start", "conversation_id": cid, "media": "audio", "leg": "c"}
        )
        error = await console.expect("error")
        assert "Allow voice and video" in error["message"]


async def test_one_live_call_per_chat(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        cid = await _chat(rep, visitor)
        await _ring(console, visitor, cid)
        await console.send(
            {"type": "call_start", "conversation_id": cid, "media": "audio", "leg": "c"}
        )
        error = await console.expect("error")
        assert error["message"] == "this chat already has a call"


async def test_block_and_report_ends_the_call_at_once(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        call_id = await _ring(console, visitor, await _chat(rep, visitor))
        await _join(console, visitor, call_id)
        status, _ = await rep.request(
            "POST",
            f"/api/visitors/{visitor.welcome['visitor_id']}/block",  # type: ignore[index]
            {"report": True, "reason": "abusive"},
        )
        assert status == 200
        ended = await console.expect("call", call__state="ended")
        assert ended["call"]["end_reason"] == "blocked"


async def test_calls_appear_in_visitor_360_and_the_chat_end_webhook(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        cid = await _chat(rep, visitor)
        call_id = await _ring(console, visitor, cid)
        await _join(console, visitor, call_id)
        status, v360 = await rep.request(
            "GET",
            f"/api/visitors/{visitor.welcome['visitor_id']}",  # type: ignore[index]
        )
        assert status == 200 and [c["state"] for c in v360["calls"]] == ["active"]
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/end")
        assert status == 200
        await visitor.expect("call", call__state="ended")
        async with server.runtime.uow() as work:
            conversation = await work.session.get(Conversation, cid)
            assert conversation is not None
            payload = await chat_end_payload(work, conversation)
        (call,) = payload["data"]["calls"]
        assert (call["id"], call["end_reason"]) == (call_id, "ended_by_rep")
        assert any("Video call" in m["body"] for m in payload["data"]["transcript"])


async def test_an_sdp_over_its_limit_is_refused_for_its_size(server: Server) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        await visitor.send(
            {"type": "call_answer", "call_id": "0" * 32, "sdp": "a" * (MAX_SDP_CHARS + 1)}
        )
        error = await visitor.expect("error")
        assert error["code"] in ("too_large", "invalid_frame")
        big = "a" * VISITOR_FRAME_MAX_BYTES["call_answer"]
        await visitor.send({"type": "call_answer", "call_id": "0" * 32, "sdp": big})
        assert (await visitor.expect("error"))["code"] == "too_large"


async def test_turn_credentials_are_minted_per_call_with_coturns_rest_scheme(
    sqlite_memory_backend: Backend,
) -> None:
    secret = "turn-shared-secret-for-tests"
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        stun_urls=("stun:127.0.0.1:3478",),
        turn_urls=("turn:127.0.0.1:3478?transport=udp",),
        turn_secret=secret,
        turn_credential_ttl=600,
    ) as server:
        org: OrgInfo = await server.create_org()
        rep = await server.rep(org)
        async with server.visitor(org) as visitor, rep.socket() as console:
            await console.send(
                {
                    "type": "call_start",
                    "conversation_id": await _chat(rep, visitor),
                    "media": "audio",
                    "leg": "c",
                }
            )
            ice = await console.expect("call_ice")
        stun, turn = ice["ice_servers"]
        assert stun == {"urls": ["stun:127.0.0.1:3478"], "username": None, "credential": None}
        expiry, call_id = turn["username"].split(":")
        assert call_id == ice["call_id"]
        assert int(expiry) == int(server.clock.now().timestamp()) + 600
        expected = base64.b64encode(
            hmac.new(secret.encode(), turn["username"].encode(), hashlib.sha1).digest()
        ).decode()
        assert turn["credential"] == expected and secret not in str(ice)
        admin = await server.rep(org, role="admin")
        status, settings = await admin.request("GET", "/api/calls/ice-settings")
        assert status == 200 and settings["turn_secret_set"] is True
        assert secret not in str(settings)
        status, _ = await rep.request("GET", "/api/calls/ice-settings")
        assert status == 403


async def test_while_the_rep_receives_the_visitors_media_the_visitor_counts_as_there(
    server: Server,
) -> None:
    """The visitor's server process died: their socket is away for a while, but their media
    still reaches the rep (it never went through the server), so the call goes on."""
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console:
        async with server.visitor(org) as visitor:
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)
        grace = server.settings.call_grace_seconds

        async def keepalives(seconds: float, flowing: bool) -> None:
            for _ in range(int(seconds // 5)):
                server.clock.advance(5)  # type: ignore[attr-defined]
                await console.send(
                    {"type": "call_keepalive", "call_id": call_id, "media_connected": flowing}
                )
                await console.send({"type": "ping"})
                await console.expect("pong")
                await server.runtime.sweeper.run_due()

        await keepalives(grace * 3, flowing=True)
        assert [f for f in console.received if f.get("call", {}).get("state") == "ended"] == []
        # The media stops too (the tab was closed): the grace period runs out.
        await keepalives(grace + 5, flowing=False)
        ended = await console.expect("call", call__state="ended")
        assert ended["call"]["end_detail"] == "the visitor's browser went away"
