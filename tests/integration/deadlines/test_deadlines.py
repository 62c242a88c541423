"""Durable deadlines fire once, survive restarts, and end idle chats after 10 minutes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.models import Deadline
from frontdesk.deadlines.service import DueDeadline, Sweeper
from frontdesk.storage.db import Database
from tests.conftest import Backend
from tests.harness import Server

pytestmark = pytest.mark.asyncio


async def test_a_deadline_fires_once_when_due_and_not_before(server: Server) -> None:
    fired: list[str] = []
    subject = new_id()

    async def handler(deadline: DueDeadline) -> None:
        fired.append(deadline.subject_id)

    server.runtime.sweeper.register("test.ping", handler)
    async with server.runtime.db.transaction() as session:
        await deadlines.schedule(
            session,
            kind="test.ping",
            subject_id=subject,
            due_at=server.clock.now() + timedelta(seconds=30),
            now=server.clock.now(),
        )
    await server.runtime.sweeper.run_due()
    assert fired == []
    server.clock.advance(30)
    await server.runtime.sweeper.run_due()
    await server.runtime.sweeper.run_due()
    assert fired == [subject]


async def test_a_deadline_that_fell_due_while_no_process_ran_fires_once_after_restart(
    backend: Backend,
) -> None:
    from frontdesk.core.clock import FrozenClock, SystemClock

    clock = FrozenClock(SystemClock().now())
    subject = new_id()
    db = Database(backend.database_url)
    async with db.transaction() as session:
        await deadlines.schedule(
            session,
            kind="test.restart",
            subject_id=subject,
            due_at=clock.now() + timedelta(minutes=5),
            now=clock.now(),
        )
    await db.close()  # "the server stops"

    clock.advance(3600)  # an hour passes with nothing running
    fired: list[str] = []

    async def handler(deadline: DueDeadline) -> None:
        fired.append(deadline.subject_id)

    db = Database(backend.database_url)  # "the server starts again"
    sweeper = Sweeper(db, clock)
    sweeper.register("test.restart", handler)
    try:
        await sweeper.run_due()
        await sweeper.run_due()
        async with db.read() as session:
            row = (
                await session.execute(select(Deadline).where(Deadline.subject_id == subject))
            ).scalar_one()
    finally:
        await db.close()
    assert fired == [subject]
    assert row.outcome == "fired"


async def test_two_sweepers_racing_for_the_same_deadlines_fire_each_exactly_once(
    backend: Backend,
) -> None:
    from frontdesk.core.clock import FrozenClock, SystemClock

    clock = FrozenClock(SystemClock().now())
    subjects = [new_id() for _ in range(40)]
    db_a, db_b = Database(backend.database_url), Database(backend.database_url)
    async with db_a.transaction() as session:
        for subject in subjects:
            await deadlines.schedule(
                session, kind="test.race", subject_id=subject, due_at=clock.now(), now=clock.now()
            )
    fired: list[str] = []

    async def handler(deadline: DueDeadline) -> None:
        await asyncio.sleep(0)  # let the other sweeper run in between
        fired.append(deadline.subject_id)

    a, b = Sweeper(db_a, clock), Sweeper(db_b, clock)
    for sweeper in (a, b):
        sweeper.register("test.race", handler)
    try:
        await asyncio.gather(a.run_due(limit=5), b.run_due(limit=5))
    finally:
        await db_a.close()
        await db_b.close()
    assert sorted(fired) == sorted(subjects)


async def test_a_handler_that_fails_is_retried_after_its_lease(server: Server) -> None:
    attempts: list[int] = []
    subject = new_id()

    async def flaky(deadline: DueDeadline) -> None:
        attempts.append(deadline.attempts)
        if len(attempts) == 1:
            raise RuntimeError("downstream hiccup")

    server.runtime.sweeper.register("test.flaky", flaky)
    async with server.runtime.db.transaction() as session:
        await deadlines.schedule(
            session,
            kind="test.flaky",
            subject_id=subject,
            due_at=server.clock.now(),
            now=server.clock.now(),
        )
    await server.runtime.sweeper.run_due()
    await server.runtime.sweeper.run_due()
    assert attempts == [1]  # still leased: not retried at once
    server.clock.advance(deadlines.CLAIM_LEASE_SECONDS + 1)
    await server.runtime.sweeper.run_due()
    assert attempts == [1, 2]


async def test_a_chat_whose_visitor_is_idle_for_ten_minutes_ends_by_itself(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        assert (await rep.request("POST", f"/api/conversations/{cid}/accept"))[0] == 200
        await visitor.send({"type": "activity", "state": "idle"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        server.clock.advance(9 * 60 + 59)
        await server.runtime.sweeper.run_due()
        status, body = await rep.request("GET", f"/api/conversations/{cid}")
        assert status == 200
        assert body["conversation"]["status"] == "active"
        server.clock.advance(1)
        await server.runtime.sweeper.run_due()
        ended = await visitor.expect("conversation", conversation__status="ended")
        assert ended["conversation"]["id"] == cid
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    assert body["conversation"]["ended_reason"] == "visitor_idle"
    assert "inactive for 10 minutes" in body["messages"][-1]["body"]


async def test_a_visitor_who_comes_back_before_ten_minutes_keeps_the_chat(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        await rep.request("POST", f"/api/conversations/{cid}/accept")
        await visitor.send({"type": "activity", "state": "another_tab"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        server.clock.advance(8 * 60)
        await visitor.send({"type": "activity", "state": "active"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        server.clock.advance(5 * 60)
        await server.runtime.sweeper.run_due()
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    assert body["conversation"]["status"] == "active"


async def test_a_visitor_who_writes_after_going_idle_keeps_the_chat(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        await rep.request("POST", f"/api/conversations/{cid}/accept")
        await visitor.send({"type": "activity", "state": "idle"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        server.clock.advance(6 * 60)
        # A message from a tab still reported idle (say a second window) proves presence.
        await visitor.send({"type": "message", "client_id": "b", "body": "still here"})
        await visitor.expect("ack", client_id="b")
        server.clock.advance(5 * 60)
        await server.runtime.sweeper.run_due()
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    assert body["conversation"]["status"] == "active"
    assert [m["body"] for m in body["messages"] if m["author_kind"] == "visitor"] == [
        "hi",
        "still here",
    ]


async def test_an_incoming_chat_nobody_accepts_moves_to_recent_as_missed_after_five_minutes(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "anyone?"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        server.clock.advance(5 * 60)
        await server.runtime.sweeper.run_due()
    status, recent = await rep.request("GET", "/api/conversations?box=recent")
    assert status == 200
    missed = [c for c in recent["conversations"] if c["id"] == cid]
    assert missed and missed[0]["status"] == "missed"
