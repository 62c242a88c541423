"""Every visitor frame and every queue has a limit (issue 12 items 7, 13, 14, 15): rates per
frame type, sizes in bytes, offline messages per visitor and per address, new visitors and open
sockets per address, and a socket that stops reading is dropped instead of held."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import socket
import struct
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest
from sqlalchemy import func, select

from frontdesk.deadlines.models import Deadline
from frontdesk.features.conversations import ANSWER_BYTES
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.experiences.service import KIND_OFFLINE_EMAIL
from frontdesk.features.visitors.models import Visitor
from frontdesk.transport.frames import VISITOR_FRAME_MAX_BYTES
from frontdesk.transport.visitor_limits import (
    CLOSE_FLOODING,
    CLOSE_RATE_LIMITED,
    DEFAULT_FRAME_RATES,
    visitor_frame_types,
    visitor_limits,
)
from tests.conftest import Backend
from tests.harness import SITE_ORIGIN, OrgInfo, Server, Socket, running_server

pytestmark = pytest.mark.asyncio

FRAME_TYPES = visitor_frame_types()
CALL = "0" * 32  # no such call: refused as not found, but counted first


def _sample(frame_type: str, n: int) -> dict[str, Any]:
    """A valid frame of each type the visitor socket accepts. A new frame type fails the tests
    below until it has a sample here (and a rate and a size limit in the code)."""
    samples: dict[str, dict[str, Any]] = {
        "ping": {"type": "ping"},
        "activity": {"type": "activity", "state": "idle" if n % 2 else "active"},
        "page_view": {"type": "page_view", "page": {"url": f"{SITE_ORIGIN}/p{n}", "title": "P"}},
        "message": {"type": "message", "client_id": f"m{n}", "body": f"hello {n}"},
        "typing": {"type": "typing", "is_typing": True},
        "resume": {"type": "resume", "after_seq": 0},
        "identify": {"type": "identify", "email": f"dana{n}@acme.example"},
        "open": {"type": "open"},
        "invitation_shown": {"type": "invitation_shown", "invitation_id": "0" * 32},
        "offline_message": {
            "type": "offline_message",
            "client_id": f"o{n}",
            "email": "dana@acme.example",
            "body": f"call me {n}",
        },
        # No such chat (and the org asks no ratings): refused, but counted first.
        "rate": {"type": "rate", "client_id": f"r{n}", "conversation_id": "0" * 32, "score": 3},
        # The org shares no drafts (sneak peek is off): refused, but counted first.
        "draft": {"type": "draft", "text": f"I would like {n}"},
        "phone_join": {"type": "phone_join", "client_id": f"p{n}", "number": "+442079460958"},
        "phone_hang_up": {"type": "phone_hang_up", "leg_id": "0" * 32},
        "call_request": {"type": "call_request", "media": "audio", "tab_id": "t"},
        "call_queue": {"type": "call_queue", "tab_id": "t"},
        "call_ringing": {"type": "call_ringing", "call_id": CALL},
        "call_accept": {"type": "call_accept", "call_id": CALL, "media": "audio", "tab_id": "t"},
        "call_decline": {"type": "call_decline", "call_id": CALL},
        "call_rejoin": {"type": "call_rejoin", "call_id": CALL, "tab_id": "t"},
        "call_answer": {"type": "call_answer", "call_id": CALL, "sdp": "v=0"},
        "call_candidate": {
            "type": "call_candidate",
            "call_id": CALL,
            "candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
        },
        "call_media": {"type": "call_media", "call_id": CALL, "mic": True, "camera": False},
        "call_connected": {"type": "call_connected", "call_id": CALL},
        "call_keepalive": {"type": "call_keepalive", "call_id": CALL},
        "call_hangup": {"type": "call_hangup", "call_id": CALL},
    }
    return samples[frame_type]


async def test_every_visitor_frame_type_has_a_rate_and_a_size_limit() -> None:
    assert set(FRAME_TYPES) == set(DEFAULT_FRAME_RATES)
    assert set(FRAME_TYPES) | {"hello"} == set(VISITOR_FRAME_MAX_BYTES)


@asynccontextmanager
async def _server(backend: Backend, **overrides: Any) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, **overrides
    ) as server:
        yield server


def _rate_limited(sock: Socket) -> list[dict[str, Any]]:
    return [
        f for f in sock.received if f.get("type") == "error" and f.get("code") == "rate_limited"
    ]


@pytest.mark.parametrize("frame_type", FRAME_TYPES)
async def test_a_visitor_who_floods_any_frame_type_gets_rate_limited_errors(
    backend: Backend, frame_type: str
) -> None:
    limits = {t: "2/minute" for t in FRAME_TYPES}
    async with _server(backend, visitor_frame_limits=limits) as server:
        org = await server.create_org()
        async with server.visitor(org) as visitor:
            for n in range(3):
                await visitor.send(_sample(frame_type, n))
            refused = await visitor.expect("error", code="rate_limited")
            # Frames are handled in order: every answer to the first two came before this.
            assert _rate_limited(visitor) == [refused]
            assert frame_type.replace("_", " ") in refused["message"].replace("_", " ")
            sample = _sample(frame_type, 2)
            if "client_id" in sample:
                assert refused["ref"] == sample["client_id"]
            # The socket stays open, and other frame types are counted apart.
            other = "open" if frame_type != "open" else "ping"
            await visitor.send(_sample(other, 0))
            if other == "ping":
                await visitor.expect("pong")
            await visitor.send({"type": "teleport"})  # answered in order, after `other`
            await visitor.expect("error", code="invalid_frame")
            assert _rate_limited(visitor) == [refused]


@pytest.mark.parametrize("frame_type", FRAME_TYPES)
async def test_a_frame_over_its_types_size_limit_is_refused_and_the_socket_stays_open(
    server: Server, frame_type: str
) -> None:
    org = await server.create_org()
    limit = VISITOR_FRAME_MAX_BYTES[frame_type]
    frame = _sample(frame_type, 0)
    # Padding in a field no frame has: refused for its size before it is validated.
    frame["pad"] = ""
    frame["pad"] = "x" * (limit - len(orjson.dumps(frame)) + 1)
    raw = orjson.dumps(frame).decode()
    assert len(raw.encode()) == limit + 1
    async with server.visitor(org) as visitor:
        await visitor.send(raw)
        error = await visitor.expect("error")
        assert error["code"] == "too_large"
        assert f"{limit:,} bytes" in error["message"] and frame_type in error["message"]
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")


async def test_sizes_count_utf8_bytes_not_characters(server: Server) -> None:
    org = await server.create_org()
    limit = VISITOR_FRAME_MAX_BYTES["page_view"]
    # A title of 1,000 characters of 4 bytes each, and URLs at their longest: still allowed.
    page = {
        "url": SITE_ORIGIN + "/" + "a" * (4096 - len(SITE_ORIGIN) - 1),
        "title": "\U0001f600" * 1000,
        "referrer": SITE_ORIGIN + "/" + "r" * (4096 - len(SITE_ORIGIN) - 1),
        "og_image": SITE_ORIGIN + "/" + "i" * (4096 - len(SITE_ORIGIN) - 1),
    }
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "page_view", "page": page})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert [f for f in visitor.received if f.get("type") == "error"] == []
        # Characters under the limit, bytes over it.
        emoji = "\U0001f600" * (limit // 4)
        await visitor.send({"type": "page_view", "page": {"url": SITE_ORIGIN, "title": emoji}})
        assert (await visitor.expect("error"))["code"] == "too_large"


async def test_a_hello_over_its_size_limit_is_refused_with_4400(server: Server) -> None:
    org = await server.create_org()
    limit = VISITOR_FRAME_MAX_BYTES["hello"]
    http = server.http()
    ws = await http.ws_connect(f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin)
    await ws.send_str(
        orjson.dumps(
            {
                "type": "hello",
                "page": {"url": SITE_ORIGIN, "title": "\u00e9" * (limit // 2)},
                "tab_id": "t",
            }
        ).decode()
    )
    error = await ws.receive_json(timeout=5)
    assert error["code"] == "too_large"
    await ws.receive(timeout=5)
    assert ws.close_code == 4400


async def _offline_messages(server: Server, org_id: str) -> tuple[int, int]:
    """Offline messages stored, and emails to reps scheduled for them."""
    async with server.runtime.db.read() as session:
        stored = (
            await session.execute(
                select(func.count())
                .select_from(OfflineMessage)
                .where(OfflineMessage.org_id == org_id)
            )
        ).scalar_one()
        emails = (
            await session.execute(
                select(func.count())
                .select_from(Deadline)
                .where(Deadline.org_id == org_id, Deadline.kind == KIND_OFFLINE_EMAIL)
            )
        ).scalar_one()
    return int(stored), int(emails)


async def test_offline_messages_are_limited_per_visitor_and_per_address(backend: Backend) -> None:
    async with _server(
        backend,
        visitor_frame_limits={"offline_message": "2/hour"},
        offline_messages_per_ip="3/hour",
    ) as server:
        org = await server.create_org()
        async with server.visitor(org) as first, server.visitor(org) as second:
            for n in range(3):
                await first.send(_sample("offline_message", n))
            refused = await first.expect("error", code="rate_limited", ref="o2")
            assert "offline messages" in refused["message"]
            await first.expect("offline_received", client_id="o1")
            # Another visitor on the same address: one more, then the address is full.
            await second.send(_sample("offline_message", 10))
            await second.expect("offline_received", client_id="o10")
            await second.send(_sample("offline_message", 11))
            refused = await second.expect("error", code="rate_limited", ref="o11")
            assert "from your network" in refused["message"]
        assert await _offline_messages(server, org.id) == (3, 3)


async def _visitor_count(server: Server, org_id: str) -> int:
    async with server.runtime.db.read() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(Visitor).where(Visitor.org_id == org_id)
                )
            ).scalar_one()
        )


async def _hello(
    server: Server, org: OrgInfo, token: str | None = None
) -> aiohttp.ClientWebSocketResponse:
    ws = await server.http().ws_connect(
        f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin
    )
    await ws.send_json(
        {
            "type": "hello",
            "token": token,
            "page": {"url": SITE_ORIGIN + "/", "title": "Home"},
            "tab_id": uuid.uuid4().hex,
        }
    )
    return ws


async def test_new_visitors_per_address_are_limited_and_stay_out_of_the_live_stream(
    backend: Backend,
) -> None:
    async with _server(backend, new_visitors_per_ip="3/hour") as server:
        org = await server.create_org()
        admitted = []
        for _ in range(3):
            ws = await _hello(server, org)
            welcome = await ws.receive_json(timeout=5)
            assert welcome["type"] == "welcome"
            admitted.append((ws, welcome["token"]))
        for _ in range(5):  # the flood goes on: refused, and told why
            ws = await _hello(server, org)
            error = await ws.receive_json(timeout=5)
            assert error["type"] == "error" and error["code"] == "rate_limited"
            assert "new visitors" in error["message"]
            assert (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == CLOSE_RATE_LIMITED
        # A returning visitor from the same address is let in.
        first_ws, first_token = admitted[0]
        await first_ws.close()
        again = await _hello(server, org, token=first_token)
        assert (await again.receive_json(timeout=5))["type"] == "welcome"
        assert await _visitor_count(server, org.id) == 3
        rep = await server.rep(org, role="admin")
        async with rep.socket() as stream:
            assert stream.snapshot is not None
            assert len(stream.snapshot["visitors"]) == 3


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never met"
        await asyncio.sleep(0.01)


async def test_open_visitor_sockets_per_address_are_capped_with_http_429(
    backend: Backend,
) -> None:
    async with _server(backend, unauthenticated_sockets_per_ip=2) as server:
        org = await server.create_org()
        limits = visitor_limits(server.runtime)
        rep = await server.rep(org, role="admin")
        # A signed-in rep's socket does not count once its session is checked.
        async with rep.socket() as stream, server.visitor(org), server.visitor(org) as second:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with server.visitor(org):
                    pass
            assert refused.value.status == 429
            # Another console's socket is unauthenticated until its session is checked.
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with rep.socket():
                    pass
            assert refused.value.status == 429
            assert second.welcome is not None
            await second.ws.close()
            await stream.expect("visitor.left", visitor_id=second.welcome["visitor_id"])
            # A closed socket gives its place back (counted in this process).
            await _until(lambda: limits.open_sockets("127.0.0.1") == 1)
            async with server.visitor(org) as third:
                await third.send({"type": "ping"})
                await third.expect("pong")


async def test_the_address_cap_reads_x_forwarded_for_only_from_a_trusted_proxy(
    backend: Backend,
) -> None:
    proxies = (ipaddress.ip_network("127.0.0.1/32"),)
    async with _server(
        backend, unauthenticated_sockets_per_ip=1, trusted_proxies=proxies
    ) as server:
        org = await server.create_org()
        dana = {"X-Forwarded-For": "203.0.113.5"}
        async with server.visitor(org, headers=dana):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with server.visitor(org, headers=dana):
                    pass
            assert refused.value.status == 429
            async with server.visitor(org, headers={"X-Forwarded-For": "203.0.113.6"}) as lee:
                await lee.send({"type": "ping"})
                await lee.expect("pong")
    # Without trusted proxies the header is the client's word, and ignored.
    async with _server(backend, unauthenticated_sockets_per_ip=1) as server:
        org = await server.create_org()
        async with server.visitor(org, headers={"X-Forwarded-For": "203.0.113.5"}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with server.visitor(org, headers={"X-Forwarded-For": "203.0.113.6"}):
                    pass
            assert refused.value.status == 429


# ---- a socket that stops reading --------------------------------------------------------------


class RawVisitorSocket:
    """A WebSocket client on a bare TCP socket with a tiny receive buffer, that can stop
    reading: what the server sends it piles up on the server's side."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, server: Server, org: OrgInfo) -> RawVisitorSocket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        port = server.server.port
        assert port is not None
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws/visitor?site={org.site_key} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {org.origin}\r\n\r\n"
            ).encode()
        )
        response = await reader.readuntil(b"\r\n\r\n")
        assert response.startswith(b"HTTP/1.1 101"), response
        return cls(reader, writer)

    def send(self, frame: dict[str, Any]) -> None:
        payload = orjson.dumps(frame)
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([0x81])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def read_until_dropped(self) -> None:
        """Reads everything until the server's end of the connection is gone."""
        try:
            while await self.reader.read(1 << 16):
                pass
        except ConnectionResetError:
            pass


