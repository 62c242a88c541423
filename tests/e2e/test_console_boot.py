"""A full page load of a console address stays on that page (Debian's Chromium).

The console's router effect used to read the rep from the render that scheduled it but the
"booting" flag at the time it ran. When the sign-in check (GET /api/me) answered before the
first frame was painted, the first render's effect ran with no rep and booting over: the page
went to /login and from there, the rep being signed in, to the live stream. Here the page's
animation frames are held back (preact then runs effects on its 100 ms fallback timer), so the
check always answers first, as it did now and then on a loaded machine.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

# Animation frames never come: effects wait for preact's fallback timer (100 ms).
NO_FRAMES = "window.requestAnimationFrame = () => 0; window.cancelAnimationFrame = () => {};"


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as environment:
        yield environment


@pytest.mark.parametrize(
    ("address", "heading"),
    [
        ("/app/admin/privacy", "Admin"),
        ("/app/admin/tokens", "Admin"),
        ("/app/reports", "Reports"),
        ("/app/shortcuts", "Shortcuts"),
    ],
)
async def test_a_signed_in_admin_who_loads_a_console_address_stays_on_that_page(
    env: ConsoleEnv, address: str, heading: str
) -> None:
    page = await env.console(env.admin, width=1280, height=800)
    await page.context.add_init_script(NO_FRAMES)
    for _ in range(3):
        await page.goto(env.server.url + address)
        await expect(page.get_by_role("status", name="Connection: Live")).to_be_visible()
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.url == env.server.url + address
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await expect(page).to_have_url(re.compile(re.escape(address) + "$"))


# The top bar at a phone's width: the page's name, the bell, Available/Away, help, the avatar.
PHONE_PAGES = [
    ("/app/live", "Live stream"),
    ("/app/inbox", "Inbox"),
    ("/app/conversations", "Conversations"),
    ("/app/shortcuts", "Shortcuts"),
    ("/app/reports", "Reports"),
    ("/app/admin/privacy", "Admin"),
]


@pytest.mark.parametrize("width", [390, 360])
async def test_on_a_phone_every_page_s_name_reads_in_full_whether_the_rep_is_available_or_away(
    env: ConsoleEnv, width: int
) -> None:
    page = await env.console(env.admin, width=width, height=844)
    toggle = page.get_by_role("switch", name="Available for chats")
    for state in ("true", "false"):
        if await toggle.get_attribute("aria-checked") != state:
            await toggle.click()
        await expect(toggle).to_have_attribute("aria-checked", state)
        for address, name in PHONE_PAGES:
            await page.goto(env.server.url + address)
            title = page.get_by_role("heading", level=1)
            await expect(title).to_have_text(name)
            await expect(toggle).to_have_attribute("aria-checked", state)
            # Cut off with an ellipsis is not "in full": the text must fit its box.
            fits = await title.evaluate("el => el.scrollWidth <= el.clientWidth")
            right = await page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('.topbar *')]"
                ".map(el => el.getBoundingClientRect().right))"
            )
            assert fits, f"{name!r} is cut off at {width} px ({state=})"
            assert right <= width, f"the top bar runs off the screen at {width} px"
        await env.shot(
            page, f"console-top-bar-{width}-{'available' if state == 'true' else 'away'}"
        )
