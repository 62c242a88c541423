"""A busy site's live stream (issue 21), in Debian's Chromium: 2,000 visitors in one column (the org's one segment, "Everyone else").

The column is windowed (only the cards in view, plus a few above and below, are in the page),
so a rep must still be able to reach every visitor: the filter finds one far down the column,
scrolling down shows it with its place in the list for screen readers, it opens in the Visitor
360, and a visitor who arrives meanwhile still joins the top of the column without moving the
card the rep is reading.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
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
    visitor_card,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

CROWD = 2000
LAPTOP = {"width": 1280, "height": 800}


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    # Every visitor of this test comes from 127.0.0.1: the per-address caps on new visitors
    # and open sockets are lifted (they have their own tests).
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        browser,
        new_visitors_per_ip="100000/minute",
        unauthenticated_sockets_per_ip=0,
    ) as e:
        yield e


async def open_visitor(env: ConsoleEnv, http: aiohttp.ClientSession, url: str) -> Any:
    """A visitor on `url`, speaking the widget's protocol; returns once welcomed."""
    ws = await http.ws_connect(
        f"{env.server.ws_url}/ws/visitor?site={env.org.site_key}", origin=env.org.origin
    )
    hello = {
        "type": "hello",
        "token": None,
        "page": {"url": url, "title": "Pricing | Northwind Analytics", "referrer": None},
        "resumed": False,
        "last_seq": 0,
        "tab_id": uuid.uuid4().hex,
    }
    await ws.send_str(orjson.dumps(hello).decode())
    while True:
        msg = await ws.receive(timeout=60)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        if orjson.loads(msg.data)["type"] == "welcome":
            return ws


async def open_crowd(env: ConsoleEnv, http: aiohttp.ClientSession, n: int) -> list[Any]:
    gate = asyncio.Semaphore(50)

    async def one(i: int) -> Any:
        async with gate:
            return await open_visitor(env, http, f"{env.site}/pricing.html?crowd={i}")

    return list(await asyncio.gather(*(one(i) for i in range(n))))


# Opening 2,000 visitor sockets takes a while on a shared machine (a few hundred a second).
@pytest.mark.timeout(600)
async def test_a_visitor_far_down_a_2000_card_column_is_found_scrolled_to_and_opened(
    env: ConsoleEnv,
) -> None:
    # Each open socket holds a connection: no cap on the pool (aiohttp's default is 100).
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    # The first visitor of the day: the oldest visit, so the last card of the column.
    far = new_marker()
    first = await open_visitor(env, http, f"{env.site}/pricing.html?{far}")
    t = time.monotonic()
    crowd = await open_crowd(env, http, CROWD - 1)
    print(f"{CROWD} visitors connected in {time.monotonic() - t:.1f} s")
    rep = await env.console(env.reps[0], **LAPTOP)
    everyone = column(rep, "Everyone else")
    await expect(everyone).to_have_attribute(
        "aria-label", f"Everyone else: {CROWD} visitors", timeout=30_000
    )
    await expect(rep.locator(".live-summary strong")).to_have_text(str(CROWD))
    # Windowed: a screenful of cards is in the page, not 2,000; the far one is not among them.
    mounted = await rep.locator(".vcard").count()
    assert 0 < mounted < 40, mounted
    await expect(visitor_card(rep, far)).to_have_count(0)
    await env.shot(rep, "console-live-stream-crowd-laptop")

    # The filter searches every visitor, not only the cards in the page.
    filter_box = rep.get_by_label("Filter visitors")
    await filter_box.fill(far.split("=")[1])
    card = visitor_card(rep, far)
    await expect(card).to_be_visible()
    await expect(rep.locator(".vcard")).to_have_count(1)
    await expect(rep.locator(".live-summary")).to_contain_text(f"1 of {CROWD} visitors match")
    await filter_box.fill("")
    await expect(card).to_have_count(0)

    # Scrolled to the bottom of the column, the far card is there, and says where it is.
    scroller = everyone.locator(".column-scroll")
    await scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    await expect(card).to_be_visible()
    await expect(card).to_have_attribute("aria-posinset", str(CROWD))
    await expect(card).to_have_attribute("aria-setsize", str(CROWD))
    assert await rep.locator(".vcard").count() < 40

    # A visitor arrives while the rep reads the far card: it joins the top of the column, the
    # far card stays where the rep is looking.
    box = await card.bounding_box()
    assert box is not None
    newcomer = new_marker()
    late = await open_visitor(env, http, f"{env.site}/pricing.html?{newcomer}")
    await expect(everyone).to_have_attribute(
        "aria-label", f"Everyone else: {CROWD + 1} visitors", timeout=10_000
    )
    await expect(card).to_have_attribute("aria-posinset", str(CROWD + 1))
    moved = await card.bounding_box()
    assert moved is not None and abs(moved["y"] - box["y"]) < 2, (box, moved)

    # Opened from the keyboard: its link takes focus and Enter opens the Visitor 360.
    await card.locator(".card-link").focus()
    await rep.keyboard.press("Enter")
    v360 = rep.get_by_role("complementary", name="Visitor 360")
    await expect(v360).to_contain_text(far.split("=")[1])
    await rep.go_back()

    # Back at the top, the newcomer is the first card.
    await scroller.evaluate("el => { el.scrollTop = 0; }")
    top = visitor_card(rep, newcomer)
    await expect(top).to_be_visible()
    await expect(top).to_have_attribute("aria-posinset", "1")
    await env.shot(rep, "console-live-stream-crowd-newcomer-on-top")

    phone = await env.console(env.reps[1], width=390, height=844)
    await expect(phone.locator(".live-summary strong")).to_have_text(str(CROWD + 1), timeout=30_000)
    assert await phone.locator(".vcard").count() < 40
    await env.shot(phone, "console-live-stream-crowd-phone")

    for ws in [first, late, *crowd]:
        await ws.close()
    await http.close()
