"""The website widget in a real browser (Debian's Chromium through Playwright), against a real
server: tracking, chat with a rep, reconnecting, XSS, hostile host pages, identify(), blocking
(per visitor and per IP), invitations, the offline form, proxied images.

Each test gets a fresh server (SQLite + the in-process bus; a real clock, or with `frozen_env` a
FrozenClock that the test moves and then fires due deadlines with sweeper.run_due()), an org
whose allowed origins are two local websites, the demo site with the real snippet, a page server
for hostile host pages (and images), and a signed-in rep. Async Playwright shares the server's
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import struct
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.harness import OrgInfo, RepClient, Server, Socket
from tests.support.ports import ReservedPort, server_port

from frontdesk.core.clock import FrozenClock
from frontdesk.demo import demo_site_app
from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.models import Contact, Visitor
from frontdesk.features.visitors.tokens import identity_hash
from frontdesk.transport.api import widget_snippet

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
STATIC = Path(__file__).resolve().parents[2] / "src" / "frontdesk" / "static"
XSS_CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "xss_corpus.txt"
# The messenger's content-hashed URL (web/build.mjs), e.g. /static/messenger.2QX7LM4A.js
MESSENGER_PATH = re.compile(r"/static/messenger\.[A-Z0-9]{8}\.js")
IDLE_AFTER_SECONDS = 3

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (STATIC / "widget.js").exists(), reason="widget not built: cd web && node build.mjs"
    ),
]

# Keeps every WebSocket the page opens; window.__cut = true makes new ones fail (a network cut).
SOCKET_HOOK = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__cut = false;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(window.__cut ? "ws://127.0.0.1:9/cut" : url, protocols);
      window.__sockets.push(this);
    }
  };
})();
"""
CSP_WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


# The loader adds the messenger's <script> synchronously when it decides to load it, so this
# in-page check is exact at any moment (unlike request events, which arrive later).
MESSENGER_SCRIPT_ADDED = "!!document.querySelector('script[src*=\"/static/messenger.\"]')"
# Resolves after the page's pending zero-delay tasks: the loader defers its set-up by two
# setTimeout(0) hops after load, so once this resolves the set-up (socket or not) has run.
LOADER_SETTLED = "new Promise((r) => setTimeout(() => setTimeout(() => setTimeout(r))))"


def is_messenger(url: str) -> bool:
    return MESSENGER_PATH.fullmatch(urlsplit(url).path) is not None


@dataclass
class Env:
    server: Server
    org: OrgInfo
    site: str  # the demo website (Northwind), with the snippet in every page
    pages: str  # a second website for custom host pages (hostile CSS, strict CSP)
    pages_app: web.Application
    rep: RepClient
    browser: Any

    def host_page(self, path: str, body: str, headers: dict[str, str] | None = None) -> str:
        """Serve `body` (with {snippet}) at pages/path; returns its URL."""
        html = body.replace("{snippet}", widget_snippet(self.server.url, self.org.site_key))
        HOST_PAGES[self.pages_app][path] = (html, headers or {})
        return self.pages + path

    def host_file(self, path: str, body: bytes, content_type: str) -> str:
        """Serve bytes (an image) at pages/path; returns its URL."""
        HOST_PAGES[self.pages_app][path] = (body, {"Content-Type": content_type})
        return self.pages + path

    @property
    def clock(self) -> FrozenClock:
        assert isinstance(self.server.clock, FrozenClock), "use the frozen_env fixture"
        return self.server.clock

    async def advance(self, seconds: float) -> None:
        """Move the server's frozen clock and fire whatever deadlines are due then."""
        self.clock.advance(seconds)
        await self.server.runtime.sweeper.run_due()

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        status, data = await self.rep.request(method, path, body)
        assert status < 300, (method, path, status, data)
        return data


HOST_PAGES: dict[web.Application, dict[str, tuple[str | bytes, dict[str, str]]]] = {}


def host_pages_app() -> web.Application:
    app = web.Application()
    HOST_PAGES[app] = {}

    async def page(request: web.Request) -> web.Response:
        found = HOST_PAGES[app].get(request.path)
        if found is None:
            raise web.HTTPNotFound()
        body, headers = found
        if isinstance(body, bytes):
            return web.Response(body=body, headers=headers)
        return web.Response(text=body, content_type="text/html", headers=headers)

    app.router.add_get("/{tail:.*}", page)
    return app


@pytest_asyncio.fixture(loop_scope="session")
async def env(sqlite_memory_backend: Backend, browser: TestBrowser) -> AsyncIterator[Env]:
    # A real clock: the widget compares message times (unread), and activity is timed in the page.
    async with make_env(sqlite_memory_backend, browser, frozen=False) as made:
        yield made


@pytest_asyncio.fixture(loop_scope="session")
async def frozen_env(sqlite_memory_backend: Backend, browser: TestBrowser) -> AsyncIterator[Env]:
    """A FrozenClock (started at the real time): the test moves it with env.advance(seconds),
    which also fires the deadlines due by then (invitation expiry, IP block expiry)."""
    async with make_env(sqlite_memory_backend, browser, frozen=True) as made:
        yield made


@contextlib.asynccontextmanager
async def make_env(
    backend: Backend, browser: TestBrowser, *, frozen: bool, **overrides: Any
) -> AsyncIterator[Env]:
    # allow_private_targets: the image proxy may fetch from the local page server (127.0.0.1).
    # rep_frame_limits: the XSS corpus test's rep sends 70+ messages at once, more than a
    # person's 30 per 10 s (the limits have their own tests: tests/integration/transport/).
    server = Server(
        backend.database_url,
        "memory://",
        "unused",
        frozen=frozen,
        allow_private_targets=True,
        rep_frame_limits={"message": "1000/10 seconds"},
        **overrides,
    )
    await server.start()
    site_port, pages_port = ReservedPort(), ReservedPort()
    site, pages = f"http://127.0.0.1:{site_port.port}", f"http://127.0.0.1:{pages_port.port}"
    org = await server.create_org("Northwind Analytics", origins=(site, pages))
    async with server.runtime.db.transaction() as session:
        row = await session.get(Org, org.id)
        assert row is not None
        row.idle_after_seconds = IDLE_AFTER_SECONDS
    site_server = TestServer(
        demo_site_app(server.url, org.site_key), host="127.0.0.1", **server_port(site_port)
    )
    app = host_pages_app()
    pages_server = TestServer(app, host="127.0.0.1", **server_port(pages_port))
    await site_server.start_server()
    await pages_server.start_server()
    rep = await server.rep(org, name="Dana Reyes")
    try:
        yield Env(server, org, site, pages, app, rep, browser)
    finally:
        await browser.close_all()  # before the servers its pages talk to
        await site_server.close()
        await pages_server.close()
        await server.stop()
        HOST_PAGES.pop(app, None)


# ---- helpers ------------------------------------------------------------------------------


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 15.0, what: str = ""
) -> Any:
    """Poll an async check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


async def transcript(page: Any) -> list[tuple[str, str]]:
    """(who, text) of every message row in the messenger; who is me / them / sys / pending."""
    rows = await page.evaluate(
        """() => [...document.querySelector('frontdesk-messenger').shadowRoot.querySelectorAll('.row')]
              .map(r => [r.classList.contains('pending') ? 'pending' : r.classList.contains('me') ? 'me'
                         : r.classList.contains('sys') ? 'sys' : 'them',
                         r.querySelector('.bubble').textContent.trim()])"""
    )
    return [(who, text) for who, text in rows]


async def open_and_send(page: Any, text: str) -> None:
    launcher = page.get_by_role("button", name="Open chat")
    box = page.get_by_role("textbox", name="Message")
    # The launcher shows once the welcome arrived; the panel may already be open (a reload).
    await launcher.or_(box).first.wait_for()
    if await launcher.count():
        await launcher.click()
    await box.fill(text)
    await box.press("Enter")


async def accept_first_conversation(env: Env, rep_sock: Socket) -> str:
    event = await rep_sock.expect("conversation.updated", timeout=15)
    cid: str = event["conversation"]["id"]
    await env.api("POST", f"/api/conversations/{cid}/accept")
    return cid


async def rep_says(rep_sock: Socket, cid: str, body: str) -> dict[str, Any]:
    client_id = uuid.uuid4().hex
    await rep_sock.send(
        {"type": "message", "conversation_id": cid, "client_id": client_id, "body": body}
    )
    return await rep_sock.expect("ack", timeout=15, client_id=client_id)


async def hide_tab(page: Any, other: Any) -> None:
    """Bring another tab to the front. Headless Chromium keeps every page 'visible', so when the
    page did not notice, tell it the way a browser does: visibilityState + visibilitychange."""
    await other.bring_to_front()
    if not await page.evaluate("document.hidden"):
        await page.evaluate(
            """() => {
                Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
                document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )


