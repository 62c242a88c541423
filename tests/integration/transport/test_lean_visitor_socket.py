"""The lean visitor socket server (FRONTDESK_VISITOR_SOCKET_SERVER=lean, issue 21): visitor
sockets on a wsproto protocol of our own, everything else on the same port still aiohttp's.

The whole visitor socket suite runs on it with FRONTDESK_TEST_VISITOR_SOCKET_SERVER=lean; these
tests are about what only the shared port can get wrong, and about the limits of a socket,
on both servers where both must behave alike."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import TextMessage

from frontdesk.core import visitor_feed
from frontdesk.runtime import visitor_topic
from frontdesk.transport.sockets import CLOSE_TOO_SLOW, MAX_BUFFERED_BYTES
from frontdesk.transport.visitor_lean import LeanSocket
from frontdesk.transport.ws_visitor import MAX_FRAME_BYTES, REGISTRY_KEY, VisitorConnection
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def lean(backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, visitor_socket_server="lean"
    ) as srv:
        yield srv


@pytest.fixture(params=["lean", "aiohttp"])
async def either(request: pytest.FixtureRequest, backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        visitor_socket_server=request.param,
    ) as srv:
        yield srv


def _connections(server: Server, org: OrgInfo) -> list[VisitorConnection]:
    members = server.app[REGISTRY_KEY]._orgs.get(org.id, {})
    return [m for m in members if isinstance(m, VisitorConnection)]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 5)
    return int(status_line.split(" ")[1]), headers, body


def _handshake(org: OrgInfo, *, key: str | None = None, version: str = "13") -> bytes:
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /ws/visitor?site={org.site_key} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Origin: {org.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Version: {version}\r\nSec-WebSocket-Key: {key}\r\n\r\n"
    ).encode()


async def test_a_visitor_on_the_lean_server_is_welcomed_chats_and_is_held_by_a_lean_socket(
    lean: Server,
) -> None:
    org = await lean.create_org()
    async with lean.visitor(org) as visitor:
        (connection,) = _connections(lean, org)
        assert isinstance(connection.sender, LeanSocket)  # not aiohttp's WebSocketResponse
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        await visitor.send({"type": "message", "client_id": "m1", "body": "Is anyone there?"})
        await visitor.expect("ack", client_id="m1")
    # The socket is gone: its session is cleaned up (out of the registry) and uncounted.
    async with asyncio.timeout(5):
        while _connections(lean, org):
            await asyncio.sleep(0.01)


async def test_plain_http_on_the_same_port_keeps_alive_pipelines_and_takes_a_posted_body(
    lean: Server,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", lean.server.port)
    try:
        # Two requests written at once (pipelined), answered in order on the one connection.
        writer.write(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /widget/config?site=nope HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        status, headers, body = await _read_response(reader)
        assert status == 200 and orjson.loads(body)["status"] == "ok"
        assert headers["x-content-type-options"] == "nosniff"  # aiohttp's middleware ran
        status, _, _ = await _read_response(reader)
        assert status == 404
        # Kept alive: a POST with a JSON body on the same connection, read in full.
        body = orjson.dumps({"email": "nobody@example.com", "password": "wrong-password"})
        writer.write(
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        status, _, answer = await _read_response(reader)
        assert status == 401, answer
        assert orjson.loads(answer)["error"]["code"] == "not_authenticated"
        # And a visitor socket asked for on this kept-alive connection is still served
        # (by aiohttp's route, as the connection is aiohttp's by now).
        org = await lean.create_org()
        writer.write(_handshake(org))
        status, headers, _ = await _read_response(reader)
        assert status == 101 and headers["upgrade"] == "websocket"
    finally:
        writer.close()


async def test_a_rep_signs_in_and_works_over_the_shared_port(lean: Server) -> None:
    org = await lean.create_org()
    rep = await lean.rep(org, name="Dana Reyes")  # POST /api/auth/login, PATCH, cookies
    async with lean.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "m1", "body": "Hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        await visitor.expect("conversation", conversation__status="active")


@pytest.mark.parametrize(
    ("key", "version", "reason"),
    [
        ("", "13", "the Sec-WebSocket-Key header is missing or is not 16 bytes in base64"),
        ("c2hvcnQ=", "13", "the Sec-WebSocket-Key header is missing or is not 16 bytes in base64"),
        (None, "8", "unsupported WebSocket version '8': this server speaks version 13"),
    ],
)
async def test_a_malformed_handshake_is_refused_with_400_and_says_what_is_wrong(
    either: Server, key: str | None, version: str, reason: str
) -> None:
    org = await either.create_org()
    reader, writer = await asyncio.open_connection("127.0.0.1", either.server.port)
    try:
        writer.write(_handshake(org, key=key, version=version))
        status, _, body = await _read_response(reader)
    finally:
        writer.close()
    assert (status, body.decode()) == (400, reason)


async def test_a_plain_get_of_the_socket_path_is_told_it_is_not_a_websocket_handshake(
    either: Server,
) -> None:
    org = await either.create_org()
    async with (
        either.http() as http,
        http.get(
            f"{either.url}/ws/visitor?site={org.site_key}", headers={"Origin": org.origin}
        ) as response,
    ):
        assert response.status == 400
        assert (await response.text()).startswith(
            "not a WebSocket handshake: the Upgrade header must be websocket"
        )


async def test_a_frame_over_the_size_limit_closes_the_socket_with_1009(either: Server) -> None:
    org = await either.create_org()
    async with either.visitor(org) as visitor:
        await visitor.send({"type": "ping", "pad": "x" * (MAX_FRAME_BYTES + 1)})
        assert await visitor.closed_code() == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_frame_in_many_fragments_is_one_frame(either: Server) -> None:
    """What a client may do with a long message: the pieces are joined before parsing."""
    org = await either.create_org()
    reader, writer = await asyncio.open_connection("127.0.0.1", either.server.port)
    client = Connection(ConnectionType.CLIENT)

    async def next_text() -> dict[str, Any]:
        while True:
            for event in client.events():
                if isinstance(event, TextMessage):
                    frame: dict[str, Any] = orjson.loads(event.data)
                    return frame
            client.receive_data(await asyncio.wait_for(reader.read(65536), 5))

    try:
        writer.write(_handshake(org))
        status, _, _ = await _read_response(reader)
        assert status == 101
        hello = {
            "type": "hello",
            "token": None,
            "page": {"url": org.origin + "/", "title": "Home", "referrer": None},
            "resumed": False,
            "last_seq": 0,
            "tab_id": "tab-1",
        }
        writer.write(client.send(TextMessage(data=orjson.dumps(hello).decode())))
        assert (await next_text())["type"] == "welcome"
        text = orjson.dumps({"type": "message", "client_id": "m1", "body": "é" * 3000}).decode()
        pieces = [text[i : i + 1000] for i in range(0, len(text), 1000)]
        for n, piece in enumerate(pieces):
            writer.write(
                client.send(TextMessage(data=piece, message_finished=n == len(pieces) - 1))
            )
            await writer.drain()
        while (frame := await next_text())["type"] != "ack":
            pass
        assert frame["client_id"] == "m1" and frame["message"]["body"] == "é" * 3000
    finally:
        writer.close()


async def test_a_visitor_that_stops_reading_is_cut_off_with_4408_and_its_bytes_stay_bounded(
    either: Server,
) -> None:
    """A tab that stops reading (a frozen laptop) while frames keep coming for it: what waits
    for it in the server stays under the cap, then it is closed with 4408 ("too slow")."""
    org = await either.create_org()
    async with either.visitor(org) as visitor:
        visitor_id = visitor.welcome["visitor_id"]
        # The client reads nothing from now on (its library stops reading once 64 KiB wait).
        frame = orjson.dumps({"type": "pong", "server_time": "x" * 60_000})
        payload = visitor_feed.pack_bytes("pong", frame)
        (connection,) = _connections(either, org)
        sender: Any = connection.sender
        transport = (
            sender._transport if isinstance(sender, LeanSocket) else sender._ws._req.transport
        )
        most = 0
        for _ in range(2000):  # 120 MB at most; the kernel's buffers take a few MB first
            await either.runtime.bus.publish(visitor_topic(visitor_id), payload)
            await asyncio.sleep(0)  # delivery
            if transport.is_closing() or sender.closed:
                break
            queued = getattr(sender, "_queued_bytes", 0)
            most = max(most, transport.get_write_buffer_size() + queued)
        assert sender.closed, "the slow reader was never cut off"
        assert most <= MAX_BUFFERED_BYTES + len(frame) + 16
        # Reading again, the client gets what was written before the cut, then the code.
        assert await visitor.closed_code(timeout=10) == CLOSE_TOO_SLOW


@pytest.fixture
async def impatient_lean(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        http_header_timeout=1.0,
        visitor_socket_server="lean",
    ) as server:
        yield server


@pytest.mark.parametrize(
    "start",
    [b"", b"GET /ws/visi", b"GET /ws/visitor?site=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "],
    ids=["silent", "part of the request line", "a trickled visitor handshake"],
)
async def test_a_connection_that_never_finishes_its_head_is_dropped_before_aiohttp_sees_it(
    impatient_lean: Server, start: bytes
) -> None:
    """The lean server reads the head before aiohttp does (to pick the protocol): aiohttp's
    header timeout (FRONTDESK_HTTP_HEADER_TIMEOUT) holds there too (slowloris)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", impatient_lean.server.port)
    try:
        writer.write(start)
        await writer.drain()
        started = asyncio.get_running_loop().time()

        async def trickle() -> None:
            with contextlib.suppress(ConnectionError):
                while start:
                    await asyncio.sleep(0.2)
                    writer.write(b"x")
                    await writer.drain()

        trickling = asyncio.create_task(trickle())
        try:
            assert await asyncio.wait_for(reader.read(), timeout=10) == b""
        finally:
            trickling.cancel()
        assert asyncio.get_running_loop().time() - started < 5
    finally:
        writer.close()
