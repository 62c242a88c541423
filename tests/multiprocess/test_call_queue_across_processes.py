"""The voice call queue on two `frontdesk serve` processes (PostgreSQL + Redis): a visitor's
"Call us" on one process rings three reps on both; two of them answer at the same moment,
each through a different process, and exactly one gets the call; every console sees who."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.harness import Socket
from tests.multiprocess.conftest import Cluster
from tests.multiprocess.test_two_processes import SITE, _rep_socket, _visitor_socket

pytestmark = pytest.mark.asyncio


def _new_rep(cluster: Cluster, site_key: str, name: str, role: str = "rep") -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        "--org",
        site_key,
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password",
        "dana-password",
    )
    return email


async def _csrf(http: aiohttp.ClientSession, base: str) -> str:
    async with http.get(base + "/api/me") as response:
        assert response.status == 200
        return str((await response.json())["csrf_token"])


async def _request(
    http: aiohttp.ClientSession, base: str, method: str, path: str, body: Any = None
) -> Any:
    async with http.request(
        method, base + path, json=body, headers={"X-CSRF-Token": await _csrf(http, base)}
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _first_of(sock: Socket, types: tuple[str, ...], timeout: float = 10.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for index, frame in enumerate(sock.unread):
        if frame.get("type") in types:
            del sock.unread[index]
            return frame
    while True:
        frame = await sock.next_frame(max(0.01, deadline - loop.time()))
        if frame.get("type") in types:
            return frame
        sock.unread.append(frame)


@dataclass
class Queue:
    """Three reps at work on two processes (Dana and Lee on A, Sam on B), "Call us" offered to
    everyone; the base URL of each process."""

    site_key: str
    a: str
    b: str
    consoles: list[Socket]
    rep_ids: list[str]


@asynccontextmanager
async def _three_reps(cluster: Cluster) -> AsyncIterator[Queue]:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    admin_email = _new_rep(cluster, site_key, "Avery Admin", "admin")
    a, b = cluster.start("a"), cluster.start("b")
    sessions = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(4)]
    consoles: list[Socket] = []
    try:
        admin_http, *rep_http = sessions
        async with admin_http.post(
            a + "/api/auth/login", json={"email": admin_email, "password": "dana-password"}
        ) as response:
            assert response.status == 200
        # The reps, made by the admin (a CLI run per rep costs seconds on a busy machine).
        emails = []
        for name in ("Dana Reyes", "Sam Okafor", "Lee Park"):
            emails.append(f"rep-{uuid.uuid4().hex[:6]}@acme.example")
            await _request(
                admin_http,
                a,
                "POST",
                "/api/reps",
                {"email": emails[-1], "name": name, "password": "dana-password"},
            )
        segments = await _request(admin_http, a, "GET", "/api/segments")
        everyone = next(s["id"] for s in segments["segments"] if s["name"] == "Everyone else")
        await _request(
            admin_http,
            a,
            "PATCH",
            "/api/org/settings",
            {"calls": {"queue_segment_ids": [everyone], "queue_timeout_seconds": 120}},
        )
        bases = [a, b, a]
        for http, base, email in zip(rep_http, bases, emails, strict=True):
            consoles.append(await _rep_socket(http, base, email))
            await _request(http, base, "PATCH", "/api/me/status", {"availability": "available"})
        rep_ids = [
            (await _request(h, base, "GET", "/api/me"))["rep"]["id"]
            for h, base in zip(rep_http, bases, strict=True)
        ]
        yield Queue(site_key, a, b, consoles, rep_ids)
    finally:
        for console in consoles:
            await console.ws.close()
        for session in sessions:
            await session.close()


async def _caller(http: aiohttp.ClientSession, queue: Queue) -> tuple[Socket, str]:
    """A new visitor on B presses "Call us"; every console rings. The visitor and the call."""
    visitor = await _visitor_socket(http, queue.b, queue.site_key, None, 0)
    assert visitor.welcome["config"]["call_queue"] is True  # type: ignore[index]
    await visitor.send({"type": "call_queue", "tab_id": "tab"})
    call_id = str((await visitor.expect("call_ice", timeout=10))["call_id"])
    for console in queue.consoles:
        ringing = await console.expect("call", timeout=10, call__id=call_id)
        assert ringing["call"]["queued"] is True
    return visitor, call_id


async def test_three_reps_ring_and_of_two_answers_through_two_processes_exactly_one_wins(
    cluster: Cluster,
) -> None:
    async with (
        _three_reps(cluster) as queue,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as visitor_http,
    ):
        visitor, call_id = await _caller(visitor_http, queue)
        consoles, me = queue.consoles, queue.rep_ids
        # Dana (through A) and Sam (through B) answer at the same moment.
        dana, sam, lee = consoles
        await asyncio.gather(
            dana.send({"type": "call_pickup", "call_id": call_id, "leg": "dana"}),
            sam.send({"type": "call_pickup", "call_id": call_id, "leg": "sam"}),
        )
        got = {
            "dana": await _first_of(dana, ("call_ice", "error")),
            "sam": await _first_of(sam, ("call_ice", "error")),
        }
        winners = [n for n, f in got.items() if f["type"] == "call_ice"]
        assert len(winners) == 1, got
        loser = "sam" if winners == ["dana"] else "dana"
        assert got[loser]["message"] == "already answered: another rep took this call first"
        winner_id = me[0] if winners == ["dana"] else me[1]
        for console in consoles:
            taken = await console.expect(
                "call", timeout=10, call__id=call_id, call__state="connecting"
            )
            assert taken["call"]["rep"]["id"] == winner_id
        connecting = await visitor.expect("call", timeout=10, call__state="connecting")
        assert connecting["call"]["rep"]["id"] == winner_id
        await lee.send({"type": "call_pickup", "call_id": call_id, "leg": "lee"})
        assert (await lee.expect("error", timeout=10))["message"].startswith("already answered")
        await visitor.send({"type": "call_hangup", "call_id": call_id})
        await visitor.expect("call", timeout=10, call__state="ended")
        await visitor.ws.close()


async def test_a_rep_declines_a_queued_call_for_everyone_across_processes_first_wins(
    cluster: Cluster,
) -> None:
    async with (
        _three_reps(cluster) as queue,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as visitor_http,
    ):
        dana, sam, lee = queue.consoles
        # Dana (on A) declines: every console, on both processes, sees it go; the caller (on
        # B) is told and gets the offline form; the call is recorded as declined.
        visitor, call_id = await _caller(visitor_http, queue)
        await dana.send({"type": "call_decline", "call_id": call_id})
        for console in queue.consoles:
            gone = await console.expect("call", timeout=10, call__id=call_id, call__state="ended")
            assert (gone["call"]["end_reason"], gone["call"]["queued"]) == ("declined", False)
        ended = await visitor.expect("call", timeout=10, call__state="ended")
        assert ended["call"]["end_detail"] == "declined by Dana Reyes"
        await visitor.expect(
            "message", timeout=10, message__body="Sorry, nobody could take your call right now."
        )
        offline = await visitor.expect("conversation", timeout=10, conversation__offline=True)
        assert offline["conversation"]["status"] == "incoming"
        await sam.send({"type": "call_pickup", "call_id": call_id, "leg": "sam"})
        assert (await sam.expect("error", timeout=10))["message"] == "this call has ended"
        await visitor.ws.close()

        # Lee (on A) declines while Sam (on B) answers, at the same moment, a few times: each
        # time exactly one of them wins, and every console and the caller agree on which.
        for _ in range(4):
            visitor, call_id = await _caller(visitor_http, queue)
            await asyncio.gather(
                lee.send({"type": "call_decline", "call_id": call_id}),
                sam.send({"type": "call_pickup", "call_id": call_id, "leg": "sam"}),
            )
            answer = await _first_of(sam, ("call_ice", "error"))
            final = await visitor.expect("call", timeout=10)
            while final["call"]["state"] == "requested":
                final = await visitor.expect("call", timeout=10)
            if answer["type"] == "call_ice":
                assert final["call"]["state"] == "connecting"
                assert final["call"]["rep"]["id"] == queue.rep_ids[1]
                refused = await _first_of(lee, ("error",))
                assert refused["message"] == "already answered: another rep took this call first"
                for console in queue.consoles:
                    await console.expect(
                        "call", timeout=10, call__id=call_id, call__state="connecting"
                    )
                await visitor.send({"type": "call_hangup", "call_id": call_id})
                await visitor.expect("call", timeout=10, call__state="ended")
                await sam.expect("call", timeout=10, call__id=call_id, call__state="ended")
            else:
                assert answer["message"] == "this call has ended"
                assert (final["call"]["state"], final["call"]["end_reason"]) == (
                    "ended",
                    "declined",
                )
                for console in queue.consoles:
                    await console.expect("call", timeout=10, call__id=call_id, call__state="ended")
            await visitor.ws.close()