async def show_tab(page: Any) -> None:
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


def activity_changes(frames: list[dict[str, Any]], visitor_id: str) -> list[str]:
    """Activity changes the rep's console saw for one visitor, in order, repeats collapsed.
    Only visitor.updated counts: a visitor.joined card re-sent when routing moves the visitor
    is a snapshot of the card, not a change the widget reported."""
    seen: list[str] = []
    for frame in frames:
        for event in frame.get("events", [frame]):
            if event.get("type") == "visitor.updated" and event.get("visitor_id") == visitor_id:
                value = (event.get("changes") or {}).get("activity")
                if value and (not seen or seen[-1] != value):
                    seen.append(value)
    return seen


# ---- (1) tracking -------------------------------------------------------------------------


async def faded_in(preview: Any) -> None:
    """Waits until the message card around `preview` (its button) has faded in: the fade is
    the card's own animation, so waiting for the button's screenshotted it half see-through."""
    await preview.evaluate(
        "(el) => Promise.all(el.closest('.preview').getAnimations().map((a) => a.finished))"
    )


async def test_page_views_and_activity_reach_the_server(env: Env) -> None:
    async with env.rep.socket() as rep_sock:
        context = await env.browser.new_context()
        page = await context.new_page()
        await page.goto(env.site + "/")
        joined = await rep_sock.expect("visitor.joined", timeout=15)
        visitor_id = joined["visitor"]["visitor_id"]

        # The launcher shows once the page's welcome arrived, so its page view is recorded. (A
        # page left before its socket even opened, a few ms after load, records none.)
        await (
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Pricing").click()
        )
        await page.wait_for_url("**/pricing.html")
        await page.get_by_role("button", name="Open chat").wait_for()
        await page.get_by_role("link", name="Engineering blog").click()
        await page.wait_for_url("**/blog/scaling-analytics.html")
        await page.get_by_role("button", name="Open chat").wait_for()

        async def page_views() -> list[str]:
            data = await env.api("GET", f"/api/visitors/{visitor_id}")
            views = [v["url"] for visit in reversed(data["visits"]) for v in visit["page_views"]]
            return views if len(views) >= 3 else []

        views = await eventually(page_views, what="three page views")
        assert views == [
            env.site + "/",
            env.site + "/pricing.html",
            env.site + "/blog/scaling-analytics.html",
        ]

        # active -> another_tab -> active -> idle
        await page.mouse.move(200, 200)
        await page.mouse.move(240, 260)  # input: the visitor is active on this page

        async def is_active() -> bool:
            data = await env.api("GET", f"/api/visitors/{visitor_id}")
            return bool(data["visitor"]["activity"] == "active")

        await eventually(is_active, what="the visitor to be active")
        mark = len(rep_sock.received)
        other = await context.new_page()
        await other.goto("about:blank")
        await hide_tab(page, other)
        await rep_sock.expect(
            "visitor.updated", timeout=15, visitor_id=visitor_id, changes__activity="another_tab"
        )
        await show_tab(page)
        await rep_sock.expect(
            "visitor.updated", timeout=15, visitor_id=visitor_id, changes__activity="active"
        )
        # no input now: idle after IDLE_AFTER_SECONDS
        await rep_sock.expect(
            "visitor.updated",
            timeout=IDLE_AFTER_SECONDS + 10,
            visitor_id=visitor_id,
            changes__activity="idle",
        )
        assert activity_changes(rep_sock.received[mark:], visitor_id) == [
            "another_tab",
            "active",
            "idle",
        ]
        assert (await env.api("GET", f"/api/visitors/{visitor_id}"))["visitor"][
            "activity"
        ] == "idle"
        # ... and input makes the visitor active again
        await page.mouse.move(300, 300)
        await rep_sock.expect(
            "visitor.updated", timeout=15, visitor_id=visitor_id, changes__activity="active"
        )
        await context.close()


async def test_single_page_app_navigation_is_a_page_view(env: Env) -> None:
    page = await env.browser.new_page()
    await page.goto(env.site + "/pricing.html")
    ready = await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")

    def recorded(count: int) -> Callable[[], Awaitable[list[tuple[str, str]]]]:
        async def page_views() -> list[tuple[str, str]]:
            data = await env.api("GET", f"/api/visitors/{ready['visitor_id']}")
            views = [
                (v["url"], v["title"]) for visit in data["visits"] for v in visit["page_views"]
            ]
            return views if len(views) >= count else []

        return page_views

    await page.evaluate(
        "history.pushState({}, '', '/app/reports?tab=funnels'); document.title = 'Reports'"
    )
    await eventually(recorded(2), what="the SPA page view")
    await page.evaluate(
        "history.replaceState({}, '', '/app/reports?tab=funnels#chart')"
    )  # a fragment only
    # Then a real navigation: its page view goes out after any the fragment jump would have
    # sent (the same 100 ms title delay, the same socket), so once it is recorded the list is
    # complete.
    await page.evaluate("history.pushState({}, '', '/app/settings'); document.title = 'Settings'")
    assert await eventually(recorded(3), what="the later page view") == [
        (env.site + "/pricing.html", "Pricing | Northwind Analytics"),
        (env.site + "/app/reports?tab=funnels", "Reports"),
        (env.site + "/app/settings", "Settings"),
    ]


# ---- (2) chat, reconnect, nothing lost, nothing twice ----------------------------------------


async def test_chat_survives_a_cut_socket(env: Env) -> None:
    async with env.rep.socket() as rep_sock:
        context = await env.browser.new_context()
        await context.add_init_script(SOCKET_HOOK)
        page = await context.new_page()
        await page.goto(env.site + "/pricing.html")
        await open_and_send(page, "Hi! Do you support BigQuery?")
        await page.get_by_text("Sending…").wait_for(state="detached")  # acknowledged
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "Hi, Dana here. **Yes**, BigQuery is supported.")
        await page.get_by_text("Dana here").wait_for()

        # Cut the network: the socket drops, new connections fail for now.
        await page.evaluate("() => { window.__cut = true; window.__sockets.at(-1).close(); }")
        await page.get_by_role("status").get_by_text("Reconnecting").wait_for()
        await rep_says(rep_sock, cid, "Sent while you were away")
        box = page.get_by_role("textbox", name="Message")
        await box.fill("Typed while offline")
        await box.press("Enter")
        assert ("pending", "Typed while offline") in await transcript(page)

        await page.evaluate("() => { window.__cut = false; }")  # the network is back
        await page.get_by_text("Sent while you were away").wait_for(timeout=40_000)
        await page.get_by_text("Sending…").wait_for(state="detached", timeout=15_000)
        await page.get_by_role("status").wait_for(state="hidden")
        expected = [
            ("me", "Hi! Do you support BigQuery?"),
            ("them", "Hi, Dana here. Yes, BigQuery is supported."),
            ("them", "Sent while you were away"),
            ("me", "Typed while offline"),
        ]
        # the server stored the offline message once, and the widget shows each stored message once
        data = await env.api("GET", f"/api/conversations/{cid}")
        stored = [m for m in data["messages"] if not m["internal"]]
        assert [m["body"] for m in stored].count("Typed while offline") == 1
        assert [m["seq"] for m in data["messages"]] == list(range(1, len(data["messages"]) + 1))
        shown = await transcript(page)
        assert [row for row in shown if row[0] != "sys"] == expected  # (system notes aside)
        assert len(shown) == len(stored)

        # A new page of the same tab: history once, panel still open.
        await page.goto(env.site + "/careers.html")
        await page.get_by_text("Typed while offline").wait_for()
        assert await transcript(page) == shown
        assert await page.evaluate("window.__sockets.length") >= 1
        await context.close()


