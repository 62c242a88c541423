"""What a visitor lives through after asking to chat, with a moved clock instead of sleeping."""

from __future__ import annotations

import asyncio
from datetime import datetime
from email import message_from_bytes, policy

import pytest

from frontdesk.deadlines.service import Sweeper
from frontdesk.features import conversations, experiences
from tests.harness import Server

pytestmark = pytest.mark.asyncio


async def _ask(server: Server, visitor: object, text: str = "Hi, can someone help?") -> str:
    await visitor.send({"type": "message", "client_id": "first", "body": text})  # type: ignore[attr-defined]
    ack = await visitor.expect("ack", client_id="first")  # type: ignore[attr-defined]
    return str(ack["message"]["conversation_id"])


async def test_reps_are_alerted_at_once_and_the_bot_greets_at_exactly_the_rep_window(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console, server.visitor(org) as visitor:
        asked_at = server.clock.now()
        cid = await _ask(server, visitor)
        alert = await console.expect("conversation.updated", conversation__id=cid)
        assert alert["conversation"]["status"] == "incoming"
        window_ends = datetime.fromisoformat(alert["conversation"]["meta"]["rep_window_ends_at"])
        assert (window_ends - asked_at).total_seconds() == 20

        server.clock.advance(19.999)
        await server.runtime.sweeper.run_due()
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert not [
            f
            for f in visitor.received
            if f["type"] == "message" and f["message"]["author_kind"] == "bot"
        ]

        server.clock.advance(0.001)
        await server.runtime.sweeper.run_due()
        greeting = await visitor.expect("message", message__author_kind="bot")
        assert "A member of our team will be with you shortly" in greeting["message"]["body"]
        await server.runtime.sweeper.run_due()  # a second sweep greets nobody twice
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert (
            len(
                [
                    f
                    for f in visitor.received
                    if f["type"] == "message" and f["message"]["author_kind"] == "bot"
                ]
            )
            == 1
        )


async def test_a_rep_who_accepts_in_time_gets_a_hand_off_and_no_bot_greeting(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org) as visitor:
        cid = await _ask(server, visitor)
        server.clock.advance(5)
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        handoff = await visitor.expect("message", message__author_kind="system")
        assert handoff["message"]["body"] == "Dana from our team joined the chat."
        server.clock.advance(60)
        await server.runtime.sweeper.run_due()
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert [m["author_kind"] for m in body["messages"]] == ["visitor", "system"]


async def test_nobody_joins_the_timeout_message_comes_at_five_minutes_and_the_chat_is_missed(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        cid = await _ask(server, visitor)
        server.clock.advance(20)
        await server.runtime.sweeper.run_due()
        await visitor.expect("message", message__author_kind="bot")
        server.clock.advance(4 * 60 + 39)
        await server.runtime.sweeper.run_due()
        status, body = await rep.request("GET", f"/api/conversations/{cid}")
        assert body["conversation"]["status"] == "incoming"
        server.clock.advance(1)
        await server.runtime.sweeper.run_due()
        timeout = await visitor.expect("message", message__author_kind="bot")
        assert "everyone on our team is busy" in timeout["message"]["body"]
        await visitor.expect("conversation", conversation__status="missed")
    status, recent = await rep.request("GET", "/api/conversations?box=recent")
    assert [c["status"] for c in recent["conversations"] if c["id"] == cid] == ["missed"]


async def test_with_nobody_available_the_visitor_gets_the_offline_form_and_reps_get_an_email(
    smtp_inbox: list[object], server: Server
) -> None:
    org = await server.create_org()
    await server.rep(org, name="Away Rep", available=False)
    async with server.visitor(org) as visitor:
        cid = await _ask(server, visitor, "Do you ship to Canada?")
        offline = await visitor.expect("message", message__author_kind="bot")
        assert "We're offline right now" in offline["message"]["body"]
        await visitor.send(
            {
                "type": "offline_message",
                "name": "Pat",
                "email": "pat@maple.example",
                "body": "Please email me about shipping",
            }
        )
        await visitor.expect("offline_received")
        await server.runtime.sweeper.run_due()
    for _ in range(50):
        if smtp_inbox:
            break
        await asyncio.sleep(0.05)
    assert len(smtp_inbox) == 1
    envelope = smtp_inbox[0]
    assert "Offline message from Pat" in envelope.content.decode()  # type: ignore[attr-defined]
    assert "Please email me about shipping" in envelope.content.decode()  # type: ignore[attr-defined]
    admin = await server.rep(org, role="admin")
    status, body = await admin.request("GET", "/api/offline-messages")
    assert body["offline_messages"][0]["emailed_at"] is not None
    assert body["offline_messages"][0]["conversation_id"] == cid


async def test_a_visitor_who_already_gave_their_email_leaves_an_offline_message_without_it(
    server: Server,
) -> None:
    org = await server.create_org()
    await server.rep(org, name="Away Rep", available=False)
    async with server.visitor(org) as visitor:
        await _ask(server, visitor, "Do you ship to Canada?")
        await visitor.expect("message", message__author_kind="bot")
        # Nobody known yet: an offline message without an email cannot be answered.
        await visitor.send({"type": "offline_message", "client_id": "o1", "body": "Hello?"})
        refused = await visitor.expect("error", ref="o1")
        assert refused["code"] == "invalid" and "email" in refused["message"]
        await visitor.send({"type": "identify", "email": "Pat@Maple.example", "name": "Pat"})
        await visitor.expect("identified")
        await visitor.send(
            {"type": "offline_message", "client_id": "o2", "body": "Please email me about it"}
        )
        await visitor.expect("offline_received", client_id="o2")
    admin = await server.rep(org, role="admin")
    status, body = await admin.request("GET", "/api/offline-messages")
    assert [(m["email"], m["body"]) for m in body["offline_messages"]] == [
        ("pat@maple.example", "Please email me about it")
    ]


async def test_an_experience_can_ask_for_name_and_email_first(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, listing = await admin.request("GET", "/api/experiences")
    default_id = listing["experiences"][0]["id"]
    status, _ = await admin.request(
        "PATCH", f"/api/experiences/{default_id}", {"ask_identity": True, "rep_window_seconds": 30}
    )
    assert status == 200
    status, refused = await admin.request(
        "PATCH", f"/api/experiences/{default_id}", {"timeout_seconds": 10}
    )
    assert status == 422 and "timeout_seconds" in refused["error"]["message"]
    async with server.visitor(org) as visitor:
        await _ask(server, visitor)
        prompt = await visitor.expect("message", message__author_kind="bot")
        assert "name and email" in prompt["message"]["body"]


async def test_fifty_reps_accepting_the_same_chat_at_once_leave_exactly_one_owner(
    server: Server,
) -> None:
    org = await server.create_org()
    reps = [await server.rep(org) for _ in range(50)]
    async with server.visitor(org) as visitor:
        cid = await _ask(server, visitor)
        results = await asyncio.gather(
            *(rep.request("POST", f"/api/conversations/{cid}/accept") for rep in reps)
        )
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 1
    assert statuses.count(409) == 49
    assert all(
        "already taken" in body["error"]["message"] for status, body in results if status == 409
    )
    winner = next(body for status, body in results if status == 200)
    status, body = await reps[0].request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["owner_rep_id"] == winner["owner_rep_id"]
    assert [m["author_kind"] for m in body["messages"]].count("system") == 1


async def test_an_offline_message_nobody_could_email_says_why_in_a_reps_words_and_admins_learn_the_setting(
    server: Server,
) -> None:
    assert server.runtime.settings.smtp_url is None  # no mail server on this one
    org = await server.create_org()
    rep = await server.rep(org, name="Away Rep", available=False)
    admin = await server.rep(org, role="admin", available=False)
    async with server.visitor(org) as visitor:
        await _ask(server, visitor, "Do you ship to Canada?")
        await visitor.expect("message", message__author_kind="bot")
        await visitor.send(
            {"type": "offline_message", "name": "Pat", "email": "pat@maple.example", "body": "Hi"}
        )
        await visitor.expect("offline_received")
    status, body = await rep.request("GET", "/api/offline-messages")
    assert status == 200
    [listed] = body["offline_messages"]
    assert listed["email_status"] == "sending"  # not tried yet
    await server.runtime.sweeper.run_due()

    status, body = await rep.request("GET", "/api/offline-messages")
    [listed] = body["offline_messages"]
    assert listed["email_status"] == "no_mail_server"
    assert listed["email_note"] == (
        "Not emailed: email isn't set up for your team yet. Reply to the visitor from here."
    )
    assert listed["email_admin_hint"] is None  # a rep cannot change the server's settings
    assert "SMTP" not in str(listed["email_note"])
    status, body = await admin.request("GET", "/api/offline-messages")
    [listed] = body["offline_messages"]
    assert listed["email_note"].startswith("Not emailed: email isn't set up")
    assert "set FRONTDESK_SMTP_URL" in listed["email_admin_hint"]


async def test_a_visitor_who_gave_their_email_is_not_asked_for_it_again_when_nobody_joins(
    server: Server,
) -> None:
    org = await server.create_org()
    await server.rep(org)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "identify", "email": "lin@prospect.example", "name": "Lin"})
        await visitor.expect("identified")
        await _ask(server, visitor)
        server.clock.advance(20)
        await server.runtime.sweeper.run_due()
        await visitor.expect("message", message__author_kind="bot")  # the bot's greeting
        server.clock.advance(5 * 60)
        await server.runtime.sweeper.run_due()
        timeout = await visitor.expect("message", message__author_kind="bot")
        assert timeout["message"]["body"] == (
            "Sorry, nobody from our team could join in time. "
            "We'll get back to you at lin@prospect.example."
        )
        await visitor.expect("conversation", conversation__status="missed")


async def test_a_missed_chat_emails_each_routed_rep_once_even_with_two_sweepers(
    smtp_inbox: list[object], server: Server
) -> None:
    """Reps were available and nobody accepted: one email per routed rep, through a real SMTP
    server, with a plain-text and an HTML part and a link to the chat; two server processes'
    sweepers (here: two sweepers on one database) racing for the deadline send it once."""
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    async with server.visitor(org) as visitor:
        cid = await _ask(server, visitor, "Do you integrate with Salesforce?")
        server.clock.advance(5 * 60 + 1)
        other = Sweeper(server.runtime.db, server.clock)
        other.register(
            experiences.KIND_MISSED_CHAT_EMAIL,
            lambda d: experiences.on_missed_chat_email(server.runtime, d),
        )
        other.register(
            conversations.KIND_INCOMING_TIMEOUT,
            lambda d: conversations.on_incoming_timeout(server.runtime, d),
        )
        for _ in range(3):  # the timeout, then the email it scheduled
            await asyncio.gather(server.runtime.sweeper.run_due(), other.run_due())
        await visitor.expect("conversation", conversation__status="missed")
    status, body = await dana.request("GET", f"/api/conversations/{cid}")
    assert status == 200
    # No routing rule: routed to nobody in particular, so every active rep is emailed.
    assert body["conversation"]["routed_rep_ids"] == []
    ours = {dana.email, sam.email}

    def mine() -> list[object]:  # other tests' missed chats on a shared server email too
        return [e for e in smtp_inbox if set(e.rcpt_tos) & ours]  # type: ignore[attr-defined]

    for _ in range(100):
        if len(mine()) >= 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a duplicate would arrive by now
    assert len(mine()) == 2
    recipients = sorted(e.rcpt_tos[0] for e in mine())  # type: ignore[attr-defined]
    assert recipients == sorted(ours)
    for envelope in mine():
        mail = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined]
        assert "Missed chat" in mail["Subject"]
        text = mail.get_body(preferencelist=("plain",))
        page = mail.get_body(preferencelist=("html",))
        assert text is not None and page is not None
        assert "Do you integrate with Salesforce?" in text.get_content()
        assert f"/app/conversations/{cid}" in text.get_content()
        assert 'href="' in page.get_content() and f"/app/conversations/{cid}" in page.get_content()
    # A later sweep sends nothing more.
    await server.runtime.sweeper.run_due()
    await asyncio.sleep(0.2)
    assert len(mine()) == 2
