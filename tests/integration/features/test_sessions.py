"""Rep sessions: signing out, signing out everywhere and changing a password end sessions,
and every open console of an ended session closes with 4401 at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from frontdesk.features.conversations.models import Message
from frontdesk.features.orgs.models import RepSession
from tests.harness import PASSWORD, RepClient, Server

pytestmark = pytest.mark.asyncio


async def _alive(client: RepClient) -> bool:
    status, _ = await client.request("GET", "/api/me")
    return status == 200


async def test_a_reps_open_console_is_closed_with_4401_when_they_sign_out(server: Server) -> None:
    org = await server.create_org()
    email = await server.create_rep(org)
    laptop, phone = await server.sign_in(email), await server.sign_in(email)
    async with laptop.socket() as laptop_console, phone.socket() as phone_console:
        status, _ = await laptop.request("POST", "/api/auth/logout")
        assert status == 200
        assert await laptop_console.closed_code() == 4401
        assert not await _alive(laptop)
        await phone_console.send({"type": "ping"})
        await phone_console.expect("pong")


async def test_changing_my_password_signs_out_my_other_browsers_and_keeps_this_one(
    server: Server,
) -> None:
    org = await server.create_org()
    email = await server.create_rep(org)
    laptop, phone = await server.sign_in(email), await server.sign_in(email)
    async with laptop.socket() as laptop_console, phone.socket() as phone_console:
        status, body = await laptop.request(
            "POST",
            "/api/me/password",
            {"current_password": PASSWORD, "new_password": "a-brand-new-secret"},
        )
        assert status == 200, body
        assert await phone_console.closed_code() == 4401
        assert not await _alive(phone)
        assert await _alive(laptop)
        await laptop_console.send({"type": "ping"})
        await laptop_console.expect("pong")
    async with laptop.http.post(
        server.url + "/api/auth/login", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 401, "the old password no longer signs in"
    async with laptop.http.post(
        server.url + "/api/auth/login", json={"email": email, "password": "a-brand-new-secret"}
    ) as response:
        assert response.status == 200


async def test_a_wrong_current_password_or_a_short_new_one_is_refused_and_changes_nothing(
    server: Server,
) -> None:
    org = await server.create_org()
    email = await server.create_rep(org)
    laptop, phone = await server.sign_in(email), await server.sign_in(email)
    status, body = await laptop.request(
        "POST", "/api/me/password", {"current_password": "guess", "new_password": "long-enough!"}
    )
    assert status == 403 and body["error"]["message"] == "the current password is wrong"
    status, body = await laptop.request(
        "POST", "/api/me/password", {"current_password": PASSWORD, "new_password": "short"}
    )
    assert status == 422 and "new_password" in body["error"]["message"]
    assert await _alive(phone) and await _alive(laptop)
    await server.sign_in(email)  # the password is unchanged


async def test_signing_out_everywhere_closes_every_console_of_mine_and_no_colleagues(
    server: Server,
) -> None:
    org = await server.create_org()
    email = await server.create_rep(org)
    laptop, phone = await server.sign_in(email), await server.sign_in(email)
    colleague = await server.rep(org)
    async with (
        laptop.socket() as laptop_console,
        phone.socket() as phone_console,
        colleague.socket() as colleague_console,
    ):
        status, _ = await phone.request("POST", "/api/auth/logout-everywhere")
        assert status == 200
        assert await laptop_console.closed_code() == 4401
        assert await phone_console.closed_code() == 4401
        assert not await _alive(laptop) and not await _alive(phone)
        await colleague_console.send({"type": "ping"})
        await colleague_console.expect("pong")
        assert await _alive(colleague)


async def test_a_console_whose_revocation_was_lost_on_the_bus_cannot_send_and_is_closed(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor, rep.socket() as console:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        # The session ends in the database but no event reaches this process (a bus outage).
        async with server.runtime.db.transaction() as session:
            await session.execute(
                update(RepSession)
                .where(RepSession.rep_id == rep.rep_id)
                .values(revoked_at=server.clock.now())
            )
        await console.send(
            {"type": "message", "conversation_id": cid, "client_id": "r1", "body": "Hi"}
        )
        assert await console.closed_code() == 4401
    async with server.runtime.db.read() as session:
        stored = (
            await session.execute(
                select(Message.client_msg_id).where(Message.conversation_id == cid)
            )
        ).scalars()
        assert "r1" not in list(stored)
