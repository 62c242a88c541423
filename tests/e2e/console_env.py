"""Shared set-up for the console's browser tests: a real server (SQLite + the in-process bus,
real time that a test may move on with pass_time(), no deadline sweeper unless a test runs
it), the demo website with the real snippet, two reps and an admin, and the session's
Chromium (tests/e2e/conftest.py) through async Playwright on the server's loop.

Used by test_console_admin.py, test_console_proactive.py and test_console_tools.py.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from tests.conftest import Backend
from tests.harness import PASSWORD, MovableClock, OrgInfo, RepClient, Server, Socket
from tests.support.ports import ReservedPort, server_port

from frontdesk.demo import demo_site_app

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

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.timeout(90),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "console" / "index.html").exists(),
        reason="console not built: cd web && node build.mjs",
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
    artifacts: Path

    async def console(
        self,
        login: Login,
        *,
        available: bool = False,
        width: int = 1440,
        height: int = 900,
        page_clock: bool = False,
    ) -> Any:
        """A rep's console in its own browser context, signed in, with the live socket up.
        `page_clock`: Playwright's clock is installed in the page (time still flows), so a test
        can run the page's timers ahead at once with `page.clock.run_for(ms)`."""
        context = await self.browser.new_context(viewport={"width": width, "height": height})
        if page_clock:
            await context.clock.install()
        page = await context.new_page()
        await page.goto(self.server.url + "/login")
        await page.get_by_label("Email").fill(login.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("status", name="Connection: Live")).to_be_visible(
            timeout=10_000
        )
        # Signed in means on the live stream: a test's own page.goto() right after must not
        # race the sign-in's navigation there (seen once in CI: the goto landed on the stream).
        await expect(page).to_have_url(re.compile(r"/app/live$"), timeout=10_000)
        if available:
            await be_available(page)
        return page

    async def pass_time(self, seconds: float, *consoles: Any) -> int:
        """`seconds` pass at once: for the server, which then fires the deadlines due (their
        number is returned), and for these console pages (opened with page_clock=True: their
        timers due by then run once, and their Date agrees with the server's again)."""
        clock = self.server.clock
        assert isinstance(clock, MovableClock)
        clock.advance(seconds)
        for page in consoles:
            await page.clock.fast_forward(round(seconds * 1000))
        return await self.server.runtime.sweeper.run_due()

    async def visitor_page(self, path: str = "/", **context_options: Any) -> Any:
        """A website visitor in their own browser context, on a demo site page."""
        context = await self.browser.new_context(
            **{"viewport": {"width": 1280, "height": 800}, **context_options}
        )
        page = await context.new_page()
        await page.goto(self.site + path)
        return page

    async def api(self, login: Login) -> RepClient:
        """The same rep over HTTP (for set-up a test is not about)."""
        return await self.server.sign_in(login.email)

    @asynccontextmanager
    async def visitor_socket(
        self,
        *,
        url: str | None = None,
        title: str = "Pricing | Northwind Analytics",
        referrer: str | None = None,
        user_agent: str | None = None,
    ) -> AsyncIterator[Socket]:
        """A visitor speaking the widget's protocol directly: for pages, titles, referrers and
        user agents a real browser would not send, and for frames the widget does not send."""
        headers = {"User-Agent": user_agent} if user_agent else None
        http = self.server.http()
        ws = await http.ws_connect(
            f"{self.server.ws_url}/ws/visitor?site={self.org.site_key}",
            origin=self.org.origin,
            headers=headers,
        )
        sock = Socket(ws)
        try:
            await sock.send(
                {
                    "type": "hello",
                    "token": None,
                    "page": {
                        "url": url or f"{self.site}/pricing.html",
                        "title": title,
                        "referrer": referrer,
                    },
                    "resumed": False,
                    "last_seq": 0,
                    "tab_id": uuid.uuid4().hex,
                }
            )
            sock.welcome = await sock.expect("welcome")
            yield sock
        finally:
            await ws.close()

    async def shot(self, page: Any, name: str, *, full_page: bool = False) -> None:
        await page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=full_page)


