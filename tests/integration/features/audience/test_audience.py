"""Who sees a visitor and their chat in the live stream: the console's snapshot and the live
events follow the same rules (features/audience/visibility.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from frontdesk.features.conversations.models import Conversation
from tests.harness import OrgInfo, RepClient, Server, Socket

pytestmark = pytest.mark.asyncio

SITE = "https://www.customer.example"


async def _route_pricing_to(admin: RepClient, rep: RepClient) -> None:
    status, body = await admin.request(
        "POST",
        "/api/segments",
        {
            "name": "Pricing",
            "color": "#2563eb",
            "rules": {"conditions": [{"field": "page.url", "op": "contains", "value": "/pricing"}]},
            "routing": {"steps": [{"kind": "reps", "rep_ids": [rep.rep_id]}]},
        },
    )
    assert status == 200, body


async def _setup(server: Server) -> tuple[OrgInfo, RepClient, RepClient, RepClient, RepClient]:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    dana, sam, carl = [await server.rep(org, name=n) for n in ("Dana", "Sam", "Carl")]
    await _route_pricing_to(admin, dana)
    return org, admin, dana, sam, carl


def _visitor_ids(snapshot: dict[str, Any] | None) -> set[str]:
    assert snapshot is not None
    return {card["visitor_id"] for card in snapshot["visitors"]}


def _id(visitor: Socket) -> str:
    assert visitor.welcome is not None
    return str(visitor.welcome["visitor_id"])


async def test_a_rep_sees_the_visitor_whose_chat_they_have_though_routed_to_another(
    server: Server,
) -> None:
    org, admin, dana, sam, carl = await _setup(server)
    async with server.visitor(org, url=SITE + "/pricing") as visitor:
        await visitor.send({"type": "message", "client_id": "m1", "body": "Hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        status, _ = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        # Sam has the chat while the visitor stays routed to Dana (a chat's owner need not be
        # among the visitor's reps: the rule must hold whatever led there).
        async with server.runtime.db.transaction() as session:
            await session.execute(
                update(Conversation).where(Conversation.id == cid).values(owner_rep_id=sam.rep_id)
            )
        async with (
            sam.socket() as sam_console,
            dana.socket() as dana_console,
            carl.socket() as carl_console,
            admin.socket() as admin_console,
        ):
            vid = _id(visitor)
            assert vid in _visitor_ids(sam_console.snapshot)  # owner, not routed
            assert vid in _visitor_ids(dana_console.snapshot)  # routed
            assert vid in _visitor_ids(admin_console.snapshot)  # admin
            assert vid not in _visitor_ids(carl_console.snapshot)
            # Live events reach the same consoles as the snapshot (a tab opened now reads the
            # chat's owner from the database, as the snapshot did).
            assert visitor.welcome is not None
            async with server.visitor(
                org, token=visitor.welcome["token"], url=SITE + "/pricing"
            ) as second_tab:
                await second_tab.send(
                    {"type": "page_view", "page": {"url": SITE + "/pricing/team", "title": "Team"}}
                )
                for console in (sam_console, dana_console):
                    await console.expect("visitor.updated", visitor_id=vid)


async def test_a_rep_is_not_shown_a_visitor_routed_to_another_rep_live_or_in_the_snapshot(
    server: Server,
) -> None:
    org, admin, dana, _, carl = await _setup(server)
    async with (
        carl.socket() as carl_console,
        admin.socket() as admin_console,
        server.visitor(org, url=SITE + "/pricing") as routed,
        server.visitor(org, url=SITE + "/") as unrouted,
    ):
        await admin_console.expect("visitor.joined", visitor__visitor_id=_id(routed))
        # The unrouted visitor joined after the routed one: once Carl has the later card,
        # the earlier one would have reached him too.
        await carl_console.expect("visitor.joined", visitor__visitor_id=_id(unrouted))
        assert _id(routed) not in str(carl_console.received)
        async with carl.socket() as again:
            assert _visitor_ids(again.snapshot) == {_id(unrouted)}
        async with dana.socket() as dana_console:
            assert _visitor_ids(dana_console.snapshot) == {_id(routed), _id(unrouted)}


async def test_a_visitor_typing_reaches_only_the_consoles_that_may_see_their_chat(
    server: Server,
) -> None:
    org, _, dana, _, carl = await _setup(server)
    async with (
        dana.socket() as dana_console,
        carl.socket() as carl_console,
        server.visitor(org, url=SITE + "/pricing") as routed,
        server.visitor(org, url=SITE + "/") as unrouted,
    ):
        for visitor in (routed, unrouted):
            await visitor.send({"type": "message", "client_id": "m1", "body": "Hello?"})
            await visitor.expect("ack", client_id="m1")
        await routed.send({"type": "typing", "is_typing": True})
        await dana_console.expect("typing", visitor_id=_id(routed), is_typing=True)
        await unrouted.send({"type": "typing", "is_typing": True})
        # Typing is sent at once, in order: Carl gets the second visitor's typing, and would
        # have had the first's before it.
        await carl_console.expect("typing", visitor_id=_id(unrouted), is_typing=True)
        assert not [
            f
            for f in carl_console.received
            if f["type"] == "typing" and f["visitor_id"] == _id(routed)
        ]


async def test_a_transfer_moves_the_card_of_a_routed_visitor_to_the_new_owners_stream(
    server: Server,
) -> None:
    org, admin, dana, sam, carl = await _setup(server)
    async with (
        server.visitor(org, url=SITE + "/pricing") as visitor,
        sam.socket() as sam_console,
        carl.socket() as carl_console,
    ):
        vid = _id(visitor)
        assert vid not in _visitor_ids(sam_console.snapshot)  # routed to Dana only
        await visitor.send({"type": "message", "client_id": "m1", "body": "Hi"})
        cid = (await visitor.expect("ack"))["message"]["conversation_id"]
        status, _ = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        status, _ = await dana.request(
            "POST", f"/api/conversations/{cid}/transfer", {"to_rep_id": sam.rep_id}
        )
        assert status == 200
        # Sam now has the chat, and the visitor's card in his live stream.
        card = await sam_console.expect("visitor.joined", visitor__visitor_id=vid)
        assert card["visitor"]["visitor_id"] == vid
        status, _ = await sam.request(
            "POST", f"/api/conversations/{cid}/transfer", {"to_rep_id": carl.rep_id}
        )
        assert status == 200
        # Sam gave it away: the card leaves his stream and reaches Carl's.
        await sam_console.expect("visitor.left", visitor_id=vid)
        await carl_console.expect("visitor.joined", visitor__visitor_id=vid)
        # A reconnect agrees with the live events.
        async with sam.socket() as again, carl.socket() as carl_again:
            assert vid not in _visitor_ids(again.snapshot)
            assert vid in _visitor_ids(carl_again.snapshot)
