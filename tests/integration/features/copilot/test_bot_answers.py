"""The bot answers a waiting visitor from the org's knowledge when no rep is available, through
the sockets and HTTP as a visitor and a rep see it: with its source, never made up, never from
another org's knowledge, the human path always still there, and marked as the bot's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from frontdesk.transport.api_copilot import COPILOT_KEY
from tests.harness import OrgInfo, RepClient, Server

KNOWLEDGE = """# Refund policy
We refund the full amount of your first payment when you ask within 30 days of it.

# Can I pay by bank transfer?
Enterprise customers can pay by bank transfer against an invoice with 30-day terms.

# Data residency
Customer data stays in the region chosen at sign-up: Frankfurt or Virginia.
"""
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SATURDAY_NOON = datetime(2027, 1, 2, 12, 0, tzinfo=UTC)
# The admin's away message, then when the team is back (in the visitor's language).
AWAY = "We're closed. We're back Monday at 09:00 (UTC)."


async def _org_with_knowledge(
    server: Server, name: str, *, bot_answers: bool = True, closed: bool = True
) -> tuple[OrgInfo, RepClient]:
    org = await server.create_org(name)
    admin = await server.rep(org, role="admin", name="Avery Admin")
    status, _ = await admin.request(
        "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
    )
    assert status == 200
    await server.app[COPILOT_KEY].indexer.run_until_done()
    if bot_answers:
        status, body = await admin.request(
            "PATCH", "/api/org/settings", {"messenger": {"bot_answers": True}}
        )
        assert status == 200, body
    if closed:
        status, body = await admin.request(
            "PUT",
            "/api/business-hours/org",
            {"time_zone": "UTC", "weekly": WEEKDAYS_9_TO_5, "away_message": "We're closed."},
        )
        assert status == 200, body
    return org, admin


async def _ask(visitor: Any, text: str, client_id: str = "q1") -> str:
    await visitor.send({"type": "message", "client_id": client_id, "body": text})
    ack = await visitor.expect("ack", client_id=client_id)
    return str(ack["message"]["conversation_id"])


async def _bot_messages(rep: RepClient, cid: str) -> list[dict[str, Any]]:
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200, body
    return [m for m in body["messages"] if m["author_kind"] == "bot"]


async def test_outside_hours_a_visitor_gets_the_answer_with_its_source_and_the_human_path_stays(
    server: Server,
) -> None:
    server.clock.set(SATURDAY_NOON)  # type: ignore[attr-defined]
    org, admin = await _org_with_knowledge(server, "Northwind")
    async with admin.socket() as console, server.visitor(org) as visitor:
        cid = await _ask(visitor, "Is it possible to get my money back?")
        away = await visitor.expect("message", message__author_kind="bot")
        assert away["message"]["body"] == AWAY
        await server.runtime.sweeper.run_due()
        answer = await visitor.expect("message", message__author_kind="bot", message__seq=3)
        body = answer["message"]["body"]
        assert "within 30 days" in body
        assert body.endswith("— Refund policy")  # the source, quoted
        assert answer["message"]["meta"]["bot_answer"]["title"] == "Refund policy"
        assert answer["message"]["meta"]["bot_answer"]["confidence"] >= 0.5
        # The human path is still there: the offline form (and reps see the chat waiting).
        state = await visitor.expect("conversation", conversation__id=cid)
        assert state["conversation"]["offline"] is True
        # The rep sees the bot's answer in the transcript, as the bot's.
        seen = await console.expect("message", message__seq=3)
        assert seen["message"]["author_kind"] == "bot"
        assert seen["message"]["author_name"] == "Assistant"
        bots = await _bot_messages(admin, cid)
        assert [m["meta"].get("bot_answer", {}).get("title") for m in bots] == [
            None,
            "Refund policy",
        ]
        # A later question (the fast path) is answered too; an unanswerable one is not.
        await _ask(visitor, "Can I pay by bank transfer?", "q2")
        await server.runtime.sweeper.run_due()
        second = await visitor.expect("message", message__author_kind="bot", message__seq=5)
        assert "bank transfer" in second["message"]["body"]
        await _ask(visitor, "Do you have an office in Tokyo?", "q3")
        await server.runtime.sweeper.run_due()
        bots = await _bot_messages(admin, cid)
        assert len(bots) == 3  # the away message and two answers: nothing made up for Tokyo


async def test_an_unanswerable_question_gets_no_answer_and_the_switch_is_off_by_default(
    server: Server,
) -> None:
    server.clock.set(SATURDAY_NOON)  # type: ignore[attr-defined]
    org, admin = await _org_with_knowledge(server, "Northwind")
    async with server.visitor(org) as visitor:
        cid = await _ask(visitor, "Do you have an office in Tokyo?")
        await visitor.expect("message", message__author_kind="bot")
        await server.runtime.sweeper.run_due()
        assert [m["body"] for m in await _bot_messages(admin, cid)] == [AWAY]
    quiet, quiet_admin = await _org_with_knowledge(server, "Quiet", bot_answers=False)
    async with server.visitor(quiet) as visitor:
        cid = await _ask(visitor, "Is it possible to get my money back?")
        await visitor.expect("message", message__author_kind="bot")
        await server.runtime.sweeper.run_due()
        assert [m["body"] for m in await _bot_messages(quiet_admin, cid)] == [AWAY]


async def test_another_orgs_knowledge_is_never_used(server: Server) -> None:
    server.clock.set(SATURDAY_NOON)  # type: ignore[attr-defined]
    await _org_with_knowledge(server, "Northwind")
    other = await server.create_org("Contoso")
    admin = await server.rep(other, role="admin")
    await admin.request("PATCH", "/api/org/settings", {"messenger": {"bot_answers": True}})
    await admin.request(
        "PUT", "/api/business-hours/org", {"time_zone": "UTC", "weekly": WEEKDAYS_9_TO_5}
    )
    async with server.visitor(other) as visitor:
        cid = await _ask(visitor, "Is it possible to get my money back?")
        await visitor.expect("message", message__author_kind="bot")
        await server.runtime.sweeper.run_due()
        bots = await _bot_messages(admin, cid)
        assert len(bots) == 1 and "bot_answer" not in bots[0]["meta"]


async def test_when_the_countdown_ends_with_nobody_accepting_the_bot_answers_until_a_rep_joins(
    server: Server,
) -> None:
    org, admin = await _org_with_knowledge(server, "Northwind", closed=False)
    async with server.visitor(org) as visitor:
        cid = await _ask(visitor, "Where is customer data stored?")
        # A rep is available: the countdown runs and the bot does not answer yet.
        await server.runtime.sweeper.run_due()
        assert await _bot_messages(admin, cid) == []
        server.clock.advance(20)  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()  # the rep window ends: the bot greets
        await server.runtime.sweeper.run_due()  # and answers from the knowledge
        bots = await _bot_messages(admin, cid)
        assert len(bots) == 2, bots
        assert bots[1]["meta"]["bot_answer"]["title"] == "Data residency"
        assert "Frankfurt or Virginia" in bots[1]["body"]
        status, _ = await admin.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        await _ask(visitor, "Can I pay by bank transfer?", "q2")
        await server.runtime.sweeper.run_due()
        assert len(await _bot_messages(admin, cid)) == 2  # a rep has the chat: the bot is quiet
