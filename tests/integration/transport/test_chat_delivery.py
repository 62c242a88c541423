"""Chat over the real sockets: stored before acknowledged, delivered, resumed, never doubled."""

from __future__ import annotations

import orjson
import pytest

from frontdesk.features.conversations import ANSWER_BYTES
from tests.conftest import Backend
from tests.harness import Server, Socket, running_server

pytestmark = pytest.mark.asyncio


async def test_a_visitor_and_a_rep_exchange_messages_both_ways(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console, server.visitor(org) as visitor:
        await visitor.send(
            {
                "type": "message",
                "client_id": "v1",
                "body": "Hi, do you integrate with **Salesforce**?",
            }
        )
        ack = await visitor.expect("ack", client_id="v1")
        assert ack["message"]["seq"] == 1
        conversation_id = ack["message"]["conversation_id"]

        seen = await console.expect("message", message__client_id="v1")
        assert (
            seen["message"]["html"]
            == "<p>Hi, do you integrate with <strong>Salesforce</strong>?</p>"
        )
        incoming = await console.expect("conversation.updated", conversation__id=conversation_id)
        assert incoming["conversation"]["status"] == "incoming"

        await console.send(
            {
                "type": "message",
                "conversation_id": conversation_id,
                "client_id": "r1",
                "body": "Yes, natively!",
            }
        )
        rep_ack = await console.expect("ack", client_id="r1")
        # Replying to an incoming chat accepts it: the hand-off line comes first (seq 2).
        assert rep_ack["message"]["seq"] == 3
        handoff = await visitor.expect("message", message__seq=2)
        assert handoff["message"]["author_kind"] == "system"
        assert "joined the chat" in handoff["message"]["body"]
        reply = await visitor.expect("message", message__client_id="r1")
        assert reply["message"]["author_kind"] == "rep"
        assert reply["message"]["body"] == "Yes, natively!"


async def test_an_acknowledged_message_reaches_a_rep_who_was_offline_when_it_was_sent(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "first"})
        first = await visitor.expect("ack", client_id="a")
        conversation_id = first["message"]["conversation_id"]
        async with rep.socket() as console:
            await console.send(
                {
                    "type": "message",
                    "conversation_id": conversation_id,
                    "client_id": "r",
                    "body": "hello",
                }
            )
            last_seen = (await console.expect("ack", client_id="r"))["message"]["seq"]
        # The console is closed now; the visitor keeps writing.
        await visitor.send({"type": "message", "client_id": "b", "body": "are you there?"})
        await visitor.expect("ack", client_id="b")
        async with rep.socket({"last_seqs": {conversation_id: last_seen}}) as console:
            replay = await console.expect("messages", conversation_id=conversation_id)
            assert [m["body"] for m in replay["messages"]] == ["are you there?"]
            assert [m["seq"] for m in replay["messages"]] == [last_seen + 1]


async def test_a_rep_reply_sent_while_the_visitor_was_away_is_replayed_on_resume(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        token = visitor.welcome["token"]  # type: ignore[index]
        await visitor.send({"type": "message", "client_id": "a", "body": "question"})
        conversation_id = (await visitor.expect("ack", client_id="a"))["message"]["conversation_id"]
    status, _ = await rep.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        {"client_id": "r1", "body": "answer"},
    )
    assert status == 200
    async with server.visitor(org, token=token, last_seq=1, resumed=True) as visitor:
        welcome = visitor.welcome
        assert welcome is not None
        assert welcome["conversation"]["id"] == conversation_id
        # The hand-off line (the rep joined by answering) and the answer, both missed meanwhile.
        assert [m["author_kind"] for m in welcome["messages"]] == ["system", "rep"]
        assert welcome["messages"][-1]["body"] == "answer"


async def test_retrying_a_message_with_the_same_client_id_stores_it_once(server: Server) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        for _ in range(3):
            await visitor.send({"type": "message", "client_id": "same", "body": "only once please"})
        acks = [await visitor.expect("ack", client_id="same") for _ in range(3)]
        assert {a["message"]["id"] for a in acks} == {acks[0]["message"]["id"]}
        conversation_id = acks[0]["message"]["conversation_id"]
    status, body = await rep.request("GET", f"/api/conversations/{conversation_id}")
    assert status == 200
    assert [m["body"] for m in body["messages"]] == ["only once please"]


