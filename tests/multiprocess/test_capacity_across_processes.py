"""Chat capacity with two server processes on one PostgreSQL and one Redis: three reps with a
limit of one chat each, the fourth chat queues (its visitor told "number 1 in line") and is
routed to the rep whose chat ends, whichever process each of them is on."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest

from tests.harness import Socket
from tests.multiprocess.conftest import Cluster

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"
PASSWORD = "capacity-password-1"


class Rep:
    def __init__(self, http: aiohttp.ClientSession, base: str, rep_id: str, csrf: str) -> None:
        self.http, self.base, self.rep_id, self.csrf = http, base, rep_id, csrf

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.request(
            method, self.base + path, json=body, headers={"X-CSRF-Token": self.csrf}
        ) as response:
            return response.status, await response.json()

    async def console(self) -> Socket:
        ws = await self.http.ws_connect(
            self.base.replace("http", "ws") + "/ws/rep", origin=self.base
        )
        sock = Socket(ws)
        await sock.send({"type": "hello"})
        await sock.expect("snapshot", timeout=10)
        return sock


async def _sign_in(base: str, email: str) -> Rep:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.post(
        base + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 200
        body = await response.json()
    return Rep(http, base, body["rep"]["id"], body["csrf_token"])


async def _rep(admin: Rep, base: str, name: str) -> Rep:
    """A rep the admin creates (one CLI process per rep is slow on a busy machine)."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@acme.example"
    status, answer = await admin.request(
        "POST", "/api/reps", {"email": email, "name": name, "password": PASSWORD}
    )
    assert status == 200, answer
    return await _sign_in(base, email)


async def _visitor(http: aiohttp.ClientSession, base: str, site_key: str) -> Socket:
    ws = await http.ws_connect(
        base.replace("http", "ws") + f"/ws/visitor?site={site_key}", origin=SITE
    )
    sock = Socket(ws)
    await sock.send(
        {
            "type": "hello",
            "token": None,
            "page": {"url": SITE + "/pricing", "title": "Pricing"},
            "resumed": False,
            "last_seq": 0,
            "tab_id": uuid.uuid4().hex,
        }
    )
    await sock.expect("welcome", timeout=10)
    return sock


async def _ask(visitor: Socket) -> str:
    await visitor.send({"type": "message", "client_id": "first", "body": "Hello?"})
    ack = await visitor.expect("ack", client_id="first", timeout=10)
    return str(ack["message"]["conversation_id"])


@pytest.mark.timeout(300)
async def test_the_fourth_chat_queues_and_is_routed_when_a_chat_ends_across_two_processes(
    cluster: Cluster,
) -> None:
    a, b = cluster.start("a"), cluster.start("b")
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    admin_email = f"avery-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep", "--org", site_key, "--email", admin_email, "--name", "Avery Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    admin = await _sign_in(a, admin_email)
    reps = [
        await _rep(admin, a, "Dana Reyes"),
        await _rep(admin, b, "Sam Okafor"),
        await _rep(admin, a, "Kim Lee"),
    ]
    visitors_http = aiohttp.ClientSession()
    try:
        for rep in reps:
            status, _ = await rep.request("PATCH", "/api/me/status", {"availability": "available"})
            assert status == 200
        status, capacity = await admin.request("PUT", "/api/capacity", {"default_max_chats": 1})
        assert status == 200, capacity
        chats = []
        for index, rep in enumerate(reps):
            visitor = await _visitor(visitors_http, (a, b)[index % 2], site_key)
            cid = await _ask(visitor)
            status, answer = await rep.request("POST", f"/api/conversations/{cid}/accept")
            assert status == 200, answer
            chats.append(cid)
        fourth = await _visitor(visitors_http, b, site_key)
        queued = await _ask(fourth)
        place = await fourth.expect("conversation", conversation__queue_position=1, timeout=10)
        assert place["conversation"]["status"] == "incoming"

        console = await reps[0].console()  # Dana's console, on process a
        status, _ = await reps[0].request("POST", f"/api/conversations/{chats[0]}/end")
        assert status == 200
        # The visitor on process b hears it through Redis: no longer in line.
        await fourth.expect("conversation", conversation__queue_position=None, timeout=10)
        offered = await console.expect(
            "conversation.updated",
            conversation__id=queued,
            conversation__routed_rep_ids=[reps[0].rep_id],
            timeout=10,
        )
        assert offered["conversation"]["status"] == "incoming"
        status, answer = await reps[0].request("POST", f"/api/conversations/{queued}/accept")
        assert status == 200, answer
        status, capacity = await admin.request("GET", "/api/capacity")
        assert capacity["queued"] == 0
        assert all(r["at_capacity"] for r in capacity["reps"] if r["rep_id"] != admin.rep_id)
    finally:
        await visitors_http.close()
        for rep in (admin, *reps):
            await rep.http.close()
