"""The bot's answer from the knowledge in a real browser: a visitor outside business hours
asks, the messenger shows the answer with its source, says it is automatic and offers "Talk
to a person", which leads to the offline form. In German (the texts are translated, as are the
messenger's file and call texts), at 1280x800 and 390x844, screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.test_widget_e2e import CHROMIUM, STATIC, Env, eventually, make_env
from tests.e2e.test_widget_languages_and_csat import DESKTOP, PHONE, SHADOW, TRUNCATED

from frontdesk.transport.api_copilot import COPILOT_KEY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "widget.js").exists(), reason="widget not built: cd web && node build.mjs"
    ),
]

KNOWLEDGE = """# Refund policy
We refund the full amount of your first payment when you ask within 30 days of it.

# Data residency
Customer data stays in the region chosen at sign-up: Frankfurt or Virginia.
"""


@pytest_asyncio.fixture(loop_scope="session")
async def env(sqlite_memory_backend: Backend, browser: TestBrowser) -> AsyncIterator[Env]:
    async with make_env(sqlite_memory_backend, browser, frozen=False) as made:
        admin = await made.server.rep(made.org, role="admin", name="Avery Admin")
        status, _ = await admin.request(
            "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
        )
        assert status == 200
        await made.server.app[COPILOT_KEY].indexer.run_until_done()
        status, _ = await admin.request(
            "PATCH", "/api/org/settings", {"messenger": {"bot_answers": True}}
        )
        assert status == 200
        # Closed every day: always outside business hours.
        status, body = await admin.request(
            "PUT", "/api/business-hours/org", {"time_zone": "UTC", "weekly": {}}
        )
        assert status == 200, body
        yield made


async def _answered(env: Env, page: Any) -> Any:
    async def bot_note() -> Any:
        await env.server.runtime.sweeper.run_due()
        return await page.evaluate(f"() => !!{SHADOW}.querySelector('.bot-note')")

    await eventually(bot_note, what="the bot's answer")


async def test_outside_hours_a_german_visitor_gets_the_answer_and_can_ask_for_a_person(
    env: Env, artifacts_dir: Path
) -> None:
    for viewport, name in ((DESKTOP, "1280x800"), (PHONE, "390x844")):
        context = await env.browser.new_context(locale="de-DE", viewport=viewport)
        page = await context.new_page()
        await page.goto(env.site + "/")
        await page.get_by_role("button", name="Open chat").click()
        messenger = page.locator("frontdesk-messenger")
        await messenger.locator(".panel").wait_for()
        await page.get_by_role("textbox", name="Nachricht").fill(
            "Is it possible to get my money back?"
        )
        await page.get_by_role("button", name="Nachricht senden").click()
        await _answered(env, page)
        answer = messenger.locator(".row.bot:has(.bot-note)")
        text = await answer.locator(".bubble").inner_text()
        assert "within 30 days" in text and "— Refund policy" in text
        assert (
            await answer.locator(".bot-note span").inner_text()
            == "Automatische Antwort aus unseren Hilfeartikeln."
        )
        # The messenger's own file and call texts are German too.
        labels = await page.evaluate(
            f"""() => [{SHADOW}.querySelector('.att').getAttribute('aria-label'),
                       {SHADOW}.querySelector('.cv').getAttribute('aria-label')]"""
        )
        assert labels == ["Datei anhängen", "Anruf"]
        assert await page.evaluate(TRUNCATED) == []
        await answer.evaluate("el => el.scrollIntoView({block: 'start'})")
        await page.screenshot(path=str(artifacts_dir / f"messenger-bot-answer-de-{name}.png"))
        # "Talk to a person": the offline form (outside hours), ready to fill in.
        await answer.get_by_role("button", name="Mit einem Menschen sprechen").click()
        focused = await page.evaluate(f"() => {SHADOW}.activeElement?.id")
        assert focused == "fd-off-name"
        await context.close()