async def test_a_lost_frame_is_fetched_again(env: Env) -> None:
    """The bus is best-effort: when a message frame never arrives, the next seq shows a gap and
    the widget asks for the missing ones (resume). Each shows once, in order."""
    dropped: list[str] = []

    def proxy(ws: Any) -> None:
        server = ws.connect_to_server()

        def down(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if (
                frame.get("type") == "message"
                and frame["message"]["body"] == "second"
                and not dropped
            ):
                dropped.append("second")  # swallowed once, as a lost pub/sub message would be
                return
            ws.send(raw)

        server.on_message(down)
        ws.on_message(lambda raw: server.send(raw))

    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page()
        await page.route_web_socket(re.compile(r".*/ws/visitor.*"), proxy)
        await page.goto(env.site + "/")
        await open_and_send(page, "hello")
        cid = await accept_first_conversation(env, rep_sock)
        for body in ("first", "second", "third"):
            await rep_says(rep_sock, cid, body)
        expected = [("me", "hello"), ("them", "first"), ("them", "second"), ("them", "third")]

        async def shown() -> list[tuple[str, str]]:
            rows = [row for row in await transcript(page) if row[0] != "sys"]
            return rows if len(rows) >= len(expected) else []

        assert await eventually(shown, what="all four messages") == expected
        assert dropped == ["second"]
        # A later message comes down the same socket after everything the resume sent: once it
        # shows, a message shown twice would be there too.
        await rep_says(rep_sock, cid, "fourth")
        expected.append(("them", "fourth"))
        assert await eventually(shown, what="the later message") == expected


async def test_a_long_chat_comes_back_whole_after_a_reload_in_pieces(env: Env) -> None:
    """A chat longer than one answer carries (256 KB): after a reload the welcome brings its
    latest messages, and the messenger asks for the rest, a piece at a time, from where its
    copy stops. Every message shows once, in order, and the asking stops when it is whole."""
    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page()
        traffic = watch(page)
        await page.goto(env.site + "/")
        await open_and_send(page, "hello")
        cid = await accept_first_conversation(env, rep_sock)
        sent = [f"{n} " + "long answer " * 750 for n in range(30)]  # 30 x 9,000 characters
        for body in sent:
            await rep_says(rep_sock, cid, body)
        await page.get_by_text(sent[-1][:40]).wait_for()

        traffic.sent.clear()
        await page.reload()
        await page.get_by_text(sent[-1][:40]).wait_for()  # the latest: in the welcome
        expected = [("me", "hello"), *(("them", body.strip()) for body in sent)]

        async def shown() -> list[tuple[str, str]]:
            rows = [row for row in await transcript(page) if row[0] != "sys"]
            return rows if len(rows) >= len(expected) else []

        assert await eventually(shown, timeout=30, what="the whole chat") == expected
        asked = [frame["after_seq"] for frame in traffic.sent_types("resume")]
        # a piece at a time (about 550 KB in pieces of 256 KB), not once per message received
        assert 2 <= len(asked) <= 5 and asked == sorted(set(asked)), asked
        await asyncio.sleep(2.5)  # the messenger asks again a second after an answer at most
        assert len(traffic.sent_types("resume")) == len(asked), "it kept asking"
        assert await shown() == expected


async def test_a_resync_from_the_server_makes_the_widget_fetch_the_reply_its_bus_lost(
    env: Env,
) -> None:
    """After a bus outage the server sends `resync`: nothing shows a gap when the newest frame
    is the lost one, so the widget resumes from the last seq it saw and shows the reply."""
    lost: list[str] = []
    page_sides: list[Any] = []

    def proxy(ws: Any) -> None:
        server = ws.connect_to_server()
        page_sides.append(ws)

        def down(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if (
                frame.get("type") == "message"
                and frame["message"]["body"] == "Still there?"
                and not lost
            ):
                lost.append("Still there?")  # published while Redis was down: never arrives
                return
            ws.send(raw)

        server.on_message(down)
        ws.on_message(lambda raw: server.send(raw))

    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page()
        await page.route_web_socket(re.compile(r".*/ws/visitor.*"), proxy)
        await page.goto(env.site + "/")
        await open_and_send(page, "hello")
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, "Still there?")

        async def was_lost() -> bool:
            return bool(lost)

        await eventually(was_lost, what="the reply to be dropped")
        page_sides[-1].send('{"type":"resync"}')  # what the server sends once the bus is back

        async def shown() -> list[tuple[str, str]]:
            return [row for row in await transcript(page) if row[0] != "sys"]

        async def caught_up() -> list[tuple[str, str]]:
            rows = await shown()
            return rows if ("them", "Still there?") in rows else []

        assert await eventually(caught_up, what="the lost reply") == [
            ("me", "hello"),
            ("them", "Still there?"),
        ]


# ---- (3) XSS ----------------------------------------------------------------------------------

# markdown-it's own XSS fixtures (test/fixtures/markdown-it/xss.txt), plus raw HTML attacks.
XSS_PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[xss link](JAVASCRIPT:alert(1))",
    "[xss link](vbscript:alert(1))",
    "[xss link](file:///123)",
    "[xss link](&#34;&#62;&#60;script&#62;alert&#40;&#34;xss&#34;&#41;&#60;/script&#62;)",
    "[xss link](&#74;avascript:alert(1))",
    "[xss link](&#x26;#74;avascript:alert(1))",
    "[xss link](\\&#74;avascript:alert(1))",
    "[xss link](<javascript:alert(1)>)",
    "[xss link](javascript&#x3A;alert(1))",
    "![](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7)",
    "[xss link](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K)",
    "![xss link](javascript:alert(1))",
    "<javascript&#x3A;alert(1)>",
    "<javascript:alert(1)>",
    "javascript:alert(1)",
    "[test]: javascript:alert(1)\n\n[test]",
    '<script>window.__xss = "script"</script>',
    "<svg onload=\"window.__xss = 'svg'\"></svg>",
    "<a href=\"javascript:window.__xss='a'\">click</a>",
    "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    "<details open ontoggle=alert(1)>",
]

# HTML a compromised server could send: the widget's own sanitiser must make it inert.
EVIL_HTML = (
    '<p>evil <img src=x onerror="window.__xss=1"> <a href="javascript:window.__xss=2">js</a>'
    '<svg onload="window.__xss=3"></svg><script>window.__xss=4</script>'
    '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>'
    '<a href="https://ok.example/" onclick="window.__xss=6">ok</a>'
    '<img src="data:image/svg+xml,<svg onload=alert(1)>"><a href="data:text/html,<script>alert(1)</script>">d</a>'
    '<img src="https://ok.example/a.png" alt="fine" onload="window.__xss=7"></p>'
    '<form action="https://evil.example"><input name=x></form><style>*{display:none}</style>'
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=8">'
)


def record_dialogs(page: Any, dialogs: list[str]) -> None:
    """alert(), confirm(), prompt(): noted and dismissed (none should ever open)."""

    async def on_dialog(dialog: Any) -> None:  # Playwright awaits async handlers
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)


# The one allow-list for message HTML (issue 14), as the messenger bundles it.
HTML_ALLOWLIST = json.loads(
    (Path(__file__).resolve().parents[2] / "src" / "frontdesk" / "features" / "formatting")
    .joinpath("html_allowlist.json")
    .read_text()
)
# True once every image in the messenger's transcript has loaded or failed: the messenger
# replaces a failed one with its own note from the image's `error` event, the same dispatch in
# which any surviving inline handler would run. (An img without src fires no event.)
IMAGES_SETTLED = """() => [...document.querySelector('frontdesk-messenger').shadowRoot
  .querySelectorAll('.bubble img')].every((img) => !img.getAttribute('src') || (img.complete && img.naturalWidth > 0))"""

