"""The booker in a chat: the rep offers it (or the bot, when nobody joins an inbound chat in
time), the visitor books from the card, and both see the confirmation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontdesk.core.clock import FrozenClock
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server
from tests.integration.features.meetings.conftest import meeting_type, working_hours

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 3, 5, 6, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
async def clocked(backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, clock=FrozenClock(NOW)
    ) as srv:
        yield srv


async def card(server: Server, org: OrgInfo, offer_id: str) -> Any:
    async with server.http().get(
        f"{server.url}/widget/meetings/{offer_id}",
        params={"site": org.site_key, "tz": "Europe/Berlin"},
        headers={"Origin": org.origin},
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def book(server: Server, org: OrgInfo, offer_id: str, start: str) -> Any:
    async with server.http().post(
        f"{server.url}/widget/meetings/{offer_id}/book",
        params={"site": org.site_key},
        headers={"Origin": org.origin},
        json={
            "start": start,
            "name": "Vera",
            "email": "vera@customer.example",
            "time_zone": "Europe/Berlin",
        },
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_a_rep_offers_the_booker_and_both_see_the_booking(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Dana Reyes")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id], name="Product demo")
    async with rep.socket() as console, server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "c1", "body": "Could we meet?"})
        ack = await visitor.expect("ack", client_id="c1")
        conversation_id = ack["message"]["conversation_id"]
        status, offer = await rep.request(
            "POST",
            "/api/meetings/offers",
            {
                "meeting_type_id": kind["id"],
                "conversation_id": conversation_id,
                "title": "Demo for Vera",
            },
        )
        assert status == 200, offer
        offered = await visitor.expect("message", message__meta__meeting_offer=offer["id"])
        assert "Demo for Vera" in offered["message"]["body"]
        await console.expect("message", message__meta__meeting_offer=offer["id"])
        shown = await card(server, org, offer["id"])
        assert shown["title"] == "Demo for Vera" and shown["owner_name"] == "Dana Reyes"
        assert shown["time_zone"] == "Europe/Berlin"
        meeting = await book(server, org, offer["id"], shown["days"][0]["slots"][0]["start"])
        confirmed = await visitor.expect("message", message__meta__meeting_booked=meeting["id"])
        assert confirmed["message"]["author_kind"] == "system"
        assert "Meeting booked" in confirmed["message"]["body"]
        assert "(Europe/Berlin)" in confirmed["message"]["body"]
        await console.expect("message", message__meta__meeting_booked=meeting["id"])
        assert (await card(server, org, offer["id"]))["booked"]["id"] == meeting["id"]
        status, profile = await rep.request("GET", f"/api/visitors/{visitor.welcome['visitor_id']}")
        assert status == 200
        assert [m["id"] for m in profile["meetings"]] == [meeting["id"]]
        # The anonymous visitor gave a name and email to book: an unverified claim.
        assert profile["visitor"]["email"] == "vera@customer.example"
        assert profile["visitor"]["identity_status"] == "unverified"
        status, upcoming = await rep.request("GET", "/api/meetings/upcoming")
        assert [m["id"] for m in upcoming["meetings"]] == [meeting["id"]]


async def test_the_bot_offers_the_booker_when_nobody_joins_an_inbound_chat(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Dana Reyes")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id], name="Call back")
    status, listed = await admin.request("GET", "/api/experiences")
    default = next(e for e in listed["experiences"] if e["is_default"])
    status, changed = await admin.request(
        "PATCH", f"/api/experiences/{default['id']}", {"booker_meeting_type_id": kind["id"]}
    )
    assert status == 200 and changed["booker_meeting_type_id"] == kind["id"]
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "c1", "body": "Anyone there?"})
        await visitor.expect("ack", client_id="c1")
        server.clock.advance(20)  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        await visitor.expect("message", message__author_kind="bot")
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        offers = [
            f["message"]
            for f in visitor.received
            if f["type"] == "message" and f["message"]["meta"].get("meeting_offer")
        ]
        assert len(offers) == 1 and offers[0]["author_kind"] == "bot"
        shown = await card(server, org, offers[0]["meta"]["meeting_offer"])
        assert shown["days"] and shown["owner_name"] == "Dana Reyes"
    # Switched off again with "".
    status, changed = await admin.request(
        "PATCH", f"/api/experiences/{default['id']}", {"booker_meeting_type_id": ""}
    )
    assert status == 200 and changed["booker_meeting_type_id"] is None


async def test_the_chat_end_webhook_lists_the_meeting_booked_in_the_chat(
    sqlite_memory_backend: Backend,
) -> None:
    import orjson
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    received: list[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = TestServer(app, host="127.0.0.1")
    await receiver.start_server()
    try:
        async with running_server(
            sqlite_memory_backend.database_url,
            "memory://",
            "unused",
            clock=FrozenClock(NOW),
            allow_private_targets=True,
        ) as server:
            org = await server.create_org()
            admin = await server.rep(org, "admin", "Avery Admin")
            await working_hours(admin, admin.rep_id)
            kind = await meeting_type(admin, [admin.rep_id])
            status, _ = await admin.request(
                "POST", "/api/webhooks", {"url": f"http://127.0.0.1:{receiver.port}/hook"}
            )
            assert status == 200
            async with server.visitor(org) as visitor:
                await visitor.send({"type": "message", "client_id": "v", "body": "Book me in"})
                cid = (await visitor.expect("ack", client_id="v"))["message"]["conversation_id"]
                status, _ = await admin.request(
                    "POST",
                    f"/api/conversations/{cid}/messages",
                    {"client_id": "r", "body": "Sure."},
                )
                assert status == 200
                status, offer = await admin.request(
                    "POST",
                    "/api/meetings/offers",
                    {"meeting_type_id": kind["id"], "conversation_id": cid},
                )
                assert status == 200, offer
                shown = await card(server, org, offer["id"])
                meeting = await book(
                    server, org, offer["id"], shown["days"][0]["slots"][0]["start"]
                )
                status, _ = await admin.request("POST", f"/api/conversations/{cid}/end")
                assert status == 200
            await server.runtime.sweeper.run_due()
    finally:
        await receiver.close()
    assert len(received) == 1
    event = orjson.loads(received[0])
    assert [(m["id"], m["status"]) for m in event["data"]["meetings"]] == [
        (meeting["id"], "booked")
    ]
    assert event["data"]["meetings"][0]["visitor_email"] == "vera@customer.example"


async def test_a_german_visitor_reads_the_booker_s_lines_in_german_and_in_their_zone(
    clocked: Server,
) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Dana Reyes")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id], name="Product demo")
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    async with server.visitor(org, headers=german) as visitor:
        await visitor.send({"type": "message", "client_id": "c1", "body": "Können wir reden?"})
        ack = await visitor.expect("ack", client_id="c1")
        status, offer = await rep.request(
            "POST",
            "/api/meetings/offers",
            {
                "meeting_type_id": kind["id"],
                "conversation_id": ack["message"]["conversation_id"],
                "title": "Demo for Vera",
            },
        )
        assert status == 200, offer
        offered = await visitor.expect("message", message__meta__meeting_offer=offer["id"])
        assert re.fullmatch(
            r"Termin buchen: \*\*Demo for Vera\*\* \(\d+ Min\.\)\. Wählen Sie eine passende Zeit\.",
            offered["message"]["body"],
        ), offered["message"]["body"]
        shown = await card(server, org, offer["id"])
        meeting = await book(server, org, offer["id"], shown["days"][0]["slots"][0]["start"])
        confirmed = await visitor.expect("message", message__meta__meeting_booked=meeting["id"])
        assert re.fullmatch(
            r"Termin gebucht: Demo for Vera, (Montag|Dienstag|Mittwoch|Donnerstag|Freitag), "
            r"\d+\. März 2026, \d\d:\d\d-\d\d:\d\d \(Europe/Berlin\)\. "
            r"Eine Einladung ist unterwegs an vera@customer\.example\.",
            confirmed["message"]["body"],
        ), confirmed["message"]["body"]
