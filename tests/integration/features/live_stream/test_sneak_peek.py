"""Sneak peek: with the org's consent setting on, the consoles that may see a visitor's open
chat see what the visitor is typing before they send it; nothing of it is stored, and an org
that did not turn it on gets none."""

from __future__ import annotations

import asyncio

import pytest

from tests.harness import RepClient, Server, Socket

pytestmark = pytest.mark.asyncio


async def open_chat(visitor: Socket, admin: RepClient) -> str:
    await visitor.send({"type": "message", "client_id": "v1", "body": "Hi, a question"})
    cid: str = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
    status, _ = await admin.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    return cid


async def test_the_console_sees_the_draft_and_nothing_is_stored(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"sneak_peek": True}}
    )
    assert status == 200 and body["messenger"]["sneak_peek"] is True
    async with admin.socket() as console, server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["messenger"]["sneak_peek"] is True
        cid = await open_chat(visitor, admin)
        await visitor.send({"type": "draft", "text": "We need 40 seats, can you do a disc"})
        peek = await console.expect("typing", conversation_id=cid, is_typing=True)
        assert peek["draft"] == "We need 40 seats, can you do a disc"
        assert peek["visitor_id"] == visitor.welcome["visitor_id"]
        # Cleared (sent, or erased): the console hears that too.
        await visitor.send({"type": "draft", "text": ""})
        cleared = await console.expect("typing", conversation_id=cid, is_typing=False)
        assert cleared["draft"] == ""
        # A draft is at most 1,000 characters (the messenger sends the last ones).
        await visitor.send({"type": "draft", "text": "x" * 1001})
        error = await visitor.expect("error")
        assert error["code"] == "invalid_frame" and "text" in error["message"]

    # Nothing of the draft was stored.
    status, chat = await admin.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    assert "40 seats" not in str(chat)


async def test_an_org_without_sneak_peek_gets_no_drafts_and_other_orgs_never_do(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    other = await server.create_org()
    other_admin = await server.rep(other, role="admin")
    await other_admin.request("PATCH", "/api/org/settings", {"messenger": {"sneak_peek": True}})
    async with (
        admin.socket() as console,
        other_admin.socket() as other_console,
        server.visitor(org) as visitor,
    ):
        cid = await open_chat(visitor, admin)
        await visitor.send({"type": "draft", "text": "secret plans"})
        error = await visitor.expect("error")
        assert (error["code"], error["message"]) == (
            "forbidden",
            "this website does not share what visitors type before they send it",
        )
        # The org turns it on: its console sees the draft, the other org's console never does.
        await admin.request("PATCH", "/api/org/settings", {"messenger": {"sneak_peek": True}})
        # (the visitor socket's copy of the org follows the change within moments: until then
        # a draft is refused, so send again)
        for _ in range(50):
            await visitor.send({"type": "draft", "text": "now shared"})
            try:
                await console.expect("typing", timeout=0.2, conversation_id=cid, draft="now shared")
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("the draft never reached the console")
        await asyncio.sleep(0.3)
        assert not [
            f for f in other_console.received if "now shared" in str(f) or "secret" in str(f)
        ]
        assert not [f for f in console.received if "secret plans" in str(f)]