INERT_CHECK = """() => {
  const root = document.querySelector('frontdesk-messenger').shadowRoot;
  const bad = [];
  for (const el of root.querySelectorAll('.bubble *')) {
    const tag = el.tagName.toLowerCase();
    // (the messenger's own note in place of an image that did not load is a plain text span)
    const ownNote = tag === 'span' && el.className === 'img-failed' && el.children.length === 0;
    if (!ownNote && !TAGS.includes(tag)) bad.push('tag ' + tag);
    for (const a of el.attributes) {
      if (a.name.startsWith('on') || a.name === 'style') bad.push(tag + ' ' + a.name);
      if (a.name === 'href' && !/^(https?|mailto):/i.test(a.value)) bad.push('href ' + a.value);
      if (a.name === 'src' && !/^https?:/i.test(a.value)) bad.push('src ' + a.value);
    }
    if (tag === 'a' && (el.target !== LINK.target || el.rel !== LINK.rel)) bad.push('a without target/rel');
  }
  return bad;
}""".replace("TAGS", json.dumps(HTML_ALLOWLIST["tags"])).replace(
    "LINK", json.dumps(HTML_ALLOWLIST["link_attributes"])
)


async def test_hostile_messages_render_inert(env: Env) -> None:
    dialogs: list[str] = []

    def proxy(ws: Any) -> None:
        server = ws.connect_to_server()

        def down(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if frame.get("type") == "message" and frame["message"]["body"] == "EVIL":
                frame["message"]["html"] = EVIL_HTML  # as if the server's sanitiser had failed
                raw = json.dumps(frame)
            ws.send(raw)

        server.on_message(down)
        ws.on_message(lambda raw: server.send(raw))

    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page()
        record_dialogs(page, dialogs)
        await page.route_web_socket(re.compile(r".*/ws/visitor.*"), proxy)
        await page.goto(env.site + "/")
        await open_and_send(page, "hi")
        cid = await accept_first_conversation(env, rep_sock)
        for payload in XSS_PAYLOADS:
            await rep_says(rep_sock, cid, payload)
        await rep_says(rep_sock, cid, "EVIL")
        await rep_says(rep_sock, cid, "the end")
        await page.get_by_text("the end").wait_for()
        await page.get_by_text("evil").wait_for()
        await page.wait_for_function(IMAGES_SETTLED)  # every image's handlers have had their turn

        assert dialogs == []
        assert await page.evaluate("window.__xss") is None
        assert await page.evaluate(INERT_CHECK) == []
        texts = [text for who, text in await transcript(page) if who == "them"]
        assert len(texts) == len(XSS_PAYLOADS) + 2  # every message is there, as text


# ---- (4) hostile host pages ---------------------------------------------------------------------

HOSTILE_CSS = """<!doctype html><html><head><title>Hostile CSS</title><style>
* { all: unset !important; }
div { display: none !important; }
:not(:defined) { display: none !important; }
button { visibility: hidden !important; }
</style></head><body><h1>A page that resets everything</h1><div>gone</div>{snippet}</body></html>"""

STRICT_CSP_PAGE = """<!doctype html><html><head><title>Strict CSP</title></head>
<body><h1>A page with a strict Content-Security-Policy</h1>{snippet}</body></html>"""


async def chat_round_trip(env: Env, page: Any, rep_sock: Socket, text: str, cid: str | None) -> str:
    launcher = page.get_by_role("button", name="Open chat")
    await launcher.wait_for()
    box = await launcher.bounding_box()
    viewport = page.viewport_size
    assert box and box["width"] >= 50 and box["height"] >= 50
    assert (
        box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )
    assert box["x"] > viewport["width"] / 2 and box["y"] > viewport["height"] / 2  # bottom right
    await open_and_send(page, text)
    dialog = page.get_by_role("dialog")
    await dialog.wait_for()
    panel = await dialog.bounding_box()
    assert panel and panel["width"] > 300 and panel["height"] > 300
    if cid is None:
        cid = await accept_first_conversation(env, rep_sock)
    reply = f"Reply to {text}"
    await rep_says(rep_sock, cid, reply)
    await page.get_by_text(reply).wait_for()
    await page.get_by_role("button", name="Close chat").click()
    await dialog.wait_for(state="hidden")
    return cid


async def test_hostile_css_and_strict_csp_host_pages(env: Env, artifacts_dir: Path) -> None:
    hostile = env.host_page("/hostile.html", HOSTILE_CSS)
    server_origin = env.server.url
    csp = (
        "default-src 'none'; "
        f"script-src {server_origin}; connect-src {env.server.ws_url}; "
        "style-src 'self'; img-src 'self'"  # no 'unsafe-inline' anywhere
    )
    strict = env.host_page("/strict.html", STRICT_CSP_PAGE, {"Content-Security-Policy": csp})
    async with env.rep.socket() as rep_sock:
        context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
        await context.add_init_script(CSP_WATCH)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        await page.goto(hostile)
        cid = await chat_round_trip(env, page, rep_sock, "from the hostile page", None)
        # the host element itself is still positioned by the widget, whatever the page says
        assert (
            await page.evaluate(
                "getComputedStyle(document.querySelector('frontdesk-messenger')).position"
            )
            == "fixed"
        )

        await page.goto(strict)
        await chat_round_trip(env, page, rep_sock, "from the strict page", cid)
        assert await page.evaluate("window.__violations") == []
        assert errors == []
        await page.screenshot(path=str(artifacts_dir / "widget-strict-csp.png"))
        await context.close()


# ---- (5) identify() ---------------------------------------------------------------------------


async def visitor_row(env: Env, visitor_id: str) -> Visitor:
    async with env.server.runtime.db.read() as session:
        visitor = await session.get(Visitor, visitor_id)
        assert visitor is not None
        return visitor


async def test_identify_with_a_wrong_hash_is_rejected(env: Env) -> None:
    email = "ada@customer.example"
    good = identity_hash(env.org.identity_secret, email)

    # Ada signs in on the customer's site in one browser: verified, attached to her contact.
    ada = await env.browser.new_page()
    await ada.goto(env.site + "/")
    ada_ready = await ada.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    result = await ada.evaluate(
        """([email, hash]) => new Promise(r => {
             window.Frontdesk.on('identify', r);
             window.Frontdesk.identify({email, name: 'Ada Lovelace', hash});
           })""",
        [email, good],
    )
    assert result == {"status": "verified"}
    ada_row = await visitor_row(env, ada_ready["visitor_id"])
    assert ada_row.identity_status == "verified" and ada_row.contact_id

    # Someone else claims to be Ada with a forged hash.
    context = await env.browser.new_context()
    mallory = await context.new_page()
    warnings: list[str] = []
    mallory.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    await mallory.goto(env.site + "/pricing.html")
    ready = await mallory.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    result = await mallory.evaluate(
        """([email, hash]) => new Promise(r => {
             window.Frontdesk.on('identify', r);
             window.Frontdesk.identify({email, name: 'Ada Lovelace', hash});
           })""",
        [email, "0" * 64],
    )
    assert result["status"] == "rejected"
    assert any("identify" in w and "rejected" in w for w in warnings)
    row = await visitor_row(env, ready["visitor_id"])
    assert row.contact_id is None
    assert row.identity_status != "verified"
    async with env.server.runtime.db.read() as session:
        contacts = list(
            # (this org's: the test database is shared with other tests that use the address)
            (
                await session.execute(
                    select(Contact).where(Contact.org_id == env.org.id, Contact.email == email)
                )
            ).scalars()
        )
    assert [c.id for c in contacts] == [ada_row.contact_id]
    card = await env.api("GET", f"/api/visitors/{ready['visitor_id']}")
    assert card["visitor"]["identity_status"] != "verified"
    await context.close()


async def test_identify_calls_queued_before_the_script_loaded(env: Env) -> None:
    email = "grace@customer.example"
    calls = [
        ["on", "identify", "__RECORD__"],
        [
            "identify",
            {
                "email": email,
                "name": "Grace",
                "hash": identity_hash(env.org.identity_secret, email),
            },
        ],
    ]
    queue = json.dumps(calls).replace('"__RECORD__"', "(r) => { window.__identified = r; }")
    page_html = (
        "<!doctype html><html><head><title>Queued</title>"
        f"<script>window.Frontdesk = {{ q: {queue} }};</script>"
        "</head><body><h1>Queued calls</h1>{snippet}</body></html>"
    )
    page = await env.browser.new_page()
    await page.goto(env.host_page("/queued.html", page_html))
    await page.wait_for_function("window.__identified !== undefined", timeout=15_000)
    assert await page.evaluate("window.__identified") == {"status": "verified"}


# ---- blocked visitors ---------------------------------------------------------------------------


async def test_a_blocked_visitor_sees_no_widget_and_we_stop_knocking(env: Env) -> None:
    context = await env.browser.new_context()
    # The page's clock (time still flows) lets the test run every timer of the next 31 s at
    # once: a reconnect is at most 10 s of backoff away (30 s after a 4429).
    await context.clock.install()
    page = await context.new_page()
    connections: list[str] = []

    def blocked(ws: Any) -> None:  # the server closes a blocked visitor's socket with 4403
        connections.append(ws.url)
        if "marker" not in ws.url:
            ws.on_message(lambda _: ws.close(code=4403, reason="blocked"))

    await page.route_web_socket(re.compile(r".*/ws/visitor.*"), blocked)
    await page.goto(env.site + "/")
    await page.wait_for_function(
        "document.querySelector('frontdesk-messenger') === null", timeout=15_000
    )
    await page.clock.run_for(31_000)  # any reconnect's timer has fired by now
    # A socket the test opens afterwards reaches the route after any the widget opened.
    await page.evaluate(
        "new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/visitor?marker=1')"
    )

    async def marker_routed() -> bool:
        return any("marker" in url for url in connections)

    await eventually(marker_routed, what="the marker socket")
    assert len(connections) == 2  # the widget's one socket and the marker: no reconnect
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)
    await page.evaluate("window.Frontdesk.open()")
    await page.clock.run_for(1000)
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)
    await context.close()