async def test_a_visitor_who_stops_reading_and_asks_for_resumes_is_dropped(
    backend: Backend,
) -> None:
    # Issue 12 item 13: 20 messages of 10,000 characters, then 150 resumes while reading
    # nothing once held 61 MB for one socket.
    async with _server(backend) as server:
        org = await server.create_org()
        rep = await server.rep(org, role="admin")
        async with rep.socket() as stream:
            async with server.visitor(org) as visitor:
                assert visitor.welcome is not None
                token, visitor_id = visitor.welcome["token"], visitor.welcome["visitor_id"]
                for n in range(20):
                    await visitor.send(
                        {"type": "message", "client_id": f"m{n}", "body": f"{n} " + "w" * 9_990}
                    )
                for n in range(20):
                    await visitor.expect("ack", client_id=f"m{n}")
            await stream.expect("visitor.left", visitor_id=visitor_id)

            raw = await RawVisitorSocket.connect(server, org)
            raw.send(
                {
                    "type": "hello",
                    "token": token,
                    "page": {"url": SITE_ORIGIN + "/", "title": "Home"},
                    "resumed": True,
                    "tab_id": "raw",
                }
            )
            await stream.expect("visitor.joined", visitor__visitor_id=visitor_id)
            for _ in range(150):
                raw.send({"type": "resume", "after_seq": 0})
            await raw.writer.drain()
            # The server gives up on it (4408, then the connection is dropped as the close
            # frame is never read): the socket's cleanup tells the consoles the visitor left.
            await stream.expect("visitor.left", timeout=15, visitor_id=visitor_id)
            await asyncio.wait_for(raw.read_until_dropped(), timeout=15)
            raw.writer.close()


