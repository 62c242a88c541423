"""Chat-end webhooks: signed, retried under one event id, durable, and never aimed inward."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import Backend
from tests.harness import Server, running_server
from tests.support.ports import free_port

DOCS = Path(__file__).parents[3] / "docs" / "webhooks.md"


def docs_recipe() -> Callable[..., bool]:
    """The Python verification recipe exactly as docs/webhooks.md prints it."""
    code = re.search(r"Python:\n\n```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own documentation, on purpose
    return namespace["verify"]  # type: ignore[no-any-return]


class Receiver:
    """A CRM stand-in that can be down, up, or gone (410)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answer = 200
        self.server: TestServer | None = None

    async def start(self) -> None:
        async def hook(request: web.Request) -> web.Response:
            self.received.append((dict(request.headers), await request.read()))
            return web.Response(status=self.answer)

        app = web.Application()
        app.router.add_post("/hook", hook)
        self.server = TestServer(app, host="127.0.0.1", port=self.port)
        await self.server.start_server()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()


@pytest.fixture
async def local_targets(backend: Backend) -> AsyncIterator[Server]:
    """Receivers run on 127.0.0.1, so this server allows private targets (as an operator can)."""
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, allow_private_targets=True
    ) as server:
        yield server


async def test_a_receiver_that_is_down_for_a_while_gets_the_event_once_it_is_back(
    local_targets: Server,
) -> None:
    server = local_targets
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Dana Reyes")
    port = free_port()
    status, endpoint = await admin.request(
        "POST", "/api/webhooks", {"url": f"http://127.0.0.1:{port}/hook", "description": "CRM"}
    )
    assert status == 200 and endpoint["secret"].startswith("whsec_")
    async with server.visitor(org) as visitor:
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane Doe", "hash": None}
        )
        await visitor.send({"type": "message", "client_id": "v", "body": "Do you do SSO?"})
        cid = (await visitor.expect("ack", client_id="v"))["message"]["conversation_id"]
        await admin.request(
            "POST",
            f"/api/conversations/{cid}/messages",
            {"client_id": "r", "body": "Yes, SAML and OIDC."},
        )
        await admin.request(
            "PATCH",
            f"/api/conversations/{cid}/classification",
            {"qualified": True, "tags": ["sso"], "deal_value": 25000},
        )
        status, _ = await admin.request("POST", f"/api/conversations/{cid}/end")
        assert status == 200

    # The receiver is down: three attempts fail, each rescheduled further out.
    for wait in (0, 5, 30):
        server.clock.advance(wait)
        await server.runtime.sweeper.run_due()
    status, deliveries = await admin.request("GET", f"/api/webhooks/{endpoint['id']}/deliveries")
    pending = deliveries["deliveries"][0]
    assert (pending["status"], pending["attempts"]) == ("pending", 3)
    assert "ClientConnectorError" in pending["last_error"] or "Connect" in pending["last_error"]

    receiver = Receiver(port)
    await receiver.start()
    try:
        server.clock.advance(120)
        await server.runtime.sweeper.run_due()
        server.clock.advance(3600)
        await server.runtime.sweeper.run_due()  # nothing more is sent once delivered
    finally:
        await receiver.stop()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert headers["webhook-id"] == pending["event_id"]
    assert docs_recipe()(
        endpoint["secret"], {k.lower(): v for k, v in headers.items()}, body, tolerance=10**9
    )
    assert not docs_recipe()(
        "whsec_" + "A" * 32, {k.lower(): v for k, v in headers.items()}, body, tolerance=10**9
    )
    event = orjson.loads(body)
    assert event["type"] == "conversation.ended"
    assert [m["body"] for m in event["data"]["transcript"]][:1] == ["Do you do SSO?"]
    assert "Yes, SAML and OIDC." in [m["body"] for m in event["data"]["transcript"]]
    assert event["data"]["visitor"]["email"] == "jane@initech.example"
    assert event["data"]["rep"]["name"] == "Dana Reyes"
    assert event["data"]["conversation"]["classification"] == {
        "qualified": True,
        "tags": ["sso"],
        "deal_value": 25000.0,
        "notes": None,
    }
    status, deliveries = await admin.request("GET", f"/api/webhooks/{endpoint['id']}/deliveries")
    assert (
        deliveries["deliveries"][0]["status"] == "delivered"
        and deliveries["deliveries"][0]["attempts"] == 4
    )


async def test_every_retry_carries_the_same_event_id(local_targets: Server) -> None:
    server = local_targets
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    receiver = Receiver(free_port())
    receiver.answer = 503
    await receiver.start()
    try:
        status, endpoint = await admin.request(
            "POST", "/api/webhooks", {"url": f"http://127.0.0.1:{receiver.port}/hook"}
        )
        async with server.visitor(org) as visitor:
            await visitor.send({"type": "message", "client_id": "v", "body": "hi"})
            cid = (await visitor.expect("ack"))["message"]["conversation_id"]
            await admin.request("POST", f"/api/conversations/{cid}/end")
        for wait in (0, 5, 30, 120):
            server.clock.advance(wait)
            await server.runtime.sweeper.run_due()
        receiver.answer = 200
        server.clock.advance(600)
        await server.runtime.sweeper.run_due()
    finally:
        await receiver.stop()
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(receiver.received) == 5 and len(ids) == 1


async def test_a_410_answer_disables_the_endpoint(local_targets: Server) -> None:
    server = local_targets
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    receiver = Receiver(free_port())
    receiver.answer = 410
    await receiver.start()
    try:
        status, endpoint = await admin.request(
            "POST", "/api/webhooks", {"url": f"http://127.0.0.1:{receiver.port}/hook"}
        )
        for n in range(2):
            async with server.visitor(org) as visitor:
                await visitor.send({"type": "message", "client_id": f"v{n}", "body": "hi"})
                cid = (await visitor.expect("ack"))["message"]["conversation_id"]
                await admin.request("POST", f"/api/conversations/{cid}/end")
            await server.runtime.sweeper.run_due()
    finally:
        await receiver.stop()
    assert len(receiver.received) == 1
    status, listing = await admin.request("GET", "/api/webhooks")
    assert listing["webhooks"][0]["enabled"] is False
    assert "410" in listing["webhooks"][0]["disabled_reason"]


async def test_webhooks_to_loopback_or_private_networks_are_refused_unless_the_operator_allows_them(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    for url in (
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://localhost:9/hook",
        "http://[::1]/hook",
        "ftp://example.com/x",
    ):
        status, body = await admin.request("POST", "/api/webhooks", {"url": url})
        assert status == 422, url
    rep = await server.rep(org)
    status, _ = await rep.request("GET", "/api/webhooks")
    assert status == 403