# ---- the messenger: proactive message, keyboard, identity form -----------------------------------


async def test_a_proactive_message_shows_beside_the_launcher(env: Env, artifacts_dir: Path) -> None:
    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page(viewport={"width": 1280, "height": 800})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        await page.goto(env.site + "/pricing.html")
        joined = await rep_sock.expect("visitor.joined", timeout=15)
        # `ready` is emitted while the welcome is handled, just before the loader decides
        # whether it needs the messenger: once it has resolved, that decision is made.
        await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
        assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)  # not needed yet
        assert not any(is_messenger(u) for u in requested)
        await page.evaluate(
            # (void: an evaluate that returned on()'s unsubscribe function would have it called)
            "window.__unread = []; void window.Frontdesk.on('unread', (d) => window.__unread.push(d))"
        )

        await env.api(
            "POST",
            f"/api/visitors/{joined['visitor']['visitor_id']}/conversations",
            {"body": "Hi there! Comparing plans? Happy to help.", "client_id": uuid.uuid4().hex},
        )
        preview = page.get_by_role("button", name=re.compile("Comparing plans"))
        await preview.wait_for()
        assert any(is_messenger(u) for u in requested)  # loaded for the message
        assert await page.evaluate("window.__unread") == [{"count": 1}]
        await faded_in(preview)
        await page.screenshot(path=str(artifacts_dir / "widget-proactive.png"))

        await preview.click()
        await page.get_by_role("dialog").wait_for()
        await page.get_by_role("textbox", name="Message").wait_for()
        assert (
            await page.evaluate(
                "document.querySelector('frontdesk-messenger').shadowRoot.activeElement?.tagName"
            )
            == "TEXTAREA"
        )
        assert await page.evaluate("window.__unread.at(-1)") == {"count": 0}
        assert ("them", "Hi there! Comparing plans? Happy to help.") in await transcript(page)


async def test_keyboard_only(env: Env) -> None:
    page = await env.browser.new_page()
    await page.goto(env.site + "/careers.html")
    launcher = page.get_by_role("button", name="Open chat")
    await launcher.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile("Chat with"))
    await dialog.wait_for()
    box = page.get_by_role("textbox", name="Message")
    await expect_focused(page, "TEXTAREA")
    await page.keyboard.type("line one")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("line two")
    assert await box.input_value() == "line one\nline two"
    await page.keyboard.press("Enter")
    await page.get_by_text("Sending…").wait_for(state="detached")
    assert ("me", "line one\nline two") in await transcript(page)
    await page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")
    await expect_focused(page, "BUTTON")
    assert await launcher.is_visible()


async def expect_focused(page: Any, tag: str) -> None:
    active = await page.evaluate(
        "document.querySelector('frontdesk-messenger').shadowRoot.activeElement?.tagName"
    )
    assert active == tag


async def test_the_identity_form_sends_an_unverified_claim(env: Env) -> None:
    async with env.server.runtime.db.transaction() as session:
        org = await session.get(Org, env.org.id)
        assert org is not None
        org.settings = {**(org.settings or {}), "messenger": {"ask_identity": True}}
    page = await env.browser.new_page()
    await page.goto(env.site + "/")
    ready = await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    await open_and_send(page, "Can someone email me the security whitepaper?")
    form = page.get_by_role("form", name="Your contact details")
    await form.wait_for()
    await form.get_by_label("Name").fill("Lin Park")
    await form.get_by_label("Email").fill("lin@prospect.example")
    await form.get_by_role("button", name="Save details").click()
    await page.get_by_text("Thanks! We'll reply here and at lin@prospect.example.").wait_for()

    async def claimed() -> Visitor | None:
        row = await visitor_row(env, ready["visitor_id"])
        return row if row.email == "lin@prospect.example" else None

    row = await eventually(claimed, what="the identity claim")
    assert row.identity_status == "unverified"
    assert row.contact_id is None  # a claim without a hash never attaches to a contact


# ---- helpers for the tests below ------------------------------------------------------------


@dataclass
class Traffic:
    """What a page asked the network for: visitor sockets opened, URLs requested, frames sent."""

    sockets: list[str]
    requests: list[str]
    sent: list[dict[str, Any]]

    def clear(self) -> None:
        self.sockets.clear()
        self.requests.clear()
        self.sent.clear()

    def messenger_loaded(self) -> bool:
        return any(is_messenger(url) for url in self.requests)

    def sent_types(self, type_: str) -> list[dict[str, Any]]:
        return [frame for frame in self.sent if frame.get("type") == type_]


def watch(page: Any) -> Traffic:
    traffic = Traffic([], [], [])

    def on_socket(ws: Any) -> None:
        if "/ws/visitor" not in ws.url:
            return
        traffic.sockets.append(ws.url)

        def sent(payload: str | bytes) -> None:
            if isinstance(payload, str):
                traffic.sent.append(json.loads(payload))

        ws.on("framesent", sent)

    page.on("websocket", on_socket)
    page.on("request", lambda request: traffic.requests.append(request.url))
    return traffic


async def widget_present(page: Any) -> bool:
    return bool(await page.evaluate("!!document.querySelector('frontdesk-messenger')"))


async def invite(env: Env, visitor_id: str, message: str) -> dict[str, Any]:
    data = await env.api("POST", f"/api/visitors/{visitor_id}/invitations", {"message": message})
    invitation: dict[str, Any] = data["invitation"]
    return invitation


def blocked_cookie(env: Env) -> str:
    return "fd_blocked_" + re.sub(r"\W", "", env.org.site_key)


# ---- (issue 7) blocking: per visitor (remembered) and per IP --------------------------------


async def test_a_blocked_visitor_who_reloads_gets_no_messenger_and_no_socket(
    env: Env, artifacts_dir: Path
) -> None:
    context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_init_script(SOCKET_HOOK)  # window.__sockets: every socket the page opens
    page = await context.new_page()
    traffic = watch(page)
    await page.goto(env.site + "/pricing.html")
    ready = await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    await open_and_send(page, "you people are useless")
    await page.get_by_text("Sending…").wait_for(state="detached")

    await env.api("POST", f"/api/visitors/{ready['visitor_id']}/block", {"report": False})
    # the `blocked` frame: launcher, panel and all are gone at once
    await page.wait_for_function("document.querySelector('frontdesk-messenger') === null")
    name = blocked_cookie(env)
    cookie = next(c for c in await context.cookies() if c["name"] == name)
    assert 29.9 * 86400 < cookie["expires"] - time.time() <= 30 * 86400 + 60  # 30 days
    until = int(await page.evaluate(f"localStorage.getItem('{name}')"))
    assert 29.9 * 86400_000 < until - time.time() * 1000 <= 30 * 86400_000 + 60_000

    traffic.clear()
    await page.reload()
    await page.evaluate(LOADER_SETTLED)  # the loader's deferred set-up has run
    assert any(urlsplit(url).path == "/widget.js" for url in traffic.requests)  # it ran...
    assert await page.evaluate("window.__sockets.length") == 0  # ... and opened no socket,
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)  # loaded no messenger,
    assert not await widget_present(page)  # and drew nothing
    await page.evaluate("window.Frontdesk.open()")  # the API is there, and inert
    await page.evaluate(LOADER_SETTLED)
    assert await page.evaluate("window.__sockets.length") == 0
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)
    assert traffic.sockets == [] and not traffic.messenger_loaded()
    await page.screenshot(path=str(artifacts_dir / "widget-blocked-reload.png"))

    # another page of the site in the same browser: the same
    await page.goto(env.site + "/careers.html")
    await page.evaluate(LOADER_SETTLED)
    assert await page.evaluate("window.__sockets.length") == 0
    assert traffic.sockets == [] and not await widget_present(page)
    await context.close()