# ---- flooding: closed with 4429 and a reason (both servers: this module runs on either) ----


async def _close(sock: Socket, timeout: float = 5.0) -> tuple[int | None, str]:
    """Reads up to the server's close: its code and reason (frames before it are kept)."""
    while True:
        msg = await sock.ws.receive(timeout=timeout)
        if msg.type == aiohttp.WSMsgType.TEXT:
            sock.received.append(orjson.loads(msg.data))
            continue
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), msg
        return sock.ws.close_code, str(msg.extra or "")


async def test_a_visitor_who_floods_far_beyond_a_rate_is_closed_with_4429_and_a_reason(
    backend: Backend,
) -> None:
    async with _server(
        backend, visitor_frame_limits={"typing": "5/minute"}, visitor_frame_flood_factor=10
    ) as server:
        org = await server.create_org()
        async with server.visitor(org) as visitor:
            assert visitor.welcome is not None
            token = visitor.welcome["token"]
            for _ in range(51):  # the 51st is more than ten times five
                await visitor.send({"type": "typing", "is_typing": True})
            code, reason = await _close(visitor)
            assert code == CLOSE_FLOODING == 4429
            assert reason == "flooding: over 10 times 5/minute typing frames"
            # Refused from the 6th; the 51st is refused and closes the socket; nothing after.
            assert len(_rate_limited(visitor)) == 46
        # Back (the widget waits 30 to 60 s first): other frames are served, and in the same
        # window the next typing frame closes the socket again at once.
        async with server.visitor(org, token=token, resumed=True) as visitor:
            await visitor.send({"type": "ping"})
            await visitor.expect("pong")
            await visitor.send({"type": "typing", "is_typing": True})
            code, _ = await _close(visitor)
            assert code == 4429
        server.clock.advance(60)  # type: ignore[attr-defined]
        async with server.visitor(org, token=token, resumed=True) as visitor:
            await visitor.send({"type": "typing", "is_typing": True})
            await visitor.send({"type": "ping"})
            await visitor.expect("pong")
            assert _rate_limited(visitor) == []


