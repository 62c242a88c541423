"""Admin -> Messenger -> Texts in the console (Debian's Chromium): an admin rewords a text of
the Arabic messenger; the org's visitors get it in their welcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect, open_admin
from tests.e2e.console_env import console_env as open_console_env

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def console_env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with open_console_env(sqlite_memory_backend, artifacts_dir, browser) as env:
        yield env


async def test_an_admin_rewords_an_arabic_text(console_env: ConsoleEnv) -> None:
    env = console_env
    page = await env.console(env.admin, width=1280, height=800)
    await open_admin(page, "Messenger")
    await page.get_by_label("Language of the texts").select_option("ar")
    await page.get_by_text("Edit 174 texts").click()
    box = page.get_by_label("Write a message…", exact=True)
    assert await box.get_attribute("placeholder") == "اكتب رسالة…"
    await box.fill("اكتب سؤالك هنا…")
    await env.shot(page, "console-admin-messenger-texts")
    await page.get_by_role("button", name="Save texts").click()
    await expect(page.get_by_text("Messenger texts saved.")).to_be_visible()
    admin = await env.api(env.admin)
    status, me = await admin.request("GET", "/api/me")
    assert status == 200
    assert me["org"]["messenger"]["texts"] == {"ar": {"placeholder": "اكتب سؤالك هنا…"}}
    async with env.visitor_socket() as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["messenger"]["texts"]["ar"]["placeholder"] == (
            "اكتب سؤالك هنا…"
        )
    phone = await env.console(env.admin, width=390, height=844)
    await phone.goto(env.server.url + "/app/admin/messenger")
    await phone.get_by_label("Language of the texts").select_option("ar")
    await phone.get_by_text("Edit 174 texts (1 reworded)").click()
    await env.shot(phone, "console-admin-messenger-texts-390")


async def test_an_admin_lets_the_bot_answer_from_the_knowledge_when_nobody_is_available(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    admin = await env.api(env.admin)
    status, me = await admin.request("GET", "/api/me")
    assert not me["org"]["messenger"].get("bot_answers")  # off by default
    for width, height, name in ((1280, 800, ""), (390, 844, "-390")):
        page = await env.console(env.admin, width=width, height=height)
        await page.goto(env.server.url + "/app/admin/messenger")
        switch = page.get_by_label("Let the bot answer when nobody is available")
        await switch.scroll_into_view_if_needed()
        await env.shot(page, f"console-admin-messenger-bot{name}")
        if not name:
            await switch.click()
            await expect(
                page.get_by_text("The bot answers from your knowledge when nobody is available.")
            ).to_be_visible()
            await expect(switch).to_have_attribute("aria-checked", "true")
    status, me = await admin.request("GET", "/api/me")
    assert me["org"]["messenger"]["bot_answers"] is True
