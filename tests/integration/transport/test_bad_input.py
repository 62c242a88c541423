"""Bad input gets a clear error, nothing is stored, and the socket stays open where it makes sense."""

from __future__ import annotations

import logging
import uuid

import aiohttp
import pytest
from sqlalchemy import func, select

from frontdesk.features.conversations.models import Message
from tests.conftest import Backend
from tests.harness import Server, running_server

pytestmark = pytest.mark.asyncio


async def _message_count(server: Server, org_id: str) -> int:
    """Messages visitors and reps wrote (bots and the system may add their own)."""
    query = (
        select(func.count())
        .select_from(Message)
        .where(Message.org_id == org_id, Message.author_kind.in_(("visitor", "rep")))
    )
    async with server.runtime.db.read() as session:
        return int((await session.execute(query)).scalar_one())


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.exc_info] == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_visitor_socket_refuses_bad_frames_with_clear_errors_and_stays_open(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        cases = [
            ("{not json", "invalid_json", None),
            ('{"type": "teleport"}', "invalid_frame", "unknown frame type 'teleport'"),
            ('{"type": "message", "client_id": "x"}', "invalid_frame", "missing field 'body'"),
            (
                '{"type": "message", "client_id": {"a": 1}, "body": "hi"}',
                "invalid_frame",
                "client_id",
            ),
            ('{"type": "activity", "state": "asleep"}', "invalid_frame", "state"),
            ("[1, 2, 3]", "invalid_frame", None),
            (
                '{"type": "message", "client_id": "long", "body": "' + "x" * 10_001 + '"}',
                "too_long",
                "10,000",
            ),
        ]
        for raw, code, words in cases:
            await visitor.send(raw)
            error = await visitor.expect("error")
            assert error["code"] == code, raw[:60]
            if words:
                assert words in error["message"]
        # Still open and working.
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
    assert await _message_count(server, org.id) == 0
    _no_tracebacks(caplog)


async def test_a_hello_whose_token_is_an_object_instead_of_a_string_is_refused(
    server: Server,
) -> None:
    org = await server.create_org()
    http = server.http()
    ws = await http.ws_connect(f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin)
    await ws.send_json(
        {"type": "hello", "token": {"id": "x"}, "page": {"url": "https://x/"}, "tab_id": "t"}
    )
    error = await ws.receive_json(timeout=5)
    assert error["type"] == "error" and error["code"] == "invalid_frame"
    assert "token" in error["message"]
    closing = await ws.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == 4400


async def test_a_wrong_site_key_or_a_foreign_origin_is_refused_before_the_socket_opens(
    server: Server,
) -> None:
    org = await server.create_org()
    http = server.http()
    with pytest.raises(aiohttp.WSServerHandshakeError) as unknown:
        await http.ws_connect(
            f"{server.ws_url}/ws/visitor?site=site_doesnotexist", origin=org.origin
        )
    assert unknown.value.status == 404
    with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
        await http.ws_connect(
            f"{server.ws_url}/ws/visitor?site={org.site_key}", origin="https://evil.example"
        )
    assert foreign.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_origin:
        await http.ws_connect(f"{server.ws_url}/ws/visitor?site={org.site_key}")
    assert no_origin.value.status == 403


async def test_the_rep_socket_accepts_only_the_consoles_own_origin_and_a_signed_in_rep(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
        await rep.http.ws_connect(server.ws_url + "/ws/rep", origin="https://evil.example")
    assert foreign.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as anonymous:
        await server.http().ws_connect(server.ws_url + "/ws/rep", origin=server.url)
    assert anonymous.value.status == 401


async def test_http_bad_input_gets_4xx_with_a_reason_and_stores_nothing(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
    before = await _message_count(server, org.id)
    async with rep.http.post(
        server.url + f"/api/conversations/{cid}/messages",
        data=b"{oops",
        headers={"X-CSRF-Token": rep.csrf, "Content-Type": "application/json"},
    ) as response:
        assert response.status == 422
        assert "not valid JSON" in (await response.json())["error"]["message"]
    status, body = await rep.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "x"}
    )
    assert status == 422 and "body" in body["error"]["message"]
    status, body = await rep.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "x", "body": "y" * 10_001}
    )
    assert status == 422
    status, body = await rep.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": ["x"], "body": "hi"}
    )
    assert status == 422 and "client_id" in body["error"]["message"]
    status, body = await rep.request("POST", "/api/conversations/not-an-id/accept")
    assert status == 422
    status, body = await rep.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "x", "body": "hi"}, csrf=False
    )
    assert status == 403 and "CSRF" in body["error"]["message"]
    assert await _message_count(server, org.id) == before
    _no_tracebacks(caplog)


async def test_sign_in_attempts_are_rate_limited(backend: Backend) -> None:
    # From a client address of its own (behind a trusted proxy): wrong passwords also limit
    # the address across emails, and on Redis that count is shared by the whole test session.
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, trusted_proxies=("127.0.0.1",)
    ) as server:
        org = await server.create_org()
        email = await server.create_rep(org)
        http = server.http()
        unique = uuid.uuid4().bytes
        client = {"X-Forwarded-For": f"198.18.{unique[0]}.{unique[1]}"}
        statuses = []
        for _ in range(server.settings.login_attempts_per_minute + 2):
            async with http.post(
                server.url + "/api/auth/login",
                json={"email": email, "password": "wrong-password"},
                headers=client,
            ) as response:
                statuses.append(response.status)
        assert statuses[0] == 401
        assert statuses[-1] == 429


async def test_a_visitor_who_floods_messages_is_slowed_down(server: Server) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        limit = server.settings.visitor_messages_per_10s
        for i in range(limit + 1):
            await visitor.send({"type": "message", "client_id": f"m{i}", "body": "spam"})
        error = await visitor.expect("error", code="rate_limited")
        assert error["ref"] == f"m{limit}"
    assert await _message_count(server, org.id) == limit