@pytest.mark.parametrize(
    "garbage",
    [
        "{not json",
        {"type": "teleport"},
        {"type": "page_view"},  # no page
        {"type": "ping", "pad": "x" * 2_000},  # over a ping's 1,024 bytes
        b"\x00\x01",  # binary
    ],
    ids=["bad json", "unknown type", "invalid", "too large", "binary"],
)
async def test_a_stream_of_frames_the_socket_cannot_use_is_closed_with_4429(
    backend: Backend, garbage: str | dict[str, Any] | bytes
) -> None:
    async with _server(
        backend, visitor_frame_limits={"invalid": "3/minute"}, visitor_frame_flood_factor=2
    ) as server:
        org = await server.create_org()
        async with server.visitor(org) as visitor:
            for _ in range(7):  # the 7th is more than twice three
                if isinstance(garbage, bytes):
                    await visitor.ws.send_bytes(garbage)
                else:
                    await visitor.send(garbage)
            code, reason = await _close(visitor)
            assert code == 4429
            assert reason == "flooding: over 2 times 3/minute invalid frames"
            # Each one was answered with its own error first, all seven.
            errors = [f for f in visitor.received if f.get("type") == "error"]
            assert len(errors) == 7
            assert {e["code"] for e in errors} <= {"invalid_json", "invalid_frame", "too_large"}


