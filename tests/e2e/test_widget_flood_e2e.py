"""The widget after the server closed its socket for flooding (close code 4429, docs/protocol.md,
visitor Limits), in Debian's Chromium: it waits 30 s more than its usual backoff before it
reconnects (the server would close it again at once), the visitor sees only the messenger's
usual "reconnecting" line meanwhile, and then everything is as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.test_widget_e2e import SOCKET_HOOK, Env, eventually, make_env

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
playwright_api = pytest.importorskip("playwright.async_api")


@pytest_asyncio.fixture(loop_scope="session")
async def env(sqlite_memory_backend: Backend, browser: TestBrowser) -> AsyncIterator[Env]:
    # Two page views a day (a day's window: none starts during the test), and a visitor more
    # than twice over is closed for flooding.
    async with make_env(
        sqlite_memory_backend,
        browser,
        frozen=False,
        visitor_frame_limits={"page_view": "2/day"},
        visitor_frame_flood_factor=2,
    ) as made:
        yield made


async def _sockets(page: Any) -> int:
    return int(await page.evaluate("window.__sockets.length"))


async def _reconnected(page: Any) -> bool:
    return await _sockets(page) >= 2


async def test_a_widget_closed_for_flooding_waits_before_it_reconnects_and_shows_nothing_alarming(
    env: Env, artifacts_dir: Path
) -> None:
    context = await env.browser.new_context(viewport={"width": 390, "height": 844})
    await context.clock.install()  # time flows; run_for() runs the next N ms of timers at once
    await context.add_init_script(SOCKET_HOOK)
    page = await context.new_page()
    await page.goto(env.site + "/pricing.html")
    await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    await page.evaluate(
        "window.__sockets[0].addEventListener('close', (e) => (window.__closed = [e.code, e.reason]))"
    )
    await page.evaluate("window.Frontdesk.open()")
    box = page.get_by_role("textbox", name="Message")
    await box.wait_for()

    # A single-page app gone wrong: five navigations, each a page view. The 3rd and 4th are
    # refused; the 5th is more than twice the rate: the socket is closed.
    for n in range(5):
        await page.evaluate(f"history.pushState({{}}, '', '/app/{n}')")
        await page.clock.run_for(200)  # the loader waits 100 ms for the title
    closed = await eventually(lambda: page.evaluate("window.__closed"), what="the 4429")
    assert closed == [4429, "flooding: over 2 times 2/day page_view frames"]

    # The messenger says only that it is reconnecting; the launcher and the panel stay.
    status = page.get_by_role("status").filter(has_text="Reconnecting")
    await status.wait_for()
    await page.screenshot(path=str(artifacts_dir / "widget-closed-for-flooding-390.png"))
    assert await box.is_visible()

    # No reconnect for 30 s (the usual backoff after a welcome is at most half a second) ...
    await page.clock.run_for(29_500)
    assert await _sockets(page) == 1
    # ... then one, welcomed: the reconnecting line goes away.
    await page.clock.run_for(1_500)
    await eventually(lambda: _reconnected(page), what="the reconnect")
    assert await _sockets(page) == 2
    await status.wait_for(state="hidden")
    await context.close()
