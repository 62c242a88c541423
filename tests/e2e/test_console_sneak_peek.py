"""Sneak peek in the browser (Debian's Chromium): an admin turns it on, the messenger tells the
visitor, and the rep sees the visitor's draft under the transcript until it is sent."""

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


async def test_the_rep_sees_what_the_visitor_types_and_the_visitor_is_told(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    page = await env.console(env.admin, width=1280, height=800)
    await open_admin(page, "Messenger")
    peek_switch = page.get_by_role("switch", name="Show reps what visitors are typing")
    await peek_switch.click()
    await expect(peek_switch).to_have_attribute("aria-checked", "true")

    visitor = await env.visitor_page("/", viewport={"width": 390, "height": 844})
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(visitor.get_by_text("Your typing may be visible to our team.")).to_be_visible()
    admin = await env.api(env.admin)
    async with admin.socket() as sock:
        box = visitor.get_by_role("textbox", name="Message")
        await box.fill("Hi, a question about pricing")
        await box.press("Enter")
        cid = (await sock.expect("conversation.updated", timeout=15))["conversation"]["id"]
    status, _ = await admin.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    await page.goto(f"{env.server.url}/app/conversations/{cid}")
    await expect(page.get_by_text("Hi, a question about pricing")).to_be_visible()

    # The visitor types without sending: the rep reads along.
    await box.press_sequentially("Could you do 40 seats at a discount?", delay=20)
    peek = page.locator(".draft-peek")
    await expect(peek).to_contain_text("Could you do 40 seats at a discount?", timeout=10_000)
    await env.shot(page, "console-sneak-peek-1280x800")
    await env.shot(visitor, "messenger-sneak-peek-390x844")
    # Sent: the message replaces the draft.
    await box.press("Enter")
    await expect(
        page.locator(".msg-visitor").filter(has_text="Could you do 40 seats")
    ).to_have_count(1)
    await expect(peek).to_have_count(0)
