"""Each process caches an org's IP blocks for its visitor handshakes (issue 21: a reconnect storm
reads them once, not once per socket), and a block added or lifted on one process reaches the
cache of every other at once, over the bus."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest

from frontdesk.transport.ws_visitor import REGISTRY_KEY
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server

pytestmark = pytest.mark.asyncio
SPAMMER = {"X-Forwarded-For": "203.0.113.77"}
BYSTANDER = {"X-Forwarded-For": "198.51.100.1"}
CACHE_SECONDS = 10.0  # how long a process may keep an org's blocks when nobody tells it


@asynccontextmanager
async def _two_processes(backend: Backend) -> AsyncIterator[tuple[Server, Server]]:
    """Two servers on one database and one bus, as two processes would be."""
    proxy = (ipaddress.ip_network("127.0.0.1/32"),)
    async with (
        running_server(
            backend.database_url, backend.bus_url, backend.namespace, trusted_proxies=proxy
        ) as a,
        running_server(
            backend.database_url, backend.bus_url, backend.namespace, trusted_proxies=proxy
        ) as b,
    ):
        yield a, b


async def _refused(server: Server, org: OrgInfo) -> bool:
    try:
        ws = await server.http().ws_connect(
            f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin, headers=SPAMMER
        )
    except aiohttp.WSServerHandshakeError as refused:
        assert refused.status == 403
        return True
    await ws.close()
    return False


async def _until(server: Server, org: OrgInfo, *, refused: bool) -> float:
    started = time.monotonic()
    while await _refused(server, org) != refused:
        assert time.monotonic() - started < CACHE_SECONDS / 2, "the other process kept its copy"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_an_ip_block_added_or_lifted_on_one_process_applies_to_the_next_handshake_on_the_other(
    postgres_redis_backend: Backend,
) -> None:
    async with _two_processes(postgres_redis_backend) as (a, b):
        org = await a.create_org()
        admin = await a.rep(org, role="admin")
        # B has a socket of the org (so it caches the org's blocks) and has read them.
        async with b.visitor(org, headers=BYSTANDER):
            assert not await _refused(b, org)
            assert not await _refused(b, org)  # from B's cache now

            status, block = await admin.request(
                "POST", "/api/ip-blocks", {"cidr": "203.0.113.0/24"}
            )
            assert status == 200
            await _until(b, org, refused=True)

            status, _ = await admin.request("DELETE", f"/api/ip-blocks/{block['id']}")
            assert status == 200
            await _until(b, org, refused=False)


async def test_a_process_serves_the_cached_blocks_without_reading_them_again(
    server: Server,
) -> None:
    from tests.query_count import counting_queries

    org = await server.create_org()
    async with server.visitor(org, headers=BYSTANDER):
        assert not await _refused(server, org)  # reads the blocks (the org has a socket here)
        with counting_queries(server.runtime.db) as statements:
            assert not await _refused(server, org)
        assert not any("ip_blocks" in sql for sql in statements.sql), str(statements)


async def test_handshakes_of_an_org_with_no_socket_here_yet_share_one_read_of_its_blocks(
    server: Server,
) -> None:
    """A restarted process meets a reconnect storm with no socket of the org registered yet
    (so nothing may be cached): the handshakes that arrive together read the blocks once."""
    from tests.query_count import counting_queries

    org = await server.create_org()
    registry = server.app[REGISTRY_KEY]
    with counting_queries(server.runtime.db) as statements:
        found = await asyncio.gather(*(registry.ip_blocks(org.id) for _ in range(30)))
    assert found == [[]] * 30
    reads = [sql for sql in statements.sql if "ip_blocks" in sql]
    assert len(reads) == 1, statements
    # Nothing is kept while this process has no socket of the org: the next one reads again.
    with counting_queries(server.runtime.db) as statements:
        await registry.ip_blocks(org.id)
    assert len([sql for sql in statements.sql if "ip_blocks" in sql]) == 1, statements


async def test_a_cached_block_ends_at_its_own_time_even_while_the_org_has_sockets_here(
    backend: Backend,
) -> None:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, role="admin")
        until = (server.clock.now() + timedelta(hours=1)).isoformat()
        status, _ = await admin.request(
            "POST", "/api/ip-blocks", {"cidr": "203.0.113.0/24", "expires_at": until}
        )
        assert status == 200
        async with server.visitor(org, headers=BYSTANDER):
            assert await _refused(server, org)
            assert await _refused(server, org)  # from the cache
            server.clock.advance(3601)  # type: ignore[attr-defined]
            assert not await _refused(server, org)


async def test_an_experience_renamed_on_one_process_shows_on_the_next_card_from_the_other(
    postgres_redis_backend: Backend,
) -> None:
    async with _two_processes(postgres_redis_backend) as (a, b):
        org = await a.create_org()
        admin = await a.rep(org, role="admin")
        status, listing = await admin.request("GET", "/api/experiences")
        assert status == 200
        default = listing["experiences"][0]
        async with admin.socket() as console, b.visitor(org, headers=BYSTANDER):
            # B caches the org's placement data (experience names included) for its sockets.
            joined = await console.expect("visitor.joined")
            assert joined["visitor"]["experience"] == default["name"]
            status, _ = await admin.request(
                "PATCH", f"/api/experiences/{default['id']}", {"name": "Concierge"}
            )
            assert status == 200, _
            started = time.monotonic()
            while True:
                async with b.visitor(org, headers=BYSTANDER):
                    card = await console.expect("visitor.joined")
                if card["visitor"]["experience"] == "Concierge":
                    break
                assert time.monotonic() - started < CACHE_SECONDS / 2, "B kept the old name"


async def test_hellos_that_miss_the_placement_data_together_share_one_read(server: Server) -> None:
    from tests.query_count import counting_queries

    org = await server.create_org()
    registry = server.app[REGISTRY_KEY]
    await registry.segments(org.id)  # whatever a first read of the org does once
    with counting_queries(server.runtime.db) as alone:
        await registry.segments(org.id)
    with counting_queries(server.runtime.db) as statements:
        found = await asyncio.gather(*(registry.segments(org.id) for _ in range(30)))
    assert all(placement is found[0] for placement in found)
    # Thirty hellos at once read no more than one hello alone (nothing is kept yet: the org
    # has no socket here).
    assert len(statements.sql) == len(alone.sql) > 0, (statements, alone)
