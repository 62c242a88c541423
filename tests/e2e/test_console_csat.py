"""Ratings (CSAT) and the messenger's language in the console (Debian's Chromium): an admin
turns ratings on and picks a language under Admin -> Messenger; a visitor's rating then shows
on the conversation, in Visitor 360 and in Reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect, open_admin, open_page
from tests.e2e.console_env import console_env as open_console_env

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def console_env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with open_console_env(sqlite_memory_backend, artifacts_dir, browser) as env:
        yield env


async def test_an_admin_turns_ratings_on_and_the_visitors_rating_shows_everywhere(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    page = await env.console(env.admin, width=1280, height=800)
    await open_admin(page, "Messenger")
    await page.get_by_label("Ask visitors to rate a chat").select_option("faces")
    await expect(
        page.get_by_text("The messenger asks for a rating when a chat ends.")
    ).to_be_visible()
    await page.get_by_label("Messenger language").select_option("de")
    await expect(page.get_by_text("Messenger language saved.")).to_be_visible()
    await env.shot(page, "console-admin-messenger")
    admin = await env.api(env.admin)
    status, me = await admin.request("GET", "/api/me")
    assert status == 200
    assert me["org"]["messenger"] == {"csat": "faces", "language": "de"}

    # A visitor chats, the admin answers and ends it, the visitor rates it.
    async with env.visitor_socket() as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["messenger"]["language"] == "de"
        await visitor.send({"type": "message", "client_id": "v1", "body": "Gibt es SSO?"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        await admin.request(
            "POST", f"/api/conversations/{cid}/messages", {"client_id": "r1", "body": "Ja, SAML."}
        )
        await admin.request("POST", f"/api/conversations/{cid}/end")
        await visitor.expect("conversation", conversation__status="ended")
        ended = page.get_by_text("This conversation has ended.")
        await open_page(page, f"{env.server.url}/app/conversations/{cid}", ended)
        note = page.get_by_role("note", name="Visitor's rating")
        assert await note.count() == 0
        await visitor.send(
            {
                "type": "rate",
                "conversation_id": cid,
                "score": 2,
                "comment": "Okay, but I had to wait a long time before anyone answered.",
            }
        )
        await visitor.expect("conversation", conversation__rating=2)
        visitor_id = visitor.welcome["visitor_id"]

    # The open conversation view shows it as it arrives, with the comment.
    await expect(note).to_contain_text("Rated Okay")
    await expect(note).to_contain_text("I had to wait a long time")
    await env.shot(page, "console-conversation-rating-1280x800")
    phone = await env.console(env.admin, width=390, height=844)
    await phone.goto(f"{env.server.url}/app/conversations/{cid}")
    phone_note = phone.get_by_role("note", name="Visitor's rating")
    await expect(phone_note).to_contain_text("Rated Okay")
    box = await phone_note.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    await env.shot(phone, "console-conversation-rating-390x844")

    # Visitor 360 lists the chat with its rating.
    history = page.get_by_role("region", name="Conversations history").or_(
        page.locator('section[aria-label="Conversations history"]')
    )
    await open_page(page, f"{env.server.url}/app/visitors/{visitor_id}", history.first)
    await expect(history.first).to_contain_text("Rated Okay")
    await env.shot(page, "console-visitor360-rating")

    # Reports: one rating, not a satisfied one.
    today = datetime.now(UTC).date().isoformat()
    status, report = await admin.request(
        "GET", f"/api/reports/summary?start={today}&end={today}&zone=UTC"
    )
    assert (report["totals"]["csat_ratings"], report["totals"]["csat_rate"]) == (1, 0.0)
    await page.get_by_role("link", name="Reports").click()
    await page.get_by_label("Time zone").select_option("UTC")
    tile = page.get_by_role("region", name="Totals").locator(".report-tile").filter(has_text="CSAT")
    await expect(tile).to_contain_text("0%")
    await expect(tile).to_contain_text("0 satisfied of 1 ratings")
    await expect(page.get_by_role("figure", name="Ratings per day (CSAT)")).to_be_visible()
    await env.shot(page, "console-reports-csat")
