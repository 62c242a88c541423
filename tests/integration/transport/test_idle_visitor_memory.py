"""What an idle visitor socket keeps (issue 2: bytes per idle socket), and the org cache that
lets all sockets of an org share one Org row."""

from __future__ import annotations

import asyncio
import gc

import pytest

from frontdesk.features.audience import EVERYONE
from frontdesk.transport.frames import VisitorHello
from frontdesk.transport.visitor_registry import VisitorRegistry
from frontdesk.transport.ws_visitor import REGISTRY_KEY, VisitorConnection
from tests.harness import OrgInfo, Server

pytestmark = pytest.mark.asyncio


def _registry(server: Server) -> VisitorRegistry:
    return server.app[REGISTRY_KEY]


def _connections(server: Server, org: OrgInfo) -> list[VisitorConnection]:
    members = _registry(server)._orgs.get(org.id, {})
    return [m for m in members if isinstance(m, VisitorConnection)]


async def _idle(connections: list[VisitorConnection]) -> None:
    """Waits until the welcome's drain task has finished (it ends just after the last send)."""
    for _ in range(100):
        if all(c.sender._drainer is None for c in connections):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("frames still queued")


async def test_an_idle_visitor_socket_keeps_no_hello_no_queue_and_shares_its_org(
    server: Server,
) -> None:
    org = await server.create_org()
    async with server.visitor(org) as first, server.visitor(org, url=org.origin + "/b") as second:
        connections = _connections(server, org)
        assert len(connections) == 2
        await _idle(connections)
        a, b = connections
        # One Org object for the whole org (the registry's cache), not one per socket.
        assert a.org is b.org and a.org.id == org.id
        for connection in connections:
            tab = connection.tab
            assert not hasattr(connection, "__dict__")  # slotted
            assert not hasattr(tab, "__dict__")
            assert connection.sender._queue is None  # the queue exists only while frames wait
            assert connection._own_echoes is None
            assert tab._tasks is None
            assert tab.visibility is EVERYONE  # nobody routed, no chat: shared
            assert tab.live is not None and not hasattr(tab.live, "__dict__")
        gc.collect()
        assert not [o for o in gc.get_objects() if isinstance(o, VisitorHello)]
        # And both still work, queue and all.
        for sock in (first, second):
            await sock.send({"type": "ping"})
            await sock.expect("pong")
        await sock.send({"type": "message", "client_id": "m1", "body": "Hello?"})
        await sock.expect("ack", client_id="m1")


async def test_a_chat_gives_the_socket_its_own_visibility_and_back(server: Server) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "m1", "body": "Hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        status, _ = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        await visitor.expect("conversation", conversation__status="active")
        (connection,) = _connections(server, org)
        assert connection.tab.visibility.owner_rep_id == dana.rep_id
        assert EVERYONE.owner_rep_id is None and EVERYONE.routed_rep_ids == []


async def test_hellos_that_miss_the_org_cache_together_share_one_read(server: Server) -> None:
    org = await server.create_org()
    registry = _registry(server)
    found = await asyncio.gather(*(registry.org_for_site_key(org.site_key) for _ in range(20)))
    assert found[0] is not None and found[0].id == org.id
    assert all(o is found[0] for o in found)
    assert len(registry._org_loads) == 0
    assert await registry.org_for_site_key("site_doesnotexist") is None
    assert "site_doesnotexist" not in registry._org_rows  # unknown keys are not cached


async def test_org_settings_reach_new_and_open_sockets_at_once_without_waiting_for_the_cache(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await server.create_org()
    registry = _registry(server)
    monkeypatch.setattr(registry, "_clock", lambda: 1000.0)  # a cached row never expires
    admin = await server.rep(org, role="admin", available=False)
    async with server.visitor(org) as already_here:
        assert already_here.welcome is not None
        assert already_here.welcome["config"]["idle_after_seconds"] == 60
        status, _ = await admin.request("PATCH", "/api/org/settings", {"idle_after_seconds": 120})
        assert status == 200
        async with server.visitor(org) as newcomer:
            assert newcomer.welcome is not None
            assert newcomer.welcome["config"]["idle_after_seconds"] == 120
            # The socket that was already open took the fresh row too, shared as before. With
            # Redis the change also comes back over the bus and may swap in a newer row just
            # after the newcomer's welcome: wait for both sockets to settle on one row.
            first, second = _connections(server, org)
            for _ in range(200):
                if first.org is second.org:
                    break
                await asyncio.sleep(0.01)
            assert first.org is second.org and first.org.idle_after_seconds == 120
