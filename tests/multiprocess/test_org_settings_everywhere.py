"""An admin's settings change on one process applies at once on the other (issue 13, item 3)."""

from __future__ import annotations

import time
import uuid

import aiohttp
import pytest

from tests.multiprocess.conftest import Cluster
from tests.multiprocess.test_two_processes import SITE, _visitor_socket

pytestmark = pytest.mark.asyncio
PASSWORD = "admin-password"
CACHE_SECONDS = 10.0  # how long a process may keep an org row when nobody tells it otherwise


def _admin(cluster: Cluster, site_key: str) -> str:
    email = f"admin-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep", "--org", site_key, "--email", email, "--name", "Ada Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    return email


async def _sign_in(http: aiohttp.ClientSession, base: str, email: str) -> str:
    async with http.post(
        base + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 200
        return str((await response.json())["csrf_token"])


async def test_a_settings_change_on_one_process_reaches_the_other_at_once_and_greets_who_is_there(
    cluster: Cluster,
) -> None:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = _admin(cluster, site_key)
    a, b = cluster.start("a"), cluster.start("b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        csrf = await _sign_in(admin_http, a, email)
        headers = {"X-CSRF-Token": csrf}
        async with admin_http.patch(
            a + "/api/me/status", json={"availability": "available"}, headers=headers
        ) as response:
            assert response.status == 200
        # B reads (and caches) the org row for this visitor's hello.
        browsing = await _visitor_socket(visitor_http, b, site_key, None, 0)
        assert browsing.welcome is not None
        assert browsing.welcome["config"]["idle_after_seconds"] == 60
        cluster.move_clock(120)  # they have browsed two minutes, auto pounce still off

        async with admin_http.patch(
            a + "/api/org/settings",
            json={
                "idle_after_seconds": 120,
                "proactive": {"auto_pounce": True, "auto_pounce_after_seconds": 30},
            },
            headers=headers,
        ) as response:
            assert response.status == 200, await response.text()
        changed_at = time.monotonic()

        # The next hello on B sees the new row: B heard the change over Redis and dropped its
        # copy. (Redis delivers in milliseconds; B's copy would otherwise live 10 s.)
        while True:
            newcomer = await _visitor_socket(visitor_http, b, site_key, None, 0)
            assert newcomer.welcome is not None
            seen = newcomer.welcome["config"]["idle_after_seconds"]
            await newcomer.ws.close()
            if seen == 120:
                break
            assert time.monotonic() - changed_at < CACHE_SECONDS / 2, "B kept the stale org row"
        assert time.monotonic() - changed_at < CACHE_SECONDS / 2

        # The visitor who was already browsing on B is greeted by auto pounce (A scheduled it
        # when the switch went on; whichever process's sweeper fires it, B delivers it).
        greeting = await browsing.expect("message", timeout=10, message__author_kind="rep")
        assert greeting["message"]["conversation_id"]
        await browsing.ws.close()
