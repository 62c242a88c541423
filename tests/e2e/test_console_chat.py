"""The rep console's chat and sign-out paths, in Debian's Chromium (issue 4): an inbound chat is
offered to every available rep, the first to accept takes it, chats with the visitor and ends it;
a rep who is deactivated is thrown out of an open console at once.

Fixtures (tests/e2e/conftest.py): `e2e_demo` (a running `frontdesk demo`: console_url,
site_url, admin and two reps with passwords) and `browser` (Playwright's Chromium).
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(browser: Browser, console_url: str, login: Any) -> Page:
    """A rep's console in its own browser context, signed in, with the live socket up."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(console_url + "/login")
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    return page


def be_available(rep: Page) -> None:
    toggle = rep.get_by_role("switch", name="Available for chats")
    if toggle.get_attribute("aria-checked") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-checked", "true")


def open_inbox(rep: Page, box: str) -> None:
    rep.get_by_role("link", name="Inbox").click()
    rep.get_by_role("tab", name=box).click()


def inbox_row(rep: Page, text: str) -> Any:
    return rep.locator(".conv-row").filter(has_text=text)


def test_an_inbound_chat_is_offered_to_both_reps_taken_by_the_first_to_accept_and_ends_in_recent(
    e2e_demo: Any, browser: Browser
) -> None:
    rep_a = sign_in(browser, e2e_demo.console_url, e2e_demo.reps[0])
    rep_b = sign_in(browser, e2e_demo.console_url, e2e_demo.reps[1])
    be_available(rep_a)
    be_available(rep_b)
    open_inbox(rep_a, "Incoming")
    open_inbox(rep_b, "Incoming")

    # The visitor opens the messenger and writes first.
    question = f"Do you connect to BigQuery? ({uuid.uuid4().hex[:8]})"
    visitor = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    visitor.goto(e2e_demo.site_url + "/pricing.html")
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_role("textbox", name="Message").fill(question)
    visitor.get_by_role("button", name="Send message").click()

    # Both reps see it waiting in Incoming.
    for rep in (rep_a, rep_b):
        expect(inbox_row(rep, question)).to_be_visible(timeout=5_000)
    ARTIFACTS.mkdir(exist_ok=True)
    rep_a.screenshot(path=str(ARTIFACTS / "console-inbox.png"))

    # A accepts first: the chat opens for A and leaves B's Incoming.
    inbox_row(rep_a, question).get_by_role("button", name="Accept chat").click()
    expect(rep_a).to_have_url(re.compile(r"/app/conversations/[0-9a-f]+$"))
    expect(rep_a.get_by_role("log", name="Transcript")).to_contain_text(question)
    expect(inbox_row(rep_b, question)).to_have_count(0, timeout=3_000)

    # A and the visitor chat.
    answer = "Yes: **BigQuery**, Snowflake and Postgres."
    rep_a.get_by_role("textbox", name="Message").fill(answer)
    rep_a.keyboard.press("Enter")
    expect(visitor.get_by_role("log", name="Conversation")).to_contain_text("Yes: BigQuery, Snowflake and Postgres.", timeout=5_000)
    expect(rep_a.locator(".msg.pending")).to_have_count(0, timeout=5_000)
    visitor.get_by_role("textbox", name="Message").fill("Great, thanks!")
    visitor.get_by_role("button", name="Send message").click()
    transcript = rep_a.get_by_role("log", name="Transcript")
    expect(transcript).to_contain_text("Great, thanks!", timeout=5_000)
    expect(transcript.locator("strong", has_text="BigQuery")).to_be_visible()
    rep_a.screenshot(path=str(ARTIFACTS / "console-conversation.png"))

    # A ends it: it moves to A's Recent.
    rep_a.get_by_role("button", name="End chat").click()
    expect(rep_a.locator(".console-head .status-chip")).to_have_text("Ended", timeout=3_000)
    open_inbox(rep_a, "Recent")
    ended = inbox_row(rep_a, "Great, thanks!")
    expect(ended).to_be_visible()
    expect(ended.locator(".status-chip")).to_have_text("Ended")
    open_inbox(rep_a, "Active")
    expect(inbox_row(rep_a, "Great, thanks!")).to_have_count(0)
    open_inbox(rep_a, "Recent")
    rep_a.screenshot(path=str(ARTIFACTS / "console-inbox-recent.png"))
    for page in (rep_a, rep_b, visitor):
        page.context.close()


def test_a_deactivated_rep_is_signed_out_of_an_open_console_within_two_seconds(
    e2e_demo: Any, browser: Browser
) -> None:
    rep_login = e2e_demo.reps[1]
    rep = sign_in(browser, e2e_demo.console_url, rep_login)
    assert rep.evaluate("window.__frontdeskSocket()") == 1  # WebSocket.OPEN
    admin = sign_in(browser, e2e_demo.console_url, e2e_demo.admin)
    admin.get_by_role("link", name="Admin").click()
    admin.get_by_role("button", name=f"Deactivate {rep_login.name}").click()
    try:
        admin.get_by_role("button", name=f"Confirm deactivate {rep_login.name}").click()
        started = time.monotonic()
        expect(rep.get_by_role("heading", name="Sign in to the console")).to_be_visible(timeout=2_000)
        rep.wait_for_function("window.__frontdeskSocket() === 3", timeout=2_000)  # WebSocket.CLOSED
        elapsed = time.monotonic() - started
        assert elapsed <= 2.0, f"signed out after {elapsed:.2f} s"
        expect(rep.get_by_role("status")).to_contain_text("deactivated")
        # The session is gone for good: a reload lands on the sign-in page again.
        rep.goto(e2e_demo.console_url + "/app/live")
        expect(rep.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    finally:
        admin.get_by_role("button", name=f"Reactivate {rep_login.name}").click()
        expect(admin.get_by_role("button", name=f"Deactivate {rep_login.name}")).to_be_visible()
    for page in (rep, admin):
        page.context.close()