async def test_a_few_bad_frames_are_answered_and_the_socket_stays_open(server: Server) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        for _ in range(30):  # the default invalid rate: 30 a minute, and far more to be closed
            await visitor.send({"type": "teleport"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert len([f for f in visitor.received if f.get("code") == "invalid_frame"]) == 30


async def test_a_long_chat_reaches_a_reconnecting_visitor_in_pieces_none_near_the_send_limit(
    backend: Backend,
) -> None:
    # A long chat: 110 messages of 10,000 characters are over 2 MiB with their HTML. Sent in
    # one welcome (as before), that was twice the send queue's limit (1 MiB,
    # sockets.MAX_BUFFERED_BYTES). Now the welcome carries the latest 256 KB of them and each
    # resume the next 256 KB from where the visitor's copy stops, on both servers.
    async with _server(backend, visitor_frame_limits={"message": "200/10 seconds"}) as server:
        org = await server.create_org()
        async with server.visitor(org) as visitor:
            assert visitor.welcome is not None
            token = visitor.welcome["token"]
            for n in range(110):
                await visitor.send(
                    {"type": "message", "client_id": f"m{n}", "body": f"{n} " + "w" * 9_990}
                )
            for n in range(110):
                last = await visitor.expect("ack", timeout=30, client_id=f"m{n}")
        cid, last_seq = last["message"]["conversation_id"], last["message"]["seq"]
        budget = ANSWER_BYTES + 25_000  # and the one message that may pass it

        async with server.visitor(org, token=token, resumed=True) as visitor:
            assert visitor.welcome is not None
            welcome = visitor.welcome["messages"]
            # The latest messages, in order, up to the newest.
            seqs = [m["seq"] for m in welcome]
            assert seqs == list(range(last_seq - len(welcome) + 1, last_seq + 1))
            assert 5 <= len(welcome) < 110
            assert len(orjson.dumps(welcome)) <= budget
            # The messenger sees the gap below them and asks from where its copy stops.
            got = {m["seq"]: m for m in welcome}
            have, resumes = 0, 0
            while have < last_seq:
                await visitor.send({"type": "resume", "after_seq": have, "conversation_id": cid})
                await visitor.expect("conversation", conversation__id=cid)
                await visitor.send({"type": "ping"})
                await visitor.expect("pong")  # the whole answer came before it
                page = [f["message"] for f in visitor.unread if f["type"] == "message"]
                visitor.unread.clear()
                assert [m["seq"] for m in page] == list(range(have + 1, have + 1 + len(page)))
                assert page and len(orjson.dumps(page)) <= budget
                got.update((m["seq"], m) for m in page)
                while have + 1 in got:
                    have += 1
                resumes += 1
            assert 5 <= resumes < 20
            mine = [m["body"] for _, m in sorted(got.items()) if m["author_kind"] == "visitor"]
            assert mine == [f"{n} " + "w" * 9_990 for n in range(110)]
            # A resume that names no conversation: its `messages` answer is bounded the same.
            await visitor.send({"type": "resume", "after_seq": 0})
            answer = await visitor.expect("messages", timeout=15)
            assert answer["messages"][0]["seq"] == 1
            assert len(orjson.dumps(answer["messages"])) <= budget
