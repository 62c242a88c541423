"""The rep console in Debian's Chromium (issue 4): a visitor on the demo site shows up in a
rep's live stream at once and the card follows what they do; an inbound chat is offered to every
available rep, the first to accept takes it, chats with the visitor and ends it; a deactivated
rep is thrown out of an open console at once.

Each test gets a fresh server (SQLite + the in-process bus, real clock, no deadline sweeper: a
bot never steps in mid-test), the demo website with the real snippet, two reps and an admin,
and Chromium through async Playwright on the server's event loop. Screenshots of the live
stream, the inbox and the conversation console go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import CHROMIUM, STATIC, ConsoleEnv, visitor_card
from tests.e2e.console_env import console_env as open_console_env
from tests.harness import PASSWORD

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "console" / "index.html").exists(),
        reason="console not built: cd web && node build.mjs",
    ),
]


@pytest_asyncio.fixture(loop_scope="session")
async def console_env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    # allow_private_targets: the image proxy may fetch the demo site's images from 127.0.0.1.
    async with open_console_env(
        sqlite_memory_backend, artifacts_dir, browser, allow_private_targets=True
    ) as env:
        yield env


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


async def test_a_visitor_who_opens_the_demo_site_appears_in_a_reps_live_stream(
    console_env: ConsoleEnv, artifacts_dir: Path
) -> None:
    env = console_env
    rep = await env.console(env.reps[0])
    marker = f"e2e={uuid.uuid4().hex[:10]}"
    visitor = await (
        await env.browser.new_context(viewport={"width": 1280, "height": 800})
    ).new_page()

    await visitor.goto(f"{env.site}/?{marker}", wait_until="commit")
    card = visitor_card(rep, marker)
    # How fast is a benchmark's question (bench/console_browser.py, bench/fanout.py), not a
    # timed assertion on a shared machine: here the card must simply arrive by itself.
    await expect(card).to_be_visible(timeout=10_000)
    await expect(card.locator(".thumb .activity")).to_have_attribute("data-activity", "active")
    await expect(card).to_contain_text("Northwind Analytics")
    await rep.screenshot(path=str(artifacts_dir / "console-live-stream.png"))


async def test_a_visitor_card_follows_the_visitor_switching_tabs_and_moving_to_another_page(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    rep = await env.console(env.reps[0])
    marker = f"e2e={uuid.uuid4().hex[:10]}"
    visitor = await (
        await env.browser.new_context(viewport={"width": 1280, "height": 800})
    ).new_page()
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


async def test_a_cards_page_image_and_favicon_load_through_the_image_proxy_never_from_the_site(
    console_env: ConsoleEnv, artifacts_dir: Path
) -> None:
    """A rep's browser loading a URL a visitor chose would tell its owner the rep's IP address
    (issue 12 item 9): the console loads a page's og:image and its site's favicon only from
    the Frontdesk server's image proxy."""
    env = console_env
    rep = await env.console(env.reps[0])
    requested: list[str] = []
    rep.on("request", lambda request: requested.append(request.url))
    home_marker = f"e2e={uuid.uuid4().hex[:10]}"
    careers_marker = f"e2e={uuid.uuid4().hex[:10]}"
    await env.visitor_page(f"/?{home_marker}")  # has an og:image
    await env.visitor_page(f"/careers.html?{careers_marker}")  # has none: the favicon shows

    loaded = "img => img.complete && img.naturalWidth > 0"
    thumbnail = visitor_card(rep, home_marker).locator("img.thumb-img")
    await expect(thumbnail).to_have_attribute("src", re.compile(r"^/img\?u="), timeout=5_000)
    await rep.wait_for_function(loaded, arg=await thumbnail.element_handle(), timeout=5_000)
    favicon = visitor_card(rep, careers_marker).locator("img.favicon")
    await expect(favicon).to_have_attribute("src", re.compile(r"^/img\?u="), timeout=5_000)
    await rep.wait_for_function(loaded, arg=await favicon.element_handle(), timeout=5_000)
    assert await favicon.evaluate("img => img.naturalWidth") == 32

    await rep.screenshot(path=str(artifacts_dir / "console-card-images.png"))
    assert requested and not [url for url in requested if url.startswith(env.site)]


# ---- inbound chat --------------------------------------------------------------------------


async def be_available(rep: Any) -> None:
    toggle = rep.get_by_role("switch", name="Available for chats")
    if await toggle.get_attribute("aria-checked") != "true":
        await toggle.click()
    await expect(toggle).to_have_attribute("aria-checked", "true")


async def open_inbox(rep: Any, box: str) -> None:
    await rep.get_by_role("link", name="Inbox").click()
    await rep.get_by_role("tab", name=re.compile(f"^{box}")).click()


def inbox_row(rep: Any, text: str) -> Any:
    return rep.locator(".conv-row").filter(has_text=text)


