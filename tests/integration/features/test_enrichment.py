"""Who is behind a visitor: offline IP data, the admin's IP ranges and an external provider."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.features.enrichment.ipdata import IpDirectory
from tests.conftest import Backend
from tests.harness import Server, running_server

pytestmark = pytest.mark.asyncio
FASTLY_IP = "151.101.1.69"  # AS54113 Fastly, Inc. in the shipped @ip-location-db data


@pytest.fixture
async def proxied_server(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    """A server behind a trusted proxy on 127.0.0.1, so tests can say which IP a visitor has."""
    directory = IpDirectory.shared()
    await directory.ready()
    if not directory.available:
        pytest.fail(
            "offline IP data is missing: run scripts/setup (it copies it from web/node_modules)"
        )
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    ) as server:
        yield server


async def test_a_visitor_from_a_known_network_shows_its_company_and_country_with_their_sources(
    proxied_server: Server,
) -> None:
    server = proxied_server
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with (
        admin.socket() as console,
        server.visitor(org, headers={"X-Forwarded-For": FASTLY_IP}),
    ):
        card = (await console.expect("visitor.joined"))["visitor"]
    assert card["company"] == "Fastly, Inc."
    assert card["enrichment"]["company"] == {
        "value": "Fastly, Inc.",
        "source": "ip_asn",
        "confidence": "low",
    }
    assert card["enrichment"]["country"]["value"] == "US"


async def test_the_admins_ip_range_table_beats_the_asn_data(proxied_server: Server) -> None:
    server = proxied_server
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request(
        "POST", "/api/ip-ranges", {"cidr": "151.101.0.0/16", "company": "Acme HQ"}
    )
    assert status == 200
    status, refused = await admin.request(
        "POST", "/api/ip-ranges", {"cidr": "not-a-range", "company": "X"}
    )
    assert status == 422 and "CIDR" in refused["error"]["message"]
    async with (
        admin.socket() as console,
        server.visitor(org, headers={"X-Forwarded-For": FASTLY_IP}),
    ):
        card = (await console.expect("visitor.joined"))["visitor"]
    assert card["company"] == "Acme HQ"
    assert card["enrichment"]["company"]["source"] == "ip_range"


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with server.visitor(org, headers={"X-Forwarded-For": FASTLY_IP}) as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        status, body = await admin.request("GET", f"/api/visitors/{vid}")
    assert body["visits"][0]["ip"] == "127.0.0.1"


async def test_an_external_firmographics_provider_adds_what_it_knows(
    sqlite_memory_backend: Backend,
) -> None:
    asked: list[str] = []

    async def lookup(request: web.Request) -> web.Response:
        asked.append(request.query["ip"])
        assert request.headers["Authorization"] == "Bearer secret-token"
        return web.json_response(
            {
                "company": "Initech",
                "domain": "initech.example",
                "employees": 850,
                "industry": "Software",
                "confidence": "high",
            }
        )

    app = web.Application()
    app.router.add_get("/reveal", lookup)
    provider = TestServer(app, host="127.0.0.1")
    await provider.start_server()
    try:
        async with running_server(
            sqlite_memory_backend.database_url,
            "memory://",
            "unused",
            trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
            enrichment_url=f"http://127.0.0.1:{provider.port}/reveal?ip={{ip}}",
            enrichment_token="secret-token",
        ) as server:
            org = await server.create_org()
            admin = await server.rep(org, role="admin")
            async with (
                admin.socket() as console,
                server.visitor(org, headers={"X-Forwarded-For": "203.0.113.9"}),
            ):
                card = await console.expect("visitor.joined", visitor__company="Initech")
    finally:
        await provider.close()
    assert asked == ["203.0.113.9"]
    enrichment = card["visitor"]["enrichment"]
    assert enrichment["company"] == {"value": "Initech", "source": "provider", "confidence": "high"}
    assert enrichment["employees"]["value"] == 850 and enrichment["industry"]["value"] == "Software"