async def test_an_ip_block_hides_the_widget_from_a_new_browser_until_it_expires(
    frozen_env: Env, artifacts_dir: Path
) -> None:
    env = frozen_env
    admin = await env.server.rep(env.org, role="admin", name="Avery Admin")
    expires = env.clock.now() + dt.timedelta(minutes=10)
    status, block = await admin.request(
        "POST",
        "/api/ip-blocks",
        {"cidr": "127.0.0.1/32", "expires_at": expires.isoformat(), "reason": "abuse"},
    )
    assert status == 200, block

    # A brand-new browser (no cookie, no local storage) from the blocked address.
    context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_init_script(SOCKET_HOOK)  # window.__sockets: every socket the page opens
    page = await context.new_page()
    traffic = watch(page)
    await page.goto(env.site + "/pricing.html")
    await page.wait_for_function("!!window.Frontdesk")
    await page.evaluate("window.Frontdesk.open()")  # even asked to open: nothing before a welcome
    # It knocked (the server refused the handshake with 403) and, backing off quietly, knocked
    # again and was refused again: the first refusal has been handled in full, and no handshake
    # is in flight while the test goes on.
    await page.wait_for_function(
        "window.__sockets.length >= 2"
        " && window.__sockets.every((s) => s.readyState === WebSocket.CLOSED)",
        timeout=15_000,
    )
    assert len(traffic.sockets) <= 6
    assert not await widget_present(page)
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)
    assert not traffic.messenger_loaded()
    assert traffic.sent == []  # no handshake succeeded: not even a hello went out
    # an IP block may expire: it is not remembered as a blocked visitor
    assert blocked_cookie(env) not in [c["name"] for c in await context.cookies()]
    await page.screenshot(path=str(artifacts_dir / "widget-ip-blocked.png"))

    # That tab goes: its backoff would knock again once the block expires and, asked to open
    # above, open the panel (which a reload of the same tab would then reopen).
    await page.close()
    await env.advance(10 * 60 + 1)  # the block has expired
    page = await context.new_page()  # the same browser, a new tab
    await page.goto(env.site + "/pricing.html")
    await page.get_by_role("button", name="Open chat").wait_for()
    await context.close()


# ---- (issue 6) invitations -------------------------------------------------------------------


async def test_an_invitation_shows_with_its_variables_and_expires_two_minutes_after_shown(
    frozen_env: Env, artifacts_dir: Path
) -> None:
    env = frozen_env
    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page(viewport={"width": 1280, "height": 800})
        traffic = watch(page)
        await page.goto(env.site + "/pricing.html")
        ready = await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
        result = await page.evaluate(
            """() => new Promise(r => {
                 window.Frontdesk.on('identify', r);
                 window.Frontdesk.identify({email: 'ada@prospect.example', name: 'Ada Lovelace'});
               })"""
        )
        assert result == {"status": "unverified"}
        assert not traffic.messenger_loaded()

        invitation = await invite(
            env, ready["visitor_id"], "Hi #first_name#, questions about #page_title#?"
        )
        text = "Hi Ada, questions about Pricing | Northwind Analytics?"
        preview = page.get_by_role("button", name=re.compile(re.escape(text)))
        await preview.wait_for()
        assert "Dana Reyes" in await preview.inner_text()  # from the inviting rep
        assert traffic.messenger_loaded()
        # On screen: the widget says so (once), and the server starts the 2-minute clock.
        await rep_sock.expect(
            "invitation.updated",
            timeout=15,
            invitation__id=invitation["id"],
            invitation__status="shown",
        )
        await faded_in(preview)
        await page.screenshot(path=str(artifacts_dir / "widget-invitation.png"))

        await env.advance(119)  # (and the deadlines due by then have run)
        # Not expired on the server, so nothing could have told the widget to drop it.
        rows = (await env.api("GET", "/api/reports/proactive"))["rows"]
        assert [(r["invitation_sent"], r["invitation_expired"]) for r in rows] == [(1, 0)]
        assert await preview.is_visible()
        await env.advance(2)  # two minutes after it was shown: the server expires it
        await preview.wait_for(state="hidden")
        await rep_sock.expect(
            "invitation.updated",
            timeout=15,
            invitation__id=invitation["id"],
            invitation__status="expired",
        )
        rows = (await env.api("GET", "/api/reports/proactive"))["rows"]
        assert [
            (r["rep_id"], r["invitation_sent"], r["invitation_expired"], r["invitation_accepted"])
            for r in rows
        ] == [(env.rep.rep_id, 1, 1, 0)]
        # gone from the panel too, and not unread any more
        await page.get_by_role("button", name="Open chat").click()
        dialog = page.get_by_role("dialog")
        await dialog.wait_for()
        assert text not in await dialog.inner_text()
        assert await transcript(page) == []
        assert len(traffic.sent_types("invitation_shown")) == 1


async def test_a_reply_to_an_invitation_starts_the_chat_with_the_inviter_even_when_away(
    frozen_env: Env, artifacts_dir: Path
) -> None:
    env = frozen_env
    await env.server.rep(env.org, name="Sam Ortiz")  # another rep, Available
    page = await env.browser.new_page(viewport={"width": 1280, "height": 800})
    traffic = watch(page)
    await page.goto(env.site + "/")
    ready = await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    invitation = await invite(
        env, ready["visitor_id"], "Hi! I'm #rep_first_name# from Northwind. Can I help?"
    )
    text = "Hi! I'm Dana from Northwind. Can I help?"
    assert invitation["message"] == text
    await env.api("PATCH", "/api/me/status", {"availability": "away"})  # the inviter steps away

    preview = page.get_by_role("button", name=re.compile("Can I help"))
    await preview.wait_for()
    await env.advance(60)  # within the two minutes
    assert await preview.is_visible()
    await preview.click()
    await page.get_by_role("dialog").wait_for()
    assert await transcript(page) == [("them", text)]  # the invitation opens the panel's thread
    reply = "Yes: does the Team plan include SSO?"
    box = page.get_by_role("textbox", name="Message")
    await box.fill(reply)
    await box.press("Enter")
    await page.get_by_text("Sending…").wait_for(state="detached")
    visitor = await env.api("GET", f"/api/visitors/{ready['visitor_id']}")
    cid = visitor["conversations"][0]["id"]
    # The rep's next message comes down the same socket after every frame of the new chat:
    # once it shows, anything shown twice would be there too.
    later = "Yes, SSO is in the Team plan."
    await env.api(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "later", "body": later}
    )
    await page.get_by_text(later).wait_for()
    # The invitation became seq 1, the reply seq 2: each shows once.
    assert await transcript(page) == [("them", text), ("me", reply), ("them", later)]
    await page.screenshot(path=str(artifacts_dir / "widget-invitation-reply.png"))

    data = await env.api("GET", f"/api/conversations/{cid}")
    conversation = data["conversation"]
    assert conversation["owner_rep_id"] == env.rep.rep_id
    assert conversation["origin"] == "invitation"
    assert conversation["status"] == "active"
    assert [(m["seq"], m["author_kind"], m["body"]) for m in data["messages"]] == [
        (1, "rep", text),
        (2, "visitor", reply),
        (3, "rep", later),
    ]
    assert len(traffic.sent_types("invitation_shown")) == 1

    # a reload: the conversation's history, once; no invitation any more (again a later
    # message is the sign that everything sent before it has arrived)
    await page.reload()
    await page.get_by_text(later).wait_for()
    await env.api(
        "POST",
        f"/api/conversations/{cid}/messages",
        {"client_id": "last", "body": "Anything else?"},
    )
    await page.get_by_text("Anything else?").wait_for()
    assert await transcript(page) == [
        ("them", text),
        ("me", reply),
        ("them", later),
        ("them", "Anything else?"),
    ]


