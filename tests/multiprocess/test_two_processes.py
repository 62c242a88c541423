"""Two server processes on one PostgreSQL and one Redis: nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp
import orjson
import pytest
from sqlalchemy import select

from frontdesk.deadlines.models import Deadline
from frontdesk.features.conversations import KIND_INCOMING_TIMEOUT
from frontdesk.features.experiences.service import KIND_REP_WINDOW
from frontdesk.storage.db import Database
from tests.harness import Socket
from tests.multiprocess.conftest import Cluster

pytestmark = pytest.mark.asyncio
SITE = "https://www.customer.example"


async def _setup_org(cluster: Cluster) -> tuple[str, str]:
    site_key = cluster.run_cli("create-org", "Acme", "--origin", SITE)
    email = f"rep-{uuid.uuid4().hex[:6]}@acme.example"
    cluster.run_cli(
        "create-rep",
        "--org",
        site_key,
        "--email",
        email,
        "--name",
        "Dana",
        "--role",
        "rep",
        "--password",
        "dana-password",
    )
    return site_key, email


async def _rep_socket(
    http: aiohttp.ClientSession, base: str, email: str, hello: dict[str, Any] | None = None
) -> Socket:
    async with http.post(
        base + "/api/auth/login", json={"email": email, "password": "dana-password"}
    ) as response:
        assert response.status == 200
    ws = await http.ws_connect(base.replace("http", "ws") + "/ws/rep", origin=base)
    sock = Socket(ws)
    await sock.send({"type": "hello", **(hello or {})})
    sock.snapshot = await sock.expect("snapshot")
    return sock


async def _visitor_socket(
    http: aiohttp.ClientSession, base: str, site_key: str, token: str | None, last_seq: int
) -> Socket:
    ws = await http.ws_connect(
        base.replace("http", "ws") + f"/ws/visitor?site={site_key}", origin=SITE
    )
    sock = Socket(ws)
    await sock.send(
        {
            "type": "hello",
            "token": token,
            "page": {"url": SITE + "/pricing", "title": "Pricing"},
            "resumed": token is not None,
            "last_seq": last_seq,
            "tab_id": "tab",
        }
    )
    sock.welcome = await sock.expect("welcome", timeout=10)
    return sock


async def _finished_deadline(cluster: Cluster, kind: str, subject_id: str) -> Deadline:
    """The deadline once a process has finished running it (done_at is set only after its
    handler returned): from then on no process can claim it again."""
    db = Database(cluster.env["FRONTDESK_DATABASE_URL"])
    try:
        for _ in range(200):
            async with db.read() as session:
                row = (
                    await session.execute(
                        select(Deadline).where(
                            Deadline.kind == kind, Deadline.subject_id == subject_id
                        )
                    )
                ).scalar_one()
            if row.done_at is not None:
                return row
            await asyncio.sleep(0.05)
    finally:
        await db.close()
    raise AssertionError(f"{kind} for {subject_id} never finished")


async def test_a_visitor_survives_the_death_of_their_server_process_without_losing_or_doubling_a_message(
    cluster: Cluster,
) -> None:
    site_key, email = await _setup_org(cluster)
    a, b = cluster.start("a"), cluster.start("b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        console = await _rep_socket(rep_http, b, email)
        visitor = await _visitor_socket(visitor_http, a, site_key, None, 0)
        token = visitor.welcome["token"]  # type: ignore[index]

        # Visitor on A, rep on B: both directions work through Redis.
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello from A"})
        ack = await visitor.expect("ack", client_id="v1")
        cid = ack["message"]["conversation_id"]
        acknowledged = {"v1": ack["message"]["seq"]}
        await console.expect("message", message__client_id="v1")
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Hi, this is B"}
        )
        acknowledged["r1"] = (await console.expect("ack", client_id="r1"))["message"]["seq"]
        await visitor.expect("message", message__client_id="r1")

        # The visitor keeps writing; everything acknowledged must survive what comes next.
        for i in range(2, 6):
            await visitor.send({"type": "message", "client_id": f"v{i}", "body": f"message {i}"})
            acknowledged[f"v{i}"] = (await visitor.expect("ack", client_id=f"v{i}"))["message"][
                "seq"
            ]
        # One more is sent but A dies before we read its ack: the widget retries it by client id.
        await visitor.send({"type": "message", "client_id": "v6", "body": "in flight"})
        cluster.kill("a")
        seen_by_visitor = max(acknowledged.values())

        # The rep answers while the visitor has no server.
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r2", "body": "Still here?"}
        )
        acknowledged["r2"] = (await console.expect("ack", client_id="r2"))["message"]["seq"]

        # The visitor reconnects to B, resumes, and retries the unacknowledged message.
        visitor = await _visitor_socket(visitor_http, b, site_key, token, seen_by_visitor)
        await visitor.send({"type": "message", "client_id": "v6", "body": "in flight"})
        acknowledged["v6"] = (await visitor.expect("ack", client_id="v6"))["message"]["seq"]
        replayed = visitor.welcome["messages"]  # type: ignore[index]
        assert [m["client_id"] for m in replayed if m["client_id"] != "v6"] == ["r2"]

        async with rep_http.get(b + f"/api/conversations/{cid}") as response:
            transcript = (await response.json())["messages"]
        seqs = [m["seq"] for m in transcript]
        assert seqs == list(range(1, len(seqs) + 1)), "no gaps and no duplicates"
        by_client = {m["client_id"]: m["seq"] for m in transcript}
        for client_id, seq in acknowledged.items():
            assert by_client[client_id] == seq, client_id
        assert len([m for m in transcript if m["client_id"] == "v6"]) == 1
        await console.ws.close()
        await visitor.ws.close()


async def test_the_inbound_timeline_fires_each_step_exactly_once_with_two_processes(
    cluster: Cluster,
) -> None:
    site_key, email = await _setup_org(cluster)
    a, b = cluster.start("a"), cluster.start("b")
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as rep_http,
        aiohttp.ClientSession() as visitor_http,
    ):
        console = await _rep_socket(rep_http, a, email)
        async with rep_http.get(a + "/api/me") as response:
            csrf = (await response.json())["csrf_token"]
        async with rep_http.patch(
            a + "/api/me/status", json={"availability": "available"}, headers={"X-CSRF-Token": csrf}
        ) as response:
            assert response.status == 200
        visitor = await _visitor_socket(visitor_http, b, site_key, None, 0)
        await visitor.send({"type": "message", "client_id": "v1", "body": "Is anyone there?"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        cluster.move_clock(20)  # both processes reach the end of the rep window together
        await visitor.expect("message", timeout=10, message__author_kind="bot")
        # The rep window's deadline is done, claimed once: no process can greet a second time.
        window = await _finished_deadline(cluster, KIND_REP_WINDOW, cid)
        assert (window.outcome, window.attempts) == ("fired", 1)
        cluster.move_clock(5 * 60)  # ... and then the 5-minute timeout
        missed = await console.expect(
            "conversation.updated", timeout=10, conversation__id=cid, conversation__status="missed"
        )
        assert missed["conversation"]["ended_reason"] == "no_rep_accepted"
        # Likewise the timeout: once done, it cannot fire again.
        timeout = await _finished_deadline(cluster, KIND_INCOMING_TIMEOUT, cid)
        assert (timeout.outcome, timeout.attempts) == ("fired", 1)
        repeats = [
            e
            for f in console.received
            for e in (f.get("events") or [f])
            if e.get("type") == "conversation.updated"
            and e["conversation"]["id"] == cid
            and e["conversation"]["status"] == "missed"
        ]
        assert len(repeats) == 1
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        bot_lines = [
            f["message"]["body"]
            for f in visitor.received
            if f["type"] == "message" and f["message"]["author_kind"] == "bot"
        ]
        assert len(bot_lines) == 2, bot_lines  # one greeting, one timeout message
        await console.ws.close()
        await visitor.ws.close()
    db = Database(cluster.env["FRONTDESK_DATABASE_URL"])
    try:
        async with db.read() as session:
            row = (
                await session.execute(
                    select(Deadline).where(
                        Deadline.kind == KIND_INCOMING_TIMEOUT, Deadline.subject_id == cid
                    )
                )
            ).scalar_one()
    finally:
        await db.close()
    assert row.outcome == "fired"
    assert row.attempts == 1, "claimed by exactly one process"
    _ = orjson
