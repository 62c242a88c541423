"""The rep console's live stream in Debian's Chromium (issue 4): a visitor on the demo site shows
up on a rep's screen at once, and the card follows what the visitor does.

Each test gets a fresh server (SQLite + the in-process bus, real clock), the demo website with
the real snippet, two reps and an admin (see console_env in test_console_chat.py's twin below),
and Chromium through async Playwright on the server's event loop.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from frontdesk.demo import demo_site_app
from tests.conftest import Backend
from tests.harness import PASSWORD, OrgInfo, Server

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STATIC = Path(__file__).resolve().parents[2] / "src" / "frontdesk" / "static"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "console" / "app.js").exists(), reason="console not built: cd web && node build.mjs"
    ),
]


@dataclass(frozen=True)
class Login:
    email: str
    name: str


@dataclass
class ConsoleEnv:
    server: Server
    org: OrgInfo
    site: str  # the demo website (Northwind) with the snippet on every page
    reps: list[Login]
    admin: Login
    browser: Any


@pytest.fixture
async def console_env(sqlite_memory_backend: Backend) -> AsyncIterator[ConsoleEnv]:
    from playwright.async_api import async_playwright

    server = Server(sqlite_memory_backend.database_url, "memory://", "unused", frozen=False)
    await server.start()
    site_server = TestServer(demo_site_app(server.url, "pending"), host="127.0.0.1")
    await site_server.start_server()
    site = f"http://127.0.0.1:{site_server.port}"
    await site_server.close()
    org = await server.create_org("Northwind Analytics", origins=(site,))
    site_server = TestServer(demo_site_app(server.url, org.site_key), host="127.0.0.1", port=int(site.rsplit(":", 1)[1]))
    await site_server.start_server()
    reps = [Login(await server.create_rep(org, "rep", name), name) for name in ("Dana Reyes", "Sam Okafor")]
    admin = Login(await server.create_rep(org, "admin", "Avery Admin"), "Avery Admin")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield ConsoleEnv(server, org, site, reps, admin, browser)
        finally:
            await browser.close()
            await site_server.close()
            await server.stop()


async def sign_in(env: ConsoleEnv, login: Login) -> Any:
    """A rep's console in its own browser context, signed in, with the live socket up."""
    context = await env.browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    await page.goto(env.server.url + "/login")
    await page.get_by_label("Email").fill(login.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    return page


def visitor_card(rep: Any, marker: str) -> Any:
    """The live-stream card whose current URL carries `marker` (each test tags its visitor)."""
    return rep.locator(".vcard").filter(has=rep.locator(".vcard-url", has_text=marker))


async def switch_to_another_tab(page: Any, other: Any) -> None:
    """Bring another tab to the front. Headless Chromium keeps every page 'visible', so when the
    page did not notice, tell it the way a browser does: visibilityState + visibilitychange."""
    await other.bring_to_front()
    if not await page.evaluate("document.hidden"):
        await page.evaluate(
            """() => {
              Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
              Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
              document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )


async def come_back_to_tab(page: Any) -> None:
    await page.bring_to_front()
    await page.evaluate(
        """() => {
          if (Object.getOwnPropertyDescriptor(document, 'hidden')) {
            delete document.visibilityState;
            delete document.hidden;
            document.dispatchEvent(new Event('visibilitychange'));
          }
        }"""
    )


async def test_a_visitor_who_opens_the_demo_site_appears_in_a_reps_live_stream_within_a_second(
    console_env: ConsoleEnv, artifacts_dir: Path
) -> None:
    env = console_env
    rep = await sign_in(env, env.reps[0])
    marker = f"e2e={uuid.uuid4().hex[:10]}"
    visitor = await (await env.browser.new_context(viewport={"width": 1280, "height": 800})).new_page()

    started = time.monotonic()
    await visitor.goto(f"{env.site}/?{marker}", wait_until="commit")
    card = visitor_card(rep, marker)
    await expect(card).to_be_visible(timeout=max(1.0, 1000 - (time.monotonic() - started) * 1000))
    appeared_after = time.monotonic() - started

    assert appeared_after <= 1.0, f"the card took {appeared_after:.2f} s"
    await expect(card.locator(".thumb .activity")).to_have_attribute("data-activity", "active")
    await expect(card).to_contain_text("Northwind Analytics")
    await expect(rep.get_by_role("region", name="Live stream")).to_contain_text("1 visitors")
    await rep.screenshot(path=str(artifacts_dir / "console-live-stream.png"))


async def test_a_visitor_card_follows_the_visitor_switching_tabs_and_moving_to_another_page(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    rep = await sign_in(env, env.reps[0])
    marker = f"e2e={uuid.uuid4().hex[:10]}"
    visitor = await (await env.browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await visitor.goto(f"{env.site}/?{marker}")
    card = visitor_card(rep, marker)
    activity = card.locator(".thumb .activity")
    await expect(activity).to_have_attribute("data-activity", "active", timeout=5_000)

    other_tab = await visitor.context.new_page()
    await other_tab.goto("about:blank")
    await switch_to_another_tab(visitor, other_tab)
    await expect(activity).to_have_attribute("data-activity", "another_tab", timeout=3_000)
    await expect(activity).to_contain_text("Another tab")

    await other_tab.close()
    await come_back_to_tab(visitor)
    await expect(activity).to_have_attribute("data-activity", "active", timeout=3_000)

    # The visitor moves to the pricing page: the same visitor's card shows the new URL.
    visitor_id = await card.get_attribute("data-visitor-id")
    await visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Pricing").click()
    await visitor.wait_for_url("**/pricing.html")
    moved = rep.locator(f'.vcard[data-visitor-id="{visitor_id}"]')
    await expect(moved.locator(".vcard-url")).to_have_text("/pricing.html", timeout=3_000)
    await expect(moved).to_contain_text("Pricing")