# ---- (issue 7) the XSS corpus through rep messages -------------------------------------------

XSS_WATCH = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const real = window[name];
  window[name] = function (...args) { window.__xss.push(name + "(" + args.join(",") + ")"); return real.apply(this, args); };
}
"""


async def test_every_line_of_the_xss_corpus_renders_inert(env: Env) -> None:
    payloads = [
        line
        for line in XSS_CORPUS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("# ")
    ]
    assert len(payloads) > 70
    dialogs: list[str] = []
    foreign: list[str] = []
    async with env.rep.socket() as rep_sock:
        context = await env.browser.new_context()
        await context.add_init_script(XSS_WATCH)
        page = await context.new_page()
        record_dialogs(page, dialogs)
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((env.site, env.server.url, "data:"))
                else foreign.append(r.url)
            ),
        )
        await page.goto(env.site + "/")
        await open_and_send(page, "hi")
        cid = await accept_first_conversation(env, rep_sock)
        for payload in payloads:
            await rep_says(rep_sock, cid, payload)
        await rep_says(rep_sock, cid, "end of the corpus")
        await page.get_by_text("end of the corpus").wait_for()
        # Scroll the whole transcript past the viewport so every lazy image loads (and fails),
        # and hover each bubble: any handler that survived gets its chance.
        bubbles = page.locator(".bubble")
        for index in range(await bubbles.count()):
            await bubbles.nth(index).scroll_into_view_if_needed()
        await bubbles.first.hover()
        await bubbles.last.hover()
        await page.wait_for_function(IMAGES_SETTLED)  # every image's handlers have had their turn

        assert dialogs == []
        assert await page.evaluate("window.__xss") == []
        assert await page.evaluate(INERT_CHECK) == []
        assert foreign == []  # no script, style, frame or object fetched from elsewhere
        assert page.url == env.site + "/"  # no meta refresh, no <base> navigation
        texts = [text for who, text in await transcript(page) if who == "them"]
        assert len(texts) == len(payloads) + 1  # every line is there, as text
        await context.close()


# ---- (issue 5) nobody available: the offline form ----------------------------------------------


async def test_with_nobody_available_the_visitor_leaves_a_message_in_the_offline_form(
    env: Env, artifacts_dir: Path
) -> None:
    await env.api("PATCH", "/api/me/status", {"availability": "away"})  # the only rep
    page = await env.browser.new_page(viewport={"width": 1280, "height": 800})
    traffic = watch(page)
    await page.goto(env.site + "/pricing.html")
    await open_and_send(page, "Is anyone there? I need a quote.")
    form = page.get_by_role("form", name="Leave us a message")
    await form.wait_for()
    # the experience's offline text comes from the org's assistant, not from a rep
    bot = page.locator(".row.bot")
    await bot.wait_for()
    assert "offline" in await bot.locator(".bubble").inner_text()
    assert await bot.locator(".av.bot").count() == 1
    await page.screenshot(path=str(artifacts_dir / "widget-offline-form.png"))

    # a wrong email stays in the form, with the reason
    await form.get_by_label("Email").fill("not-an-email")
    await form.get_by_label("How can we help?").fill("Please send me a quote for 40 seats.")
    await form.get_by_role("button", name="Leave message").click()
    await form.get_by_role("alert").get_by_text("valid email").wait_for()
    assert traffic.sent_types("offline_message") == []

    await form.get_by_label("Name (optional)").fill("Lin Park")
    await form.get_by_label("Email").fill("lin@prospect.example")
    await form.get_by_role("button", name="Leave message").click()
    thanks = page.get_by_text("Thanks! We got your message and will reply to lin@prospect.example.")
    await thanks.wait_for()
    await form.wait_for(state="hidden")
    await page.screenshot(path=str(artifacts_dir / "widget-offline-thanks.png"))

    listed = (await env.api("GET", "/api/offline-messages"))["offline_messages"]
    assert [(m["name"], m["email"], m["body"]) for m in listed] == [
        ("Lin Park", "lin@prospect.example", "Please send me a quote for 40 seats.")
    ]
    assert len(traffic.sent_types("offline_message")) == 1

    # after a reload: the thank-you, not the form again
    await page.reload()
    await page.get_by_text("Thanks! We got your message").wait_for()
    assert not await form.is_visible()


async def test_the_offline_form_does_not_ask_a_visitor_who_gave_their_email_for_it_again(
    env: Env, artifacts_dir: Path
) -> None:
    await env.api("PATCH", "/api/me/status", {"availability": "away"})  # the only rep
    page = await env.browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(env.site + "/pricing.html")
    await page.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    status = await page.evaluate(
        """() => new Promise(r => {
             window.Frontdesk.on('identify', r);
             window.Frontdesk.identify({email: 'kim@prospect.example', name: 'Kim', hash: null});
           })"""
    )
    assert status == {"status": "unverified"}
    await open_and_send(page, "Is anyone around?")
    form = page.get_by_role("form", name="Leave us a message")
    await form.wait_for()
    assert not await form.get_by_label("Email").is_visible()  # we have it: not asked again
    await page.screenshot(path=str(artifacts_dir / "widget-offline-form-email-known-phone.png"))
    await form.get_by_label("How can we help?").fill("Call me back about pricing, please.")
    await form.get_by_role("button", name="Leave message").click()
    await page.get_by_text("Thanks! We got your message and will reply by email.").wait_for()
    listed = (await env.api("GET", "/api/offline-messages"))["offline_messages"]
    assert [(m["email"], m["body"]) for m in listed] == [
        ("kim@prospect.example", "Call me back about pricing, please.")
    ]


# ---- images in messages: through the server's image proxy --------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def test_images_in_messages_load_from_the_frontdesk_server(env: Env) -> None:
    image = env.host_file("/chart.png", png(120, 60, (79, 70, 229)), "image/png")
    async with env.rep.socket() as rep_sock:
        page = await env.browser.new_page()
        await page.goto(env.site + "/")
        await open_and_send(page, "Can I see the usage chart?")
        cid = await accept_first_conversation(env, rep_sock)
        await rep_says(rep_sock, cid, f"Here it is:\n\n![Usage chart]({image})")
        img = page.get_by_role("img", name="Usage chart")
        await img.wait_for()
        src = await img.get_attribute("src")
        # the server's relative /img?u=...&s=... URL, prefixed with the server's origin
        assert src and src.startswith(env.server.url + "/img?u=")

        async def loaded() -> int:
            return int(await img.evaluate("el => el.complete ? el.naturalWidth : 0"))

        assert await eventually(loaded, what="the proxied image") == 120


# ---- (issue 13) bytes on the wire: compressed, content-hashed, cached ------------------------


async def test_the_messenger_arrives_compressed_from_its_hashed_url_and_the_next_page_reuses_it(
    env: Env,
) -> None:
    async with env.rep.socket() as rep_sock:
        context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        responses: list[Any] = []
        page.on("response", lambda response: responses.append(response))
        await page.goto(env.site + "/pricing.html")
        text = "Does the messenger arrive compressed?"
        await chat_round_trip(env, page, rep_sock, text, None)
        (loader,) = [r for r in responses if urlsplit(r.url).path == "/widget.js"]
        (messenger,) = [r for r in responses if is_messenger(r.url)]
        for response in (loader, messenger):
            accepted = (await response.request.all_headers())["accept-encoding"]
            headers = await response.all_headers()
            assert response.status == 200
            assert headers["content-encoding"] == ("br" if "br" in accepted else "gzip")
            assert headers["vary"] == "Accept-Encoding"
        assert (await messenger.all_headers())["cache-control"] == (
            "public, max-age=31536000, immutable"
        )

        # The next page of the site: the chat is there again, and the messenger (needed for
        # it) comes from the browser's cache, not from the server.
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        fetched: dict[str, str] = {}  # request id -> URL of every messenger request
        cached: set[str] = set()  # request ids answered from the memory or disk cache

        def on_response(event: dict[str, Any]) -> None:
            if is_messenger(event["response"]["url"]):
                fetched[event["requestId"]] = event["response"]["url"]
                if event["response"].get("fromDiskCache"):
                    cached.add(event["requestId"])

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.requestServedFromCache", lambda event: cached.add(event["requestId"]))
        await page.goto(env.site + "/careers.html")
        # (the panel was closed: the transcript is drawn, hidden)
        await page.get_by_text(f"Reply to {text}").wait_for(state="attached")
        assert list(fetched.values()) == [messenger.url]
        assert set(fetched) <= cached
        await context.close()


# ---- (issue 13) nobody joins in time: one story, not three ---------------------------------


async def _log_lines(page: Any) -> list[str]:
    """The visible blocks of the messenger's log, top to bottom (rows, cards, the ended line)."""
    return list(
        await page.evaluate(
            """() => [...document.querySelector('frontdesk-messenger').shadowRoot
                        .querySelector('.log').children]
                  .filter((el) => !el.hidden && el.offsetParent !== null)
                  .map((el) => el.innerText.trim())"""
        )
    )