async def test_the_first_rep_to_accept_owns_the_chat_and_the_second_hears_it_is_taken(
    server: Server,
) -> None:
    org = await server.create_org()
    dana, sam = await server.rep(org), await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "a", "body": "hello?"})
        conversation_id = (await visitor.expect("ack"))["message"]["conversation_id"]
        status, accepted = await dana.request(
            "POST", f"/api/conversations/{conversation_id}/accept"
        )
        assert status == 200 and accepted["owner_rep_id"] == dana.rep_id
        status, refused = await sam.request("POST", f"/api/conversations/{conversation_id}/accept")
        assert status == 409
        assert "already taken" in refused["error"]["message"]
        changed = await visitor.expect("conversation", conversation__status="active")
        assert changed["conversation"]["rep"]["id"] == dana.rep_id


async def test_the_tab_that_sends_a_message_gets_it_once_in_its_ack_and_the_visitors_other_tab_gets_it_too(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as first:
        assert first.welcome is not None
        token = first.welcome["token"]
        async with server.visitor(org, token=token) as second, rep.socket() as console:
            for k in range(3):  # the first opens the chat, the next go through the group writer
                await first.send({"type": "message", "client_id": f"t{k}", "body": f"#{k}"})
                await first.expect("ack", client_id=f"t{k}")
                copy = await second.expect("message", message__client_id=f"t{k}")
                assert copy["message"]["body"] == f"#{k}"
                await console.expect("message", message__client_id=f"t{k}")
            conversation_id = copy["message"]["conversation_id"]
            await console.send(
                {
                    "type": "message",
                    "conversation_id": conversation_id,
                    "client_id": "r1",
                    "body": "A rep's reply",
                }
            )
            reply = await first.expect("message", message__client_id="r1")  # others' messages come
            assert reply["message"]["author_kind"] == "rep"
            await second.expect("message", message__client_id="r1")
            # The sending tab never got its own messages as "message" frames, only as acks.
            assert [
                f["message"]["client_id"]
                for f in first.received
                if f["type"] == "message" and f["message"]["author_kind"] == "visitor"
            ] == []


async def _long_chat(server: Server, org: object, messages: int) -> tuple[str, int]:
    """A visitor writes `messages` messages of 10,000 characters; their conversation and last seq."""
    async with server.visitor(org) as visitor:  # type: ignore[arg-type]
        for n in range(messages):
            await visitor.send(
                {"type": "message", "client_id": f"m{n}", "body": f"{n} " + "w" * 9_990}
            )
        for n in range(messages):
            last = await visitor.expect("ack", timeout=30, client_id=f"m{n}")
    return last["message"]["conversation_id"], last["message"]["seq"]


async def _answers(console: Socket) -> list[dict[str, object]]:
    """The `messages` frames that came before the answer to a ping (so: every one sent)."""
    await console.send({"type": "ping"})
    await console.expect("pong", timeout=15)
    answers = [f for f in console.unread if f["type"] == "messages"]
    console.unread[:] = [f for f in console.unread if f["type"] != "messages"]
    return answers


async def test_a_long_chat_reaches_a_console_that_missed_it_in_pieces_none_near_the_send_limit(
    backend: Backend,
) -> None:
    # 110 messages of 10,000 characters are over 2 MiB with their HTML: in one `messages` frame
    # (as before) twice what a socket may have unread before it is cut off (1 MiB,
    # sockets.MAX_BUFFERED_BYTES), and the console asked for it again on every reconnect.
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        visitor_frame_limits={"message": "200/10 seconds"},
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        cid, last_seq = await _long_chat(server, org, 110)
        other, _ = await _long_chat(server, org, 30)
        budget = ANSWER_BYTES + 25_000  # and the one message that may pass it

        # A hello naming both long chats: one answer's worth for them together, the earliest
        # messages first.
        async with rep.socket({"last_seqs": {cid: 0, other: 0}}) as console:
            answers = await _answers(console)
            assert answers and answers[0]["conversation_id"] == cid
            assert sum(len(orjson.dumps(a["messages"])) for a in answers) <= budget
            first = answers[0]["messages"]
            assert isinstance(first, list)
            assert [m["seq"] for m in first] == list(range(1, len(first) + 1))

            # Then `resume` from where the copy stops, a piece of at most 256 KB at a time.
            have, resumes, bodies = len(first), 0, [m["body"] for m in first]
            while have < last_seq:
                await console.send({"type": "resume", "conversation_id": cid, "after_seq": have})
                (answer,) = await _answers(console)
                page = answer["messages"]
                assert isinstance(page, list) and page
                assert [m["seq"] for m in page] == list(range(have + 1, have + 1 + len(page)))
                assert len(orjson.dumps(page)) <= budget
                bodies += [m["body"] for m in page]
                have, resumes = page[-1]["seq"], resumes + 1
            assert 5 <= resumes < 20
            assert [b for b in bodies if b.startswith(tuple("0123456789"))] == [
                f"{n} " + "w" * 9_990 for n in range(110)
            ]
