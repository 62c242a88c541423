"""A browser call between a rep and a visitor on two `frontdesk serve` processes (PostgreSQL +
Redis), in Chromium with fake media devices: the call connects across processes; the visitor's
process is SIGKILLed and started again; the messenger reconnects, re-attaches to the same call
(its keepalives reach the server again, so the call is not ended) and media keeps flowing
(it never went through the server); End on the rep's side, on the other process, ends it for
the visitor."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, CHROMIUM, expect
from tests.e2e.test_calls_e2e import MEDIA_ARGS, REP_STATS, VISITOR_STATS, media_flows
from tests.multiprocess.conftest import Cluster, running_cluster
from tests.support.ports import ReservedPort, server_port

from frontdesk.demo import demo_site_app

pytest.importorskip("playwright.async_api")
pytestmark = [*(m for m in BROWSER_MARKS if m.name != "timeout"), pytest.mark.timeout(180)]
PASSWORD = "dana-password-long-enough"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def media_chromium(chromium: Any) -> AsyncIterator[Any]:
    launched = await chromium.browser_type.launch(executable_path=CHROMIUM, args=MEDIA_ARGS)
    try:
        yield launched
    finally:
        await launched.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_cluster(tmp_path) as c:
        yield c


async def test_a_call_across_two_processes_survives_a_sigkill_of_the_visitors_process(
    cluster: Cluster, media_chromium: Any
) -> None:
    site_port = ReservedPort()
    site = f"http://127.0.0.1:{site_port.port}"
    site_key = cluster.run_cli("create-org", "Northwind", "--origin", site)
    email = f"dana-{uuid.uuid4().hex[:6]}@northwind.example"
    cluster.run_cli(
        "create-rep",
        "--org",
        site_key,
        "--email",
        email,
        "--name",
        "Dana Reyes",
        "--role",
        "rep",
        "--password",
        PASSWORD,
    )
    a, b = cluster.start("a"), cluster.start("b")
    # The website's widget talks to A; Dana's console to B.
    site_server = TestServer(demo_site_app(a, site_key), host="127.0.0.1", **server_port(site_port))
    await site_server.start_server()
    browser = TestBrowser(media_chromium)
    try:
        dana = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
        await dana.goto(b + "/login")
        await dana.get_by_label("Email").fill(email)
        await dana.get_by_label("Password").fill(PASSWORD)
        await dana.get_by_role("button", name="Sign in").click()
        await expect(dana.get_by_role("status", name="Connection: Live")).to_be_visible(
            timeout=15_000
        )
        toggle = dana.get_by_role("switch", name="Available for chats")
        await toggle.click()
        await expect(toggle).to_have_attribute("aria-checked", "true")

        visitor = await (
            await browser.new_context(viewport={"width": 1280, "height": 800})
        ).new_page()
        await visitor.goto(site + "/pricing.html")
        await visitor.get_by_role("button", name="Open chat").click()
        await visitor.get_by_role("textbox", name="Message").fill("Can we talk?")
        await visitor.get_by_role("button", name="Send message").click()
        await dana.get_by_role("link", name="Inbox").click()
        await dana.get_by_role("tab", name=re.compile("^Incoming")).click()
        row = dana.locator(".conv-row").filter(has_text="Can we talk?")
        await row.get_by_role("button", name=re.compile("^Accept chat")).click()
        await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))

        await dana.get_by_role("button", name="Video call").click()
        await visitor.get_by_role("button", name="Join with video").click()
        rep_status = dana.get_by_role("status", name="Call status")
        await expect(rep_status).to_contain_text("Connected", timeout=20_000)
        await media_flows(dana, REP_STATS)
        await media_flows(visitor, VISITOR_STATS)

        # A dies; it comes back on the same port (the widget knows only that address).
        cluster.kill("a")
        await expect(visitor.locator(".status")).to_contain_text("Reconnecting", timeout=10_000)
        cluster.start("a")
        await expect(visitor.locator(".status")).to_be_hidden(timeout=40_000)
        # Media never went through the server: it flows on, and the call is still the same.
        await media_flows(visitor, VISITOR_STATS)
        await media_flows(dana, REP_STATS)
        await expect(visitor.locator(".cv-state")).to_contain_text("On a call with Dana Reyes")
        await expect(rep_status).to_contain_text("Connected")
        # Signalling crosses the processes again (the visitor's tab is on the new A).
        await visitor.get_by_role("button", name="Mute").click()
        await expect(dana.locator('.vb-remote-state[aria-label*="microphone off"]')).to_be_visible()
        await expect(rep_status).to_contain_text("Connected")
        # End on B reaches the visitor on A.
        await dana.get_by_role("button", name="End call").click()
        await expect(visitor.locator(".cv-state")).to_contain_text("Dana Reyes ended the call.")
    finally:
        await browser.close_all()
        await site_server.close()
