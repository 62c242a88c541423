"""Catching up after a `resync` (the server's bus lost events): a `resume` naming the
conversation the widget knows is answered with the frames it would have had."""

from __future__ import annotations

import pytest

from tests.harness import Server, Socket

pytestmark = pytest.mark.asyncio


async def _everything_sent_so_far_is_read(visitor: Socket) -> None:
    """A ping's pong comes after every frame queued before it; then forget them all."""
    await visitor.send({"type": "ping"})
    await visitor.expect("pong")
    visitor.unread.clear()


async def test_a_chat_a_rep_began_unseen_is_caught_up_from_its_first_message(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        status, started = await rep.request(
            "POST", f"/api/visitors/{vid}/conversations", {"body": "Can I help?", "client_id": "p1"}
        )
        assert status == 200, started
        # Suppose the live frames were lost: the widget knew no conversation.
        await visitor.send({"type": "resume", "after_seq": 0, "conversation_id": None})
        state = await visitor.expect("conversation", conversation__rep__id=rep.rep_id)
        cid = state["conversation"]["id"]
        replayed = await visitor.expect("message", message__conversation_id=cid, message__seq=1)
        assert replayed["message"]["body"] == "Can I help?"


async def test_catching_up_sends_only_what_came_after_the_last_seq_seen(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        ack = await visitor.expect("ack", client_id="v1")
        cid, seen = ack["message"]["conversation_id"], ack["message"]["seq"]
        status, _ = await rep.request(
            "POST", f"/api/conversations/{cid}/messages", {"client_id": "r1", "body": "Hi!"}
        )
        assert status == 200
        await visitor.expect("message", message__client_id="r1")
        await _everything_sent_so_far_is_read(visitor)
        await visitor.send({"type": "resume", "after_seq": seen, "conversation_id": cid})
        await visitor.expect("conversation", conversation__status="active")
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")  # the answer to the resume came before it, all of it
        replayed = [f["message"]["seq"] for f in visitor.unread if f["type"] == "message"]
        assert replayed == list(range(seen + 1, seen + 1 + len(replayed))) and replayed


async def test_an_old_ended_chat_the_widget_never_showed_is_not_replayed(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/end")
        assert status == 200
        await visitor.expect("conversation", conversation__status="ended")
        await _everything_sent_so_far_is_read(visitor)
        # A later page: the widget shows no conversation (welcome carries open ones only).
        await visitor.send({"type": "resume", "after_seq": 0, "conversation_id": None})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert [f["type"] for f in visitor.unread] == []
