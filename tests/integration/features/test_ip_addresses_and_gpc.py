"""What is stored of a visitor's IP address (Admin -> Privacy: full, truncated to /24 and /48,
or none; enrichment sees the full address first), and Global Privacy Control / Do Not Track:
when the org honours them, a browser that sends one is not tracked (no page views, address,
user agent, referrer or UTM stored) and can still chat."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.features.visitors import truncate_ip
from frontdesk.features.visitors.models import PageView, Visit
from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server


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


async def privacy_settings(admin: RepClient, **settings: Any) -> dict[str, Any]:
    status, org = await admin.request("PATCH", "/api/org/settings", {"privacy": settings})
    assert status == 200, org
    return org["privacy"]  # type: ignore[no-any-return]


async def visits_of(server: Server, visitor_id: str) -> list[Visit]:
    async with server.runtime.db.read() as session:
        return list(
            (await session.execute(select(Visit).where(Visit.visitor_id == visitor_id))).scalars()
        )


async def page_views_of(server: Server, visitor_id: str) -> list[str]:
    async with server.runtime.db.read() as session:
        return list(
            (
                await session.execute(select(PageView.url).where(PageView.visitor_id == visitor_id))
            ).scalars()
        )


def test_truncation_keeps_the_24_or_the_48() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:1:2:3:4:5:6") == "2001:db8:1::"
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0"
    assert truncate_ip("not an address") is None


async def test_truncated_addresses_are_stored_after_enrichment_saw_the_full_one(
    proxied: Server,
) -> None:
    server = proxied
    org, other_org = await server.create_org(), await server.create_org("Other")
    admin = await server.rep(org, role="admin")
    # A company's office is one address: only the full address matches it.
    status, _ = await admin.request(
        "POST", "/api/ip-ranges", {"cidr": "203.0.113.77/32", "company": "Initech"}
    )
    assert status == 200
    assert (await privacy_settings(admin, ip_addresses="truncated"))["ip_addresses"] == "truncated"
    office = {"X-Forwarded-For": "203.0.113.77"}
    async with server.visitor(org, headers=office) as visitor:
        visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
        status, v360 = await admin.request("GET", f"/api/visitors/{visitor_id}")
        assert status == 200
    [visit] = await visits_of(server, visitor_id)
    assert visit.ip == "203.0.113.0"
    assert visit.enrichment["company"]["value"] == "Initech"
    assert "203.0.113.77" not in str(v360)
    # Reports filed about the visitor keep what the visit keeps.
    status, _ = await admin.request(
        "POST", f"/api/visitors/{visitor_id}/block", {"report": True, "reason": "spam"}
    )
    assert status == 200
    status, blocks = await admin.request("GET", "/api/blocks")
    assert status == 200 and "203.0.113.0" in str(blocks) and "203.0.113.77" not in str(blocks)
    # Another org stores full addresses (the default).
    async with server.visitor(other_org, headers=office) as stranger:
        [visit] = await visits_of(server, stranger.welcome["visitor_id"])  # type: ignore[index]
    assert visit.ip == "203.0.113.77"


async def test_no_address_at_all_when_the_org_says_none(proxied: Server) -> None:
    server = proxied
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await privacy_settings(admin, ip_addresses="none")
    async with server.visitor(org, headers={"X-Forwarded-For": "2001:db8:1:2::5"}) as visitor:
        [visit] = await visits_of(server, visitor.welcome["visitor_id"])  # type: ignore[index]
    assert visit.ip is None
    status, error = await admin.request(
        "PATCH", "/api/org/settings", {"privacy": {"ip_addresses": "partial"}}
    )
    assert status == 422 and "ip_addresses" in str(error)


async def browse_and_chat(
    server: Server, org: OrgInfo, rep: RepClient, headers: dict[str, str]
) -> str:
    async with server.visitor(
        org, headers=headers, url=org.origin + "/?utm_source=ads&utm_campaign=spring"
    ) as visitor:
        await visitor.send(
            {"type": "page_view", "page": {"url": org.origin + "/pricing", "title": "Pricing"}}
        )
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hi, a question"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        await rep.request(
            "POST", f"/api/conversations/{cid}/messages", {"client_id": "r1", "body": "Sure"}
        )
        await visitor.expect("message", message__client_id="r1")
        return visitor.welcome["visitor_id"]  # type: ignore[index,no-any-return]


@pytest.mark.parametrize("signal", [{"Sec-GPC": "1"}, {"DNT": "1"}])
async def test_gpc_or_dnt_is_honoured_when_the_org_says_so(
    proxied: Server, signal: dict[str, str]
) -> None:
    server = proxied
    org, other_org = await server.create_org(), await server.create_org("Other")
    admin, rep = await server.rep(org, role="admin"), await server.rep(org)
    other_rep = await server.rep(other_org)
    headers = {"X-Forwarded-For": "198.51.100.9", "User-Agent": "Firefox/140", **signal}
    assert (await privacy_settings(admin, honour_gpc=True))["honour_gpc"] is True

    visitor_id = await browse_and_chat(server, org, rep, headers)
    [visit] = await visits_of(server, visitor_id)
    assert (visit.ip, visit.user_agent, visit.referrer, visit.landing_url) == (None,) * 4
    assert (visit.utm_source, visit.utm_campaign) == (None, None)
    assert visit.enrichment == {} or "company" not in visit.enrichment
    assert await page_views_of(server, visitor_id) == []

    # A browser without the signal is tracked as before; so is one of an org that does not
    # honour it.
    tracked_id = await browse_and_chat(
        server, org, rep, {"X-Forwarded-For": "198.51.100.10", "User-Agent": "Firefox/140"}
    )
    [visit] = await visits_of(server, tracked_id)
    assert visit.ip == "198.51.100.10" and visit.utm_source == "ads"
    assert len(await page_views_of(server, tracked_id)) == 2
    elsewhere_id = await browse_and_chat(server, other_org, other_rep, headers)
    [visit] = await visits_of(server, elsewhere_id)
    assert visit.ip == "198.51.100.9" and visit.user_agent == "Firefox/140"
    assert len(await page_views_of(server, elsewhere_id)) == 2
