"""Revoking a session closes its consoles on every process at once (PostgreSQL + Redis)."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from tests.harness import Socket
from tests.multiprocess.conftest import Cluster

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"
PASSWORD = "dana-password"


def _setup_rep(cluster: Cluster) -> tuple[str, str]:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"rep-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Dana"),
        *("--role", "rep", "--password", PASSWORD),
    )
    return site_key, email


async def _sign_in(http: aiohttp.ClientSession, base: str, email: str) -> str:
    async with http.post(
        base + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 200
        return str((await response.json())["csrf_token"])


async def _console(http: aiohttp.ClientSession, base: str) -> Socket:
    ws = await http.ws_connect(base.replace("http", "ws") + "/ws/rep", origin=base)
    sock = Socket(ws)
    await sock.send({"type": "hello"})
    sock.snapshot = await sock.expect("snapshot")
    return sock


async def _still_open(console: Socket) -> None:
    await console.send({"type": "ping"})
    await console.expect("pong")


async def test_signing_out_closes_that_browsers_consoles_on_every_process_and_no_other(
    cluster: Cluster,
) -> None:
    _, email = _setup_rep(cluster)
    a, b = cluster.start("a"), cluster.start("b")
    jar = aiohttp.CookieJar
    async with (
        aiohttp.ClientSession(cookie_jar=jar(unsafe=True)) as laptop,
        aiohttp.ClientSession(cookie_jar=jar(unsafe=True)) as phone,
    ):
        laptop_csrf = await _sign_in(laptop, a, email)
        laptop_on_a, laptop_on_b = await _console(laptop, a), await _console(laptop, b)
        phone_csrf = await _sign_in(phone, b, email)
        phone_on_a = await _console(phone, a)

        async with laptop.post(
            a + "/api/auth/logout", headers={"X-CSRF-Token": laptop_csrf}
        ) as response:
            assert response.status == 200
        assert await laptop_on_a.closed_code() == 4401
        assert await laptop_on_b.closed_code() == 4401, "the other process closed it too"
        async with laptop.get(b + "/api/me") as response:
            assert response.status == 401
        await _still_open(phone_on_a)  # another browser's session is not this one

        # Signing out everywhere from B reaches the phone's console on A as well.
        laptop_csrf = await _sign_in(laptop, a, email)
        laptop_on_a = await _console(laptop, a)
        async with phone.post(
            b + "/api/auth/logout-everywhere", headers={"X-CSRF-Token": phone_csrf}
        ) as response:
            assert response.status == 200
        assert await phone_on_a.closed_code() == 4401
        assert await laptop_on_a.closed_code() == 4401
        for http in (laptop, phone):
            async with http.get(a + "/api/me") as response:
                assert response.status == 401


async def test_an_ip_block_added_on_one_process_closes_that_visitors_socket_on_the_other(
    cluster: Cluster,
) -> None:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"admin-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Ada"),
        *("--role", "admin", "--password", PASSWORD),
    )
    a, b = cluster.start("a"), cluster.start("b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin,
        aiohttp.ClientSession() as visitor_http,
    ):
        ws = await visitor_http.ws_connect(
            b.replace("http", "ws") + f"/ws/visitor?site={site_key}", origin=SITE
        )
        visitor = Socket(ws)
        await visitor.send(
            {"type": "hello", "token": None, "page": {"url": SITE + "/", "title": "Home"}}
            | {"resumed": False, "last_seq": 0, "tab_id": "tab"}
        )
        await visitor.expect("welcome", timeout=10)
        csrf = await _sign_in(admin, a, email)
        async with admin.post(
            a + "/api/ip-blocks", json={"cidr": "127.0.0.1/32"}, headers={"X-CSRF-Token": csrf}
        ) as response:
            assert response.status == 200
        await visitor.expect("blocked")
        assert await visitor.closed_code() == 4403


async def test_an_api_token_revoked_on_one_process_is_refused_at_once_on_the_other(
    cluster: Cluster,
) -> None:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"admin-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        *("--org", site_key, "--email", email, "--name", "Ada"),
        *("--role", "admin", "--password", PASSWORD),
    )
    a, b = cluster.start("a"), cluster.start("b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin,
        aiohttp.ClientSession() as script,
    ):
        csrf = await _sign_in(admin, a, email)
        async with admin.post(
            a + "/api/api-tokens",
            json={"name": "CRM", "scopes": ["read"]},
            headers={"X-CSRF-Token": csrf},
        ) as response:
            assert response.status == 200
            made = await response.json()
        bearer = {"Authorization": f"Bearer {made['token']}"}
        async with script.get(b + "/api/shortcuts", headers=bearer) as response:
            assert response.status == 200
        async with admin.post(
            a + f"/api/api-tokens/{made['id']}/revoke", headers={"X-CSRF-Token": csrf}
        ) as response:
            assert response.status == 200
        # The very next request, on the other process: no cache to wait out.
        async with script.get(b + "/api/shortcuts", headers=bearer) as response:
            assert response.status == 401
            assert "revoked" in (await response.json())["error"]["message"]
