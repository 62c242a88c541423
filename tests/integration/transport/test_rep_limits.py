"""Every frame type the rep socket accepts has a rate per rep (issue 15): a console over it is
told to slow down and nothing of the frame is done; far over it, the console is disconnected
with 4429 and a reason. A rep working normally never meets them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest

from frontdesk.transport.rep_limits import CLOSE_FLOODING, rep_frame_types
from tests.conftest import Backend
from tests.harness import RepClient, Server, Socket, running_server
from tests.integration.features.test_calls import CANDIDATE, _chat, _join, _ring

pytestmark = pytest.mark.asyncio

CALL = "0" * 32  # no such call: refused as not found, but counted first


@asynccontextmanager
async def _server(backend: Backend, **overrides: Any) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, **overrides
    ) as server:
        yield server


def _rate_limited(sock: Socket, frame_type: str) -> list[dict[str, Any]]:
    return [
        f
        for f in sock.received
        if f.get("type") == "error"
        and f.get("code") == "rate_limited"
        and f.get("frame_type") == frame_type
    ]


def _sample(frame_type: str, n: int, cid: str) -> dict[str, Any]:
    """A valid frame of each type the rep socket accepts. A new frame type fails the test below
    until it has a sample here (and a rate in transport/rep_limits.py)."""
    samples: dict[str, dict[str, Any]] = {
        "ping": {"type": "ping"},
        "hello": {"type": "hello"},
        "message": {
            "type": "message",
            "conversation_id": cid,
            "client_id": f"m{n}",
            "body": f"hello {n}",
        },
        "typing": {"type": "typing", "conversation_id": cid, "is_typing": True},
        "resume": {"type": "resume", "conversation_id": cid, "after_seq": 0},
        "call_start": {"type": "call_start", "conversation_id": CALL, "media": "audio", "leg": "c"},
        "call_accept": {"type": "call_accept", "call_id": CALL, "allow": "audio", "leg": "c"},
        "call_pickup": {"type": "call_pickup", "call_id": CALL, "leg": "c"},
        "call_decline": {"type": "call_decline", "call_id": CALL},
        "call_rejoin": {"type": "call_rejoin", "call_id": CALL, "leg": "c"},
        "call_offer": {"type": "call_offer", "call_id": CALL, "sdp": "v=0"},
        "call_candidate": {"type": "call_candidate", "call_id": CALL, "candidate": CANDIDATE},
        "call_media": {"type": "call_media", "call_id": CALL, "mic": True, "camera": False},
        "call_connected": {"type": "call_connected", "call_id": CALL},
        "call_keepalive": {"type": "call_keepalive", "call_id": CALL},
        "call_hangup": {"type": "call_hangup", "call_id": CALL},
    }
    return samples[frame_type]


async def _close(sock: Socket, timeout: float = 5.0) -> tuple[int | None, str]:
    """Reads up to the server's close: its code and reason (frames before it are kept)."""
    while True:
        msg = await sock.ws.receive(timeout=timeout)
        if msg.type == aiohttp.WSMsgType.TEXT:
            sock.received.append(orjson.loads(msg.data))
            continue
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), msg
        return sock.ws.close_code, str(msg.extra or "")


async def _rep_messages(rep: RepClient, cid: str) -> list[str]:
    status, transcript = await rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    return [m["body"] for m in transcript["messages"] if m["author_kind"] == "rep"]


async def test_every_rep_frame_type_over_its_rate_is_refused_and_not_acted_on(
    backend: Backend,
) -> None:
    limits = {t: "2/minute" for t in rep_frame_types()}
    async with _server(backend, rep_frame_limits=limits) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        async with server.visitor(org) as visitor:
            cid = await _chat(rep, visitor)
            async with rep.socket() as console:  # its hello is the first of two
                for frame_type in rep_frame_types():
                    sent = 1 if frame_type == "hello" else 0
                    for n in range(3 - sent):
                        await console.send(_sample(frame_type, n, cid))
                    refused = await console.expect(
                        "error", code="rate_limited", frame_type=frame_type
                    )
                    # Frames are handled in order: every answer to the first two came first.
                    assert _rate_limited(console, frame_type) == [refused]
                    assert f"too many {frame_type} frames (at most 2/minute)" in refused["message"]
                    if frame_type == "message":
                        assert refused["ref"] == "m2"
                # The third message was not stored, nor sent to the visitor.
                assert await _rep_messages(rep, cid) == ["hello 0", "hello 1"]
                typing = [f for f in visitor.received if f.get("type") == "typing"]
                await visitor.expect("message", message__body="hello 1")
                assert len(typing) <= 2
                assert not [f for f in visitor.received if "hello 2" in str(f)]


