"""Chat capacity through HTTP and the sockets: reps at capacity get no more chats, the fourth
chat queues with its visitor told their place, and moves on when a chat ends."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.harness import RepClient, Server

pytestmark = pytest.mark.asyncio


async def _ask(visitor: object, text: str = "Hi, can someone help?") -> str:
    await visitor.send({"type": "message", "client_id": "first", "body": text})  # type: ignore[attr-defined]
    ack = await visitor.expect("ack", client_id="first")  # type: ignore[attr-defined]
    return str(ack["message"]["conversation_id"])


async def _three_reps_with_capacity_one(
    server: Server, overflow: str = "queue"
) -> tuple[object, RepClient, list[RepClient]]:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin", available=False)
    reps = [await server.rep(org, name=name) for name in ("Dana Reyes", "Sam Okafor", "Kim Lee")]
    status, capacity = await admin.request(
        "PUT", "/api/capacity", {"default_max_chats": 1, "overflow": overflow}
    )
    assert status == 200, capacity
    return org, admin, reps


async def test_three_reps_with_capacity_one_the_fourth_chat_queues_and_is_routed_when_a_chat_ends(
    server: Server,
) -> None:
    org, admin, reps = await _three_reps_with_capacity_one(server)
    async with AsyncExitStack() as stack:
        chats = []
        for rep in reps:
            visitor = await stack.enter_async_context(server.visitor(org))
            cid = await _ask(visitor)
            status, answer = await rep.request("POST", f"/api/conversations/{cid}/accept")
            assert status == 200, answer
            chats.append(cid)
        status, capacity = await admin.request("GET", "/api/capacity")
        assert [(r["name"], r["active_chats"], r["at_capacity"]) for r in capacity["reps"]] == [
            ("Avery Admin", 0, False),
            ("Dana Reyes", 1, True),
            ("Kim Lee", 1, True),
            ("Sam Okafor", 1, True),
        ]
        fourth = await stack.enter_async_context(server.visitor(org))
        queued_cid = await _ask(fourth)
        told = await fourth.expect("message", message__author_kind="bot")
        assert "busy with other chats" in told["message"]["body"]
        place = await fourth.expect("conversation", conversation__queue_position=1)
        assert place["conversation"]["offline"] is False
        # A fifth waits behind it.
        fifth = await stack.enter_async_context(server.visitor(org))
        fifth_cid = await _ask(fifth)
        await fifth.expect("conversation", conversation__queue_position=2)
        status, capacity = await admin.request("GET", "/api/capacity")
        assert capacity["queued"] == 2
        # A rep at capacity cannot take the queued chat by hand.
        status, refused = await reps[1].request("POST", f"/api/conversations/{queued_cid}/accept")
        assert status == 409 and "limit of 1 chat" in refused["error"]["message"]

        async with reps[0].socket() as console:
            status, _ = await reps[0].request("POST", f"/api/conversations/{chats[0]}/end")
            assert status == 200
            offered = await console.expect(
                "conversation.updated",
                conversation__id=queued_cid,
                conversation__routed_rep_ids=[reps[0].rep_id],
            )
            assert offered["conversation"]["meta"]["rep_window_ends_at"]
        released = await fourth.expect("conversation", conversation__queue_position=None)
        assert released["conversation"]["status"] == "incoming"
        await fourth.expect(
            "message",
            message__body="Thanks for waiting! Someone from our team will be with you in a moment.",
        )
        await fifth.expect("conversation", conversation__queue_position=1)
        status, answer = await reps[0].request("POST", f"/api/conversations/{queued_cid}/accept")
        assert status == 200, answer
        status, body = await admin.request("GET", f"/api/conversations/{fifth_cid}")
        assert body["conversation"]["meta"]["queue_position"] == 1


async def test_round_robin_deals_the_chat_to_the_next_rep_with_room(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    await admin.request("PUT", f"/api/reps/{dana.rep_id}/chat-limit", {"max_chats": 1})
    await admin.request("PUT", f"/api/reps/{sam.rep_id}/chat-limit", {"max_chats": 1})
    status, listing = await admin.request("GET", "/api/segments")
    catch_all = next(s for s in listing["segments"] if s["name"] == "Everyone else")
    status, saved = await admin.request(
        "PATCH",
        f"/api/segments/{catch_all['id']}",
        {"routing": {"steps": [{"kind": "everyone", "round_robin": True}]}},
    )
    assert status == 200, saved
    async with server.visitor(org) as first, server.visitor(org) as second:
        cid = await _ask(first)
        _, body = await admin.request("GET", f"/api/conversations/{cid}")
        owner_id = body["conversation"]["routed_rep_ids"][0]
        owner = dana if owner_id == dana.rep_id else sam
        other = sam if owner is dana else dana
        status, _ = await owner.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        # The second visitor's round-robin turn may fall on the busy rep: it is skipped.
        second_cid = await _ask(second)
        _, body = await admin.request("GET", f"/api/conversations/{second_cid}")
        assert body["conversation"]["routed_rep_ids"] == [other.rep_id]


async def test_the_admin_may_send_overflow_to_the_offline_form_instead(server: Server) -> None:
    org, admin, reps = await _three_reps_with_capacity_one(server, overflow="offline")
    async with AsyncExitStack() as stack:
        for rep in reps:
            visitor = await stack.enter_async_context(server.visitor(org))
            cid = await _ask(visitor)
            status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
            assert status == 200
        fourth = await stack.enter_async_context(server.visitor(org))
        await _ask(fourth)
        state = await fourth.expect("conversation", conversation__offline=True)
        assert state["conversation"]["queue_position"] is None
    status, capacity = await admin.request("GET", "/api/capacity")
    assert capacity["queued"] == 0


async def test_chats_offered_but_not_yet_accepted_count_against_the_free_places(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    await server.rep(org, name="Dana Reyes")
    await admin.request("PUT", "/api/capacity", {"default_max_chats": 1})
    async with server.visitor(org) as first, server.visitor(org) as second:
        await _ask(first)
        await first.expect("conversation", conversation__queue_position=None)
        await _ask(second)
        await second.expect("conversation", conversation__queue_position=1)


async def test_capacity_is_validated_admins_only_and_per_org(sqlite_server: Server) -> None:
    server = sqlite_server
    org, other = await server.create_org(), await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    other_admin = await server.rep(other, role="admin")
    for body in (
        {"default_max_chats": 0},
        {"default_max_chats": "two"},
        {"overflow": "drop"},
        {"queue_timeout_minutes": 0},
        {"extra": True},
    ):
        status, answer = await admin.request("PUT", "/api/capacity", body)
        assert status == 422, (body, answer)
    status, _ = await rep.request("PUT", "/api/capacity", {"default_max_chats": 2})
    assert status == 403
    status, _ = await other_admin.request(
        "PUT", f"/api/reps/{rep.rep_id}/chat-limit", {"max_chats": 3}
    )
    assert status == 404
    status, mine = await admin.request(
        "PUT", f"/api/reps/{rep.rep_id}/chat-limit", {"max_chats": 3}
    )
    assert status == 200
    assert [r["own_limit"] for r in mine["reps"] if r["rep_id"] == rep.rep_id] == [3]
    status, theirs = await other_admin.request("GET", "/api/capacity")
    assert rep.rep_id not in [r["rep_id"] for r in theirs["reps"]]


async def test_a_chat_cannot_be_transferred_to_a_rep_at_capacity(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", available=False)
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    await admin.request("PUT", f"/api/reps/{sam.rep_id}/chat-limit", {"max_chats": 1})
    async with server.visitor(org) as first, server.visitor(org) as second:
        sams = await _ask(first)
        assert (await sam.request("POST", f"/api/conversations/{sams}/accept"))[0] == 200
        danas = await _ask(second)
        assert (await dana.request("POST", f"/api/conversations/{danas}/accept"))[0] == 200
        status, refused = await dana.request(
            "POST", f"/api/conversations/{danas}/transfer", {"to_rep_id": sam.rep_id}
        )
        assert status == 409
        assert refused["error"]["message"] == "Sam Okafor is at their limit of 1 chat"
        # Sam's chat ends: now he has room.
        assert (await sam.request("POST", f"/api/conversations/{sams}/end"))[0] == 200
        status, moved = await dana.request(
            "POST", f"/api/conversations/{danas}/transfer", {"to_rep_id": sam.rep_id}
        )
        assert status == 200, moved
