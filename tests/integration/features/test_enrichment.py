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


async def test_a_visitor_identified_at_an_account_shows_that_company_everywhere_even_from_another_companys_ip_range(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    csv = (
        "name,domain,target_account,employees,industry\n"
        "Initech,initech.example,yes,850,Software\n"
        "Globex,globex.example,no,12000,Energy\n"
    )
    async with admin.http.post(
        server.url + "/api/accounts/import", data=csv.encode(), headers={"X-CSRF-Token": admin.csrf}
    ) as response:
        assert response.status == 200
    status, listing = await admin.request("GET", "/api/accounts?q=globex")
    globex_id = listing["accounts"][0]["id"]
    # The test visitor connects from 127.0.0.1: a range the admin mapped to Globex.
    status, _ = await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Globex Offices", "account_id": globex_id},
    )
    assert status == 200
    status, created = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Initech people",
            "color": "#dc2626",
            "rules": {
                "conditions": [{"field": "company.name", "op": "equals", "value": "Initech"}]
            },
        },
    )
    assert status == 200
    initech_segment = created["segment"]["id"]
    async with admin.socket() as console, server.visitor(org) as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        first = (await console.expect("visitor.joined"))["visitor"]
        assert first["account"]["name"] == "Globex"

        await visitor.send(
            {"type": "identify", "email": "pat@initech.example", "name": "Pat", "hash": None}
        )
        card = (await console.expect("visitor.joined", visitor__segment=initech_segment))["visitor"]
        facts = card["enrichment"]
        assert (card["company"], card["account"]["name"]) == ("Initech", "Initech")
        assert facts["company"]["source"] == "unverified_email"
        assert (facts["employees"]["value"], facts["industry"]["value"]) == (850, "Software")

        status, v360 = await admin.request("GET", f"/api/visitors/{vid}")
        assert status == 200
        person = v360["visitor"]
        assert (person["company"], person["account"]["name"]) == ("Initech", "Initech")
        sources = {s["field"]: (s["value"], s["source"]) for s in person["company_sources"]}
        assert sources["company"] == ("Initech", "unverified_email")
        assert sources["employees"] == (850, "account")

        async with admin.socket() as fresh:
            snapshot_card = next(
                v
                for v in fresh.snapshot["visitors"]  # type: ignore[index]
                if v["visitor_id"] == vid
            )
        assert (snapshot_card["company"], snapshot_card["account"]["name"]) == (
            "Initech",
            "Initech",
        )
        assert snapshot_card["segment"] == initech_segment