async def test_a_rep_who_floods_call_candidates_is_told_to_slow_down_and_the_visitor_receives_at_most_the_limit(
    backend: Backend,
) -> None:
    async with _server(backend, rep_frame_limits={"call_candidate": "10/minute"}) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        async with server.visitor(org) as visitor, rep.socket() as console:
            call_id = await _ring(console, visitor, await _chat(rep, visitor))
            await _join(console, visitor, call_id)  # one candidate of the ten
            for n in range(30):
                candidate = {**CANDIDATE, "candidate": f"candidate:{n} 1 udp 1 10.0.0.1 9 typ host"}
                await console.send(
                    {"type": "call_candidate", "call_id": call_id, "candidate": candidate}
                )
            # Something after the flood, relayed in order: the visitor has had all it will get.
            await console.send(
                {"type": "call_media", "call_id": call_id, "mic": False, "camera": True}
            )
            await visitor.expect("call_media", call_id=call_id)
            relayed = [f for f in visitor.received if f.get("type") == "call_candidate"]
            assert len(relayed) == 10
            assert relayed[-1]["candidate"]["candidate"].startswith("candidate:8 ")
            # Still open (21 over is not ten times the rate), and the call goes on.
            await console.send({"type": "call_keepalive", "call_id": call_id})
            await console.send({"type": "ping"})
            await console.expect("pong")
            refused = _rate_limited(console, "call_candidate")
            assert len(refused) == 21
            assert refused[0]["message"] == (
                "too many call_candidate frames (at most 10/minute); wait and try again"
            )
            assert "ref" not in refused[0]  # a candidate has no client_id
            assert not [
                f
                for f in console.received
                if f.get("type") == "call" and f["call"]["state"] == "ended"
            ]
            # A minute later (the next window) candidates go through again.
            server.clock.advance(60)  # type: ignore[attr-defined]
            await console.send(
                {"type": "call_candidate", "call_id": call_id, "candidate": CANDIDATE}
            )
            await visitor.expect("call_candidate", candidate__candidate=CANDIDATE["candidate"])


async def test_a_rep_typing_normally_is_never_limited(server: Server) -> None:
    """The composer's busiest: typing in three chats in turn, a frame a second (it sends one
    per chat at most every 3 s) and a 'stopped' every few seconds, for five minutes, and
    messages, resumes and pings as a console sends them."""
    org = await server.create_org()
    rep = await server.rep(org)
    async with (
        server.visitor(org) as v1,
        server.visitor(org) as v2,
        server.visitor(org) as v3,
        rep.socket() as console,
    ):
        visitors = [v1, v2, v3]
        chats = [await _chat(rep, v) for v in visitors]
        sent = [0, 0, 0]
        for second in range(300):
            chat = second % 3
            await console.send(
                {"type": "typing", "conversation_id": chats[chat], "is_typing": second % 4 != 3}
            )
            sent[chat] += 1
            if second % 20 == 0:
                await console.send(
                    {
                        "type": "message",
                        "conversation_id": chats[chat],
                        "client_id": f"m{second}",
                        "body": f"Answer {second}",
                    }
                )
                await console.expect("ack", client_id=f"m{second}")
                await console.send(
                    {"type": "resume", "conversation_id": chats[chat], "after_seq": 0}
                )
                await console.send({"type": "ping"})
                await console.expect("pong")
                for v in visitors:
                    await v.send({"type": "ping"})
            server.clock.advance(1)  # type: ignore[attr-defined]
        await console.send({"type": "ping"})
        await console.expect("pong")
        assert [f for f in console.received if f.get("type") == "error"] == []
        # Every one reached its visitor.
        for v, count in zip(visitors, sent, strict=True):
            while len([f for f in v.received if f.get("type") == "typing"]) < count:
                await v.expect("typing")


async def test_a_rep_who_floods_far_beyond_the_limit_is_disconnected_with_a_reason(
    backend: Backend,
) -> None:
    async with _server(
        backend, rep_frame_limits={"call_candidate": "5/minute"}, rep_frame_flood_factor=10
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        candidate = {"type": "call_candidate", "call_id": CALL, "candidate": CANDIDATE}
        async with rep.socket() as console:
            for _ in range(51):  # the 51st is more than ten times five
                await console.send(candidate)
            code, reason = await _close(console)
            assert code == CLOSE_FLOODING == 4429
            assert reason == "flooding: over 10 times 5/minute call_candidate frames"
            refused = _rate_limited(console, "call_candidate")
            assert len(refused) == 46  # the 6th to the 51st; the 51st closes the socket too
        # The console reconnects; in the same window another candidate closes it again at once,
        # while other frames are served.
        async with rep.socket() as console:
            await console.send({"type": "ping"})
            await console.expect("pong")
            await console.send(candidate)
            code, _ = await _close(console)
            assert code == 4429
        # The next window starts afresh.
        server.clock.advance(60)  # type: ignore[attr-defined]
        async with rep.socket() as console:
            await console.send(candidate)
            error = await console.expect("error")
            assert error["code"] == "not_found"


async def test_a_console_that_sends_a_stream_of_garbage_is_disconnected_with_a_reason(
    backend: Backend,
) -> None:
    async with _server(
        backend, rep_frame_limits={"invalid": "3/minute"}, rep_frame_flood_factor=2
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        async with rep.socket() as console:
            for frame in ["{", '{"type": "teleport"}', '{"type": "typing"}'] * 2:
                await console.send(frame)  # six: twice the rate, each answered with its error
            await console.send({"type": "ping"})
            await console.expect("pong")
            assert len([f for f in console.received if f.get("type") == "error"]) == 6
            await console.ws.send_bytes(b"\x00")  # binary counts too: the 7th
            code, reason = await _close(console)
            assert code == CLOSE_FLOODING
            assert reason == "flooding: over 2 times 3/minute invalid frames"
