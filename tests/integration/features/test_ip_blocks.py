"""An IP block also ends the chats already open from that address or range, on every process."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import pytest

from tests.conftest import Backend
from tests.harness import Server, running_server

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def proxied(backend: Backend) -> AsyncIterator[Server]:
    """Behind a trusted proxy on 127.0.0.1, so each visitor can come from its own address."""
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    ) as server:
        yield server


async def test_blocking_a_range_closes_the_open_sockets_from_it_with_a_blocked_frame_and_4403(
    proxied: Server,
) -> None:
    server = proxied
    org, other_org = await server.create_org(), await server.create_org("Globex")
    admin = await server.rep(org, role="admin")
    spammer = {"X-Forwarded-For": "203.0.113.77"}
    async with (
        server.visitor(org, headers=spammer) as blocked,
        server.visitor(org, headers={"X-Forwarded-For": "198.51.100.1"}) as bystander,
        server.visitor(other_org, headers=spammer) as other_orgs_visitor,
    ):
        await blocked.send({"type": "message", "client_id": "v1", "body": "buy cheap watches"})
        await blocked.expect("ack", client_id="v1")

        status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "203.0.113.0/24"})
        assert status == 200

        await blocked.expect("blocked")
        assert await blocked.closed_code() == 4403
        for still_chatting in (bystander, other_orgs_visitor):  # another address, another org
            await still_chatting.send({"type": "ping"})
            await still_chatting.expect("pong")
