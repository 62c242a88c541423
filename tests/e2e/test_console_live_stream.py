"""What a rep sees on the live stream every day (issue 13 items 10-12), in Debian's Chromium,
with the demo's configuration (its segments, accounts and IP range) on a laptop-sized screen.

- Every segment column fits at 1280x800, so the first visitor of the day is on screen and the
  header's count is the number of cards the rep can see.
- Company, page and person read in full on the cards (they wrap instead of being cut), with the
  full text on hover and in the Visitor 360.
- Counts agree: the sidebar badge, the header and the columns count the same visitors; idle
  visitors hidden by the setting are counted as hidden, never as shown; the Conversations
  badge is the number of active chats, as in the inbox; the inbox's Today panel counts a missed
  response as soon as the console shows one.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    column,
    console_env,
    expect,
    new_marker,
    open_inbox,
    visitor_card,
)

from frontdesk.demo import seed_demo_configuration
from frontdesk.features.orgs.models import Org

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

LAPTOP = {"width": 1280, "height": 800}

# The card lines a rep must read in full (company, page path, person): any that is cut (wider
# or taller than its box). A page's query string may give way; its path may not.
CUT_LINES = """card => [...card.querySelectorAll('.vcard-company, .url-path, .vcard-person')]
  .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map(el => el.textContent)"""


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as e:
        runtime = e.server.runtime
        async with runtime.db.transaction() as session:
            org = await session.get(Org, e.org.id)
            assert org is not None
            await seed_demo_configuration(session, runtime, org, [])
        yield e


async def summary_count(rep: Any) -> int:
    return int(await rep.locator(".live-summary strong").inner_text())


async def sidebar_badge(rep: Any, link: str) -> str:
    badge = rep.get_by_role("navigation", name="Main").get_by_role("link", name=link)
    return str(await badge.locator(".nav-badge").inner_text())


async def test_on_a_laptop_every_demo_column_and_the_first_visitor_are_on_screen(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], **LAPTOP)
    marker = new_marker()
    await env.visitor_page(f"/?{marker}")
    card = visitor_card(rep, marker)
    await expect(card).to_be_visible(timeout=5_000)
    await expect(column(rep, "Everyone else").locator(".vcard")).to_have_count(1)

    columns = rep.get_by_role("region", name="Live stream").locator("section.column")
    assert await columns.count() >= 6  # the demo's five segments and "Everyone else"
    for index in range(await columns.count()):
        box = await columns.nth(index).bounding_box()
        assert box is not None and box["x"] + box["width"] <= LAPTOP["width"], (
            await columns.nth(index).get_attribute("aria-label"),
            box,
        )
    box = await card.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"]
    assert box["y"] + box["height"] <= LAPTOP["height"]
    # the header and the sidebar count the one card the rep sees
    await expect(rep.locator(".live-summary")).to_have_text("1 visitor on the site")
    assert await sidebar_badge(rep, "Live stream") == "1"
    await env.shot(rep, "console-live-stream-laptop-first-visitor")


async def test_cards_read_in_full_on_a_laptop_with_the_full_text_on_hover_and_in_visitor_360(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], **LAPTOP)
    markers = [new_marker() for _ in range(5)]
    # Visitors in the demo's columns: two on the pricing page (one says who they are), a paid
    # ad, careers (the cold column) and the home page.
    target = await env.visitor_page(f"/pricing.html?{markers[0]}")
    await target.wait_for_function("!!window.Frontdesk")
    await target.evaluate(
        """() => new Promise((resolve) => {
             window.Frontdesk.on('identify', resolve);
             window.Frontdesk.identify({email: 'pat.initech@initech.example', name: 'Pat Initech-Buyer'});
           })"""
    )
    await env.visitor_page(f"/pricing.html?{markers[1]}")
    await env.visitor_page(f"/?utm_source=google&utm_medium=cpc&{markers[2]}")
    await env.visitor_page(f"/careers.html?{markers[3]}")
    await env.visitor_page(f"/?{markers[4]}")
    pat = visitor_card(rep, markers[0])
    await expect(pat).to_contain_text("Pat Initech-Buyer", timeout=5_000)
    for marker in markers:
        await expect(visitor_card(rep, marker)).to_be_visible(timeout=5_000)

    for marker in markers:
        card = visitor_card(rep, marker)
        assert await card.evaluate(CUT_LINES) == [], marker
        company = card.locator(".vcard-company")
        await expect(company).to_have_text("Localhost Labs (demo IP range)")
        await expect(company).to_have_attribute("title", "Localhost Labs (demo IP range)")
        # a long page title may wrap to two lines and stop there: its full text is on hover
        title = card.locator(".vcard-title")
        assert await title.get_attribute("title") == (await title.text_content() or "").strip()
    await expect(pat.locator(".vcard-person")).to_have_attribute("title", "Pat Initech-Buyer")
    await env.shot(rep, "console-live-stream-laptop-cards")

    await pat.locator(".card-link").click()
    v360 = rep.get_by_role("complementary", name="Visitor 360")
    await expect(v360).to_contain_text("Pat Initech-Buyer")
    await expect(v360).to_contain_text("pat.initech@initech.example")
    await expect(v360).to_contain_text("Localhost Labs (demo IP range)")
    await env.shot(rep, "console-visitor-360-laptop")


async def test_the_sidebar_the_header_and_the_columns_count_the_same_visitors_idle_ones_as_hidden(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], **LAPTOP)
    marker = new_marker()
    await env.visitor_page(f"/?{marker}")
    await expect(visitor_card(rep, marker)).to_be_visible(timeout=5_000)
    # Two more visitors who have gone idle: one in "Everyone else", one alone in "Job seekers".
    async with (
        env.visitor_socket(url=f"{env.site}/?{new_marker()}", title="Home") as idle_home,
        env.visitor_socket(url=f"{env.site}/careers.html", title="Careers") as idle_careers,
    ):
        for sock in (idle_home, idle_careers):
            await sock.send({"type": "activity", "state": "idle"})
        careers = column(rep, "Job seekers")
        await expect(careers).to_have_attribute(
            "aria-label", "Job seekers: 0 visitors, 1 idle visitor hidden", timeout=5_000
        )
        await expect(careers.locator(".idle-count")).to_have_text("+1 idle")
        await expect(careers.locator(".column-empty")).to_contain_text("1 idle visitor hidden")
        everyone = column(rep, "Everyone else")
        await expect(everyone).to_have_attribute(
            "aria-label", "Everyone else: 1 visitor, 1 idle visitor hidden"
        )
        await expect(everyone.locator(".count")).to_have_text("1")

        # three on the site, one card shown: every count says one shown, two hidden
        summary = rep.locator(".live-summary")
        await expect(summary).to_contain_text("1 of 3 visitors shown")
        await expect(summary).to_contain_text("2 idle hidden")
        assert await sidebar_badge(rep, "Live stream") == "1"
        assert await rep.locator(".vcard").count() == 1
        await env.shot(rep, "console-live-stream-idle-hidden")

        await summary.get_by_role("button", name="Show idle").click()
        await expect(rep.locator(".vcard")).to_have_count(3)
        await expect(summary).to_have_text("3 visitors on the site")
        assert await sidebar_badge(rep, "Live stream") == "3"
        await expect(careers.locator(".count")).to_have_text("1")
        await expect(careers.locator(".idle-count")).to_have_count(0)


async def test_the_conversations_badge_counts_active_chats_like_the_inbox_even_with_unread_replies(
    env: ConsoleEnv,
) -> None:
    dana = env.reps[0]
    rep = await env.console(dana, available=True, **LAPTOP)
    api = await env.api(dana)
    async with (
        env.visitor_socket(title="Pricing") as first,
        env.visitor_socket(title="Pricing") as second,
    ):
        for sock in (first, second):
            await sock.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "Hello?"})
            await sock.expect("ack")
        status, listed = await api.request("GET", "/api/conversations?box=incoming")
        assert status == 200, listed
        ids = [c["id"] for c in listed["conversations"]]
        assert len(ids) == 2
        for cid in ids:
            status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
            assert status == 200, body
        await expect(rep.get_by_role("tab", name="Active (2)")).to_have_count(0)  # not on inbox
        # one visitor writes again while the rep is on the live stream
        await first.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "Still there?"})
        await first.expect("ack")
        conversations = rep.get_by_role("navigation", name="Main").get_by_role(
            "link", name=re.compile("^Conversations")
        )
        badge = conversations.locator(".nav-badge")
        # The badge counts the active chats, however many replies are unread (the reply above
        # at least; whether each chat's first message also counts depends on whether it reached
        # the console before or after the chat did, which this test does not pin down).
        await expect(badge).to_have_attribute(
            "aria-label", re.compile(r"^2 active conversations, [1-3] unread repl"), timeout=5_000
        )
        await expect(badge).to_have_text("2")
        await open_inbox(rep, "Active")
        await expect(rep.get_by_role("tab", name="Active (2)")).to_be_visible()
        await conversations.click()
        await expect(
            rep.get_by_role("navigation", name="Conversations").get_by_role(
                "group", name="Active (2)"
            )
        ).to_be_visible()
        await env.shot(rep, "console-conversations-counts")


async def test_the_today_panel_counts_a_missed_response_as_soon_as_the_console_shows_it(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], available=True, page_clock=True, **LAPTOP)
    admin_api = await env.api(env.admin)
    status, body = await admin_api.request(
        "PATCH",
        "/api/org/settings",
        {
            "proactive": {
                "auto_pounce": True,
                "auto_pounce_after_seconds": 5,
                "rep_timeout_seconds": 5,
                "nudge_after_seconds": 600,
            }
        },
    )
    assert status == 200, body
    await rep.get_by_role("link", name="Inbox").click()
    missed = rep.get_by_role("region", name="Today").locator(".metric", has_text="Missed")
    await expect(missed).to_contain_text("0")
    async with env.visitor_socket(title="Pricing") as visitor:
        await visitor.send({"type": "identify", "email": "bob@prospect.example", "name": "Bob"})
        await visitor.expect("identified")
        assert await env.pass_time(5.2, rep) >= 1  # Bob has browsed for the 5 s: auto pounce
        await visitor.expect("message")
        await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "Hi!"})
        await expect(
            rep.get_by_role("alert", name="Bob replied to your auto pounce")
        ).to_be_visible(timeout=5_000)
        # nobody answers Bob in time: the console shows the miss, and Today counts it at once
        await env.pass_time(5.2, rep)
        off = rep.get_by_role("region", name="Alerts").get_by_role("alert")
        await expect(off.filter(has_text="Missed response")).to_be_visible(timeout=5_000)
        await expect(missed).to_have_text(re.compile(r"Missed responses\s*1"), timeout=3_000)
        await env.shot(rep, "console-today-missed-response")


PHONE = {"width": 390, "height": 844}


async def test_on_a_phone_an_inbound_chat_shows_its_countdown_and_accept_button_on_screen(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], **PHONE)
    async with env.visitor_socket() as visitor:
        await visitor.send(
            {
                "type": "message",
                "client_id": uuid.uuid4().hex,
                "body": "Do you support SSO with SCIM provisioning for 400 seats on the annual plan?",
            }
        )
        await visitor.expect("ack")
        lane = rep.get_by_role("region", name="Inbound chats")
        card = lane.get_by_role("listitem").first
        await expect(card).to_be_visible(timeout=5_000)
        accept = card.get_by_role("button", name=re.compile("^Accept chat with"))
        for part in (card, accept, card.locator(".countdown")):
            box = await part.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        # Who is waiting reads in full ("Localhost Labs (demo IP range)", not "Localhost
        # Labs (dem…"): the name wraps rather than being cut.
        name = card.locator(".inbound-name")
        await expect(name).to_have_text(re.compile(r"\S"))
        assert await name.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        # The filter's hint reads in full (it is not cut to "Filter by com").
        field = rep.get_by_role("searchbox").or_(rep.locator(".live-filter")).first
        assert await field.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        assert await field.evaluate(
            "el => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = getComputedStyle(el).font;"
            " return c.measureText(el.placeholder).width < el.clientWidth; }"
        )
        await env.shot(rep, "console-live-stream-phone-inbound")
        await accept.click()
        await expect(rep).to_have_url(re.compile(r"/app/conversations/"), timeout=5_000)


# What is between a card's lines, and after its last: a card as tall as what it says leaves no
# more than its gaps (5 px) and its padding (8 px) and border.
CARD_GAPS = """card => {
  const box = card.getBoundingClientRect();
  const shown = [...card.children].filter(el => el.getClientRects().length && !el.classList.contains('card-link'))
    .map(el => el.getBoundingClientRect()).filter(r => r.height > 0).sort((a, b) => a.top - b.top);
  const gaps = shown.slice(1).map((r, i) => Math.round(r.top - shown[i].bottom));
  return {gaps, after: Math.round(box.bottom - shown[shown.length - 1].bottom)};
}"""


@pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_cards_are_as_tall_as_what_they_say_with_no_blank_space_and_nothing_cut(
    env: ConsoleEnv, screen: dict[str, int]
) -> None:
    rep = await env.console(env.reps[0], **screen)
    markers = [new_marker() for _ in range(5)]
    # A one-line page title (careers), a two-line one (home), a long query string (an ad), and
    # two in one column (pricing).
    await env.visitor_page(f"/careers.html?{markers[0]}")
    await env.visitor_page(f"/?{markers[1]}")
    await env.visitor_page(f"/?utm_source=google&utm_medium=cpc&utm_campaign=spring&{markers[2]}")
    await env.visitor_page(f"/pricing.html?{markers[3]}")
    await env.visitor_page(f"/pricing.html?{markers[4]}")
    cards = [visitor_card(rep, marker) for marker in markers]
    for card in cards:
        await expect(card).to_be_visible(timeout=5_000)
    name = "phone" if screen is PHONE else "laptop"
    await env.shot(rep, f"console-live-stream-{name}-card-heights")
    columns: dict[float, list[dict[str, float]]] = {}
    for marker, card in zip(markers, cards, strict=True):
        assert await card.evaluate(CUT_LINES) == [], marker
        spacing = await card.evaluate(CARD_GAPS)
        assert max(spacing["gaps"]) <= 6 and spacing["after"] <= 10, (marker, spacing)
        box = await card.bounding_box()
        assert box is not None
        columns.setdefault(box["x"], []).append(box)
    # The columns with visitors come first: the first is on screen whole (on a phone the
    # empty segment columns follow it, off to the right).
    first = min(columns)
    assert first >= 52 and first + columns[first][0]["width"] <= screen["width"], columns
    # In each column the cards stack with the column's gap between them, none over another.
    for stacked in columns.values():
        stacked.sort(key=lambda b: b["y"])
        for upper, lower in itertools.pairwise(stacked):
            assert 7 <= lower["y"] - (upper["y"] + upper["height"]) <= 9, (upper, lower)