# How much room each visible time input leaves its value, against the width the value's own
# text takes in that input's font plus what Chromium puts beside it (the clock button and the
# fields' spacing: 33 px at 14 px, measured on inputs of growing width).
_TIME_INPUT_ROOM = """() => [...document.querySelectorAll('input[type="time"]')]
  .filter((input) => input.offsetParent !== null)
  .map((input) => {
    const style = getComputedStyle(input);
    const probe = document.createElement('span');
    probe.textContent = '00:00 AM';
    probe.style.font = style.font;
    probe.style.position = 'absolute';
    probe.style.whiteSpace = 'pre';
    document.body.append(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { label: input.getAttribute('aria-label'), room, needed: text + 34 };
  })"""


async def assert_time_inputs_show_their_value(page: Any) -> None:
    """Every time input on screen is wide enough for "09:00 AM" in full (on a phone the
    meetings form once cut it to "09:00 AI")."""
    inputs = await page.evaluate(_TIME_INPUT_ROOM)
    assert inputs, "no time input on screen"
    cut = [i for i in inputs if i["room"] < i["needed"]]
    assert not cut, cut


@asynccontextmanager
async def console_env(
    backend: Backend, artifacts: Path, browser: Any, **overrides: Any
) -> AsyncIterator[ConsoleEnv]:
    """`browser`: the test's view of the session's Chromium (the `browser` fixture)."""
    # Real time (the pages' clocks are real), which a test may move on with pass_time().
    server = Server(backend.database_url, "memory://", "unused", clock=MovableClock(), **overrides)
    await server.start()
    site_port = ReservedPort()
    site = f"http://127.0.0.1:{site_port.port}"
    org = await server.create_org("Northwind Analytics", origins=(site,))
    site_server = TestServer(
        demo_site_app(server.url, org.site_key), host="127.0.0.1", **server_port(site_port)
    )
    await site_server.start_server()
    reps = [
        Login(await server.create_rep(org, "rep", name), name)
        for name in ("Dana Reyes", "Sam Okafor")
    ]
    admin = Login(await server.create_rep(org, "admin", "Avery Admin"), "Avery Admin")
    env = ConsoleEnv(server, org, site, reps, admin, browser, artifacts)
    try:
        yield env
    finally:
        await browser.close_all()  # every page, before the servers they talk to
        await site_server.close()
        await server.stop()


async def until_true(
    page: Any, function: str, arg: Any = None, *, timeout: float = 20.0, every: float = 0.2
) -> Any:
    """Evaluate `function` (it may be async) in the page until it returns something truthy, and
    return that. Playwright's `wait_for_function` does not await a promise (a pending promise
    is truthy, so it returns at once), so anything that reads `getStats()` polls here."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while True:
        last = await page.evaluate(function, arg)
        if last:
            return last
        if asyncio.get_running_loop().time() >= deadline:
            raise TimeoutError(f"not true after {timeout:.0f} s (last: {last!r}): {function}")
        await asyncio.sleep(every)


async def open_page(page: Any, url: str, ready: Any) -> None:
    """A full page load of the console at `url`, until `ready` shows."""
    await page.goto(url)
    await expect(ready).to_be_visible(timeout=10_000)


def expect(target: Any) -> Any:
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(target)


async def be_available(page: Any) -> None:
    toggle = page.get_by_role("switch", name="Available for chats")
    if await toggle.get_attribute("aria-checked") != "true":
        await toggle.click()
    await expect(toggle).to_have_attribute("aria-checked", "true")


def visitor_card(page: Any, marker: str) -> Any:
    """The live-stream card whose current URL carries `marker` (each test tags its visitor)."""
    return page.locator(".vcard").filter(has=page.locator(".vcard-url", has_text=marker))


def column(page: Any, name: str) -> Any:
    return page.get_by_role("region", name="Live stream").locator(
        f'section.column[aria-label^="{name}:"]'
    )


async def open_inbox(page: Any, box: str) -> None:
    await page.get_by_role("link", name="Inbox").click()
    await page.get_by_role("tab", name=re.compile(f"^{box}")).click()


def inbox_row(page: Any, text: str) -> Any:
    return page.locator(".conv-row").filter(has_text=text)


async def open_admin(page: Any, section: str) -> None:
    await page.get_by_role("link", name="Admin", exact=True).click()
    await (
        page.get_by_role("navigation", name="Admin sections")
        .get_by_role("link", name=section)
        .click()
    )


def new_marker() -> str:
    return f"e2e={uuid.uuid4().hex[:10]}"