async def test_a_visitor_who_left_their_email_is_not_asked_again_when_nobody_joins(
    frozen_env: Env, artifacts_dir: Path
) -> None:
    env = frozen_env
    admin = await env.server.rep(env.org, role="admin", available=False)
    status, _ = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"ask_identity": True}}
    )
    assert status == 200
    page = await env.browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(env.site + "/pricing.html")
    await open_and_send(page, "Do you have an EU data region?")
    details = page.get_by_role("form", name="Your contact details")
    await details.get_by_label("Email").fill("lin@prospect.example")
    await details.get_by_role("button", name="Save details").click()
    await page.get_by_text("Thanks! We'll reply here and at lin@prospect.example.").wait_for()
    subtitle = page.locator(".head .sub")
    assert await subtitle.inner_text() == "We typically reply in a few minutes"

    await env.advance(20)  # the rep window: the bot greets
    await env.advance(5 * 60)  # nobody joined: the chat is missed
    ended = page.get_by_text("Nobody could join this chat in time: we'll get back to you by email.")
    await ended.wait_for()
    lines = await _log_lines(page)
    assert lines[-1].startswith("Nobody could join this chat in time"), lines  # the last word
    text = "\n".join(lines)
    assert "We'll get back to you at lin@prospect.example." in text  # the timeout message
    assert "Leave your email" not in text  # not asked for what they gave
    assert "We'll reply here" not in text  # nobody is replying here any more
    assert not await details.is_visible()
    assert await subtitle.inner_text() == "Away now · we'll reply by email"
    await page.screenshot(path=str(artifacts_dir / "widget-timeout-email-known-phone.png"))


async def test_an_anonymous_visitor_whose_chat_nobody_joined_leaves_their_email_right_there(
    frozen_env: Env, artifacts_dir: Path
) -> None:
    env = frozen_env
    page = await env.browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(env.site + "/pricing.html")
    await open_and_send(page, "Can I get a demo?")
    details = page.get_by_role("form", name="Your contact details")
    assert not await details.is_visible()  # this org does not ask up front
    await env.advance(20)
    await env.advance(5 * 60)
    await page.get_by_text("Leave your email and we'll get back to you soon.").wait_for()
    await details.wait_for()
    assert await details.get_by_text("Leave your email and we'll get back to you").is_visible()
    await page.screenshot(path=str(artifacts_dir / "widget-timeout-ask-email-phone.png"))

    await details.get_by_label("Email").fill("sam@prospect.example")
    await details.get_by_role("button", name="Save details").click()
    await page.get_by_text("Thanks! We'll get back to you at sam@prospect.example.").wait_for()
    lines = await _log_lines(page)
    assert lines[-1] == (
        "Nobody could join this chat in time: we'll get back to you by email. "
        "Send a message to start a new one."
    ), lines
    assert "We'll reply here" not in "\n".join(lines)
    assert await page.locator(".head .sub").inner_text() == "Away now · we'll reply by email"
    await page.screenshot(path=str(artifacts_dir / "widget-timeout-email-left-phone.png"))


async def test_with_nobody_available_the_header_does_not_promise_a_reply_in_minutes(
    env: Env,
) -> None:
    await env.api("PATCH", "/api/me/status", {"availability": "away"})  # the only rep
    page = await env.browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(env.site + "/")
    await open_and_send(page, "Anyone there?")
    await page.get_by_role("form", name="Leave us a message").wait_for()
    assert await page.locator(".head .sub").inner_text() == "Away now · we'll reply by email"


# ---- consent ------------------------------------------------------------------------------------

STORED_KEYS = """() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]
    .filter((k) => k.startsWith('frontdesk:'))"""


async def live_visitors(env: Env) -> list[str]:
    return [v.visitor_id for v in await env.server.runtime.live.list_org(env.org.id)]


async def nothing_tracked(env: Env, page: Any, context: Any) -> None:
    """No socket, nothing stored in the browser, nothing drawn, nobody on the live stream."""
    await page.evaluate(LOADER_SETTLED)
    await asyncio.sleep(0.5)
    assert await page.evaluate("window.__sockets.length") == 0
    assert await page.evaluate(STORED_KEYS) == []
    assert [c["name"] for c in await context.cookies() if c["name"].startswith("fd_")] == []
    assert not await widget_present(page)
    assert not await page.evaluate(MESSENGER_SCRIPT_ADDED)


@pytest.mark.parametrize("how", ["call", "attribute"])
async def test_nothing_is_tracked_or_stored_until_the_visitor_consents(
    env: Env, how: str, artifacts_dir: Path
) -> None:
    """Frontdesk("consent", false) queued before the snippet, or data-consent="required" on it:
    no socket, no cookie, no storage, no launcher until Frontdesk("consent", true); withdrawing
    consent closes the socket and forgets the browser; consenting again is a new visitor."""
    snippet = widget_snippet(env.server.url, env.org.site_key)
    if how == "attribute":
        head, snippet = "", snippet.replace("<script ", '<script data-consent="required" ')
    else:
        head = (
            "<script>window.Frontdesk = window.Frontdesk || function () {"
            " (Frontdesk.q = Frontdesk.q || []).push([].slice.call(arguments)); };"
            ' Frontdesk("consent", false);</script>'
        )
    html = (
        f"<!doctype html><html><head><title>Consent</title>{head}</head>"
        f"<body><h1>Cookie banner</h1>{snippet}</body></html>"
    )
    url = env.host_page(f"/consent-{how}.html", html)
    context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_init_script(SOCKET_HOOK)
    page = await context.new_page()
    await page.goto(url)
    await nothing_tracked(env, page, context)
    assert await live_visitors(env) == []
    await page.evaluate("window.Frontdesk.open()")  # inert until consent
    await nothing_tracked(env, page, context)

    # The visitor accepts: the widget starts as on any page, and the open() it kept opens it.
    await page.evaluate('Frontdesk("consent", true)')
    await page.get_by_role("textbox", name="Message").wait_for(timeout=15_000)
    [visitor_id] = await eventually(lambda: live_visitors(env), what="the visitor")
    assert await page.evaluate(STORED_KEYS)  # the token, the tab id
    assert any(c["name"].startswith("fd_vt_") for c in await context.cookies())
    await page.screenshot(path=str(artifacts_dir / f"widget-consent-given-{how}.png"))

    # ... and withdraws it: the socket closes, the widget leaves the page, the browser forgets.
    await page.evaluate("Frontdesk.consent(false)")
    await page.wait_for_function("document.querySelector('frontdesk-messenger') === null")
    assert await page.evaluate(STORED_KEYS) == []
    assert not any(c["name"].startswith("fd_vt_") for c in await context.cookies())
    assert await page.evaluate("window.__sockets.every((s) => s.readyState >= 2)")
    await eventually(lambda: _gone(env, visitor_id), what="the visitor to leave")

    # Consent again: a new, unrelated visitor.
    await page.evaluate("Frontdesk.consent(true)")
    [again] = await eventually(lambda: live_visitors(env), what="the new visitor")
    assert again != visitor_id
    await context.close()


async def _gone(env: Env, visitor_id: str) -> bool:
    return visitor_id not in await live_visitors(env)