async def test_an_inbound_chat_is_offered_to_both_reps_taken_by_the_first_to_accept_and_ends_in_recent(
    console_env: ConsoleEnv, artifacts_dir: Path
) -> None:
    env = console_env
    rep_a = await env.console(env.reps[0])
    rep_b = await env.console(env.reps[1])
    for rep in (rep_a, rep_b):
        await be_available(rep)
        await open_inbox(rep, "Incoming")

    # The visitor opens the messenger and writes first.
    question = f"Do you connect to BigQuery? ({uuid.uuid4().hex[:8]})"
    visitor = await (
        await env.browser.new_context(viewport={"width": 1280, "height": 800})
    ).new_page()
    await visitor.goto(env.site + "/pricing.html")
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill(question)
    await visitor.get_by_role("button", name="Send message").click()

    # Both reps see it waiting in Incoming, with the visitor's question.
    for rep in (rep_a, rep_b):
        await expect(inbox_row(rep, question)).to_be_visible(timeout=5_000)
        await expect(rep.get_by_role("tab", name="Incoming (1)")).to_be_visible()
        await expect(rep).to_have_title("(1) Frontdesk")  # unread count for the new chat
    await rep_a.screenshot(path=str(artifacts_dir / "console-inbox.png"))

    # A accepts first: the chat opens for A and leaves B's Incoming.
    await inbox_row(rep_a, question).get_by_role("button", name=re.compile("^Accept chat")).click()
    await expect(rep_a).to_have_url(re.compile(r"/app/conversations/[0-9a-f]+$"))
    transcript = rep_a.get_by_role("log", name="Transcript")
    await expect(transcript).to_contain_text(question)
    await expect(inbox_row(rep_b, question)).to_have_count(0, timeout=3_000)
    await expect(rep_b.get_by_role("tab", name="Incoming (0)")).to_be_visible()

    # A and the visitor chat: markdown reaches the visitor rendered, replies reach A at once.
    await rep_a.get_by_role("textbox", name="Message").fill(
        "Yes: **BigQuery**, Snowflake and Postgres."
    )
    await rep_a.keyboard.press("Enter")
    await expect(visitor.get_by_role("log", name="Conversation")).to_contain_text(
        "Yes: BigQuery, Snowflake and Postgres.", timeout=5_000
    )
    await expect(rep_a.locator(".msg.pending")).to_have_count(0, timeout=5_000)
    await expect(transcript.locator("strong", has_text="BigQuery")).to_be_visible()
    await visitor.get_by_role("textbox", name="Message").fill("Great, thanks!")
    await visitor.get_by_role("button", name="Send message").click()
    await expect(transcript).to_contain_text("Great, thanks!", timeout=5_000)
    await rep_a.screenshot(path=str(artifacts_dir / "console-conversation.png"))

    # A ends it (after the few seconds in which it can be undone): it leaves A's Active box and
    # shows in Recent as ended.
    await rep_a.get_by_role("button", name="End chat").click()
    await expect(rep_a.locator(".console-head .status-chip")).to_have_text("Ended", timeout=10_000)
    await open_inbox(rep_a, "Active")
    await expect(inbox_row(rep_a, "Great, thanks!")).to_have_count(0)
    await open_inbox(rep_a, "Recent")
    ended = inbox_row(rep_a, "Great, thanks!")
    await expect(ended).to_be_visible()
    await expect(ended.locator(".status-chip")).to_have_text("Ended")
    await rep_a.screenshot(path=str(artifacts_dir / "console-inbox-recent.png"))


# ---- deactivation --------------------------------------------------------------------------


async def test_a_deactivated_rep_is_signed_out_of_an_open_console_within_two_seconds(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    rep_login = env.reps[1]
    rep = await env.console(rep_login)
    assert await rep.evaluate("window.__frontdeskSocket()") == 1  # WebSocket.OPEN
    admin = await env.console(env.admin)
    await admin.get_by_role("link", name="Admin").click()
    await admin.get_by_role("button", name=f"Deactivate {rep_login.name}").click()
    await admin.get_by_role("button", name=f"Confirm deactivate {rep_login.name}").click()
    started = time.monotonic()
    await expect(rep.get_by_role("heading", name="Sign in to the console")).to_be_visible(
        timeout=2_000
    )
    await rep.wait_for_function("window.__frontdeskSocket() === 3", timeout=2_000)  # CLOSED
    elapsed = time.monotonic() - started
    assert elapsed <= 2.0, f"signed out after {elapsed:.2f} s"
    await expect(rep.get_by_role("status")).to_contain_text("deactivated")
    # The session is gone for good: opening the console again lands on the sign-in page.
    await rep.goto(env.server.url + "/app/live")
    await expect(rep.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    # ... and the password no longer works while the rep is deactivated.
    await rep.get_by_label("Email").fill(rep_login.email)
    await rep.get_by_label("Password").fill(PASSWORD)
    await rep.get_by_role("button", name="Sign in").click()
    await expect(rep.get_by_role("alert")).to_be_visible()
