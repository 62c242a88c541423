"""The console over its frame rates (docs/protocol.md, rep socket limits), in Debian's
Chromium: a refused frame says "Slow down" and the console carries on; a console disconnected
for flooding says so and reconnects after the longest backoff."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect
from tests.e2e.console_env import console_env as open_console_env
from tests.e2e.test_console_chat_ux import open_chat

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    # One typing frame a day (a day's window: no window starts during the test), and a console
    # more than twice over is disconnected.
    async with open_console_env(
        sqlite_memory_backend,
        artifacts_dir,
        browser,
        rep_frame_limits={"typing": "1/day"},
        rep_frame_flood_factor=2,
    ) as env:
        yield env


async def test_a_console_over_a_frame_rate_says_slow_down_carries_on_and_far_over_it_reconnects(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800, page_clock=True)
    async with env.visitor_socket() as visitor:
        await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "Hello?"})
        cid = str((await visitor.expect("ack"))["message"]["conversation_id"])
        api = await env.api(env.reps[0])
        status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200, body
        await open_chat(rep, cid)
        box = rep.get_by_role("textbox", name="Message")

        # A key: "typing" (the day's one); 4 s after it, "stopped typing": refused.
        await box.press_sequentially("Hi")
        assert (await visitor.expect("typing"))["is_typing"] is True
        await rep.clock.run_for(4_100)
        toast = rep.get_by_role("alert").filter(has_text="Slow down: too many typing frames")
        await expect(toast).to_contain_text("(at most 1/day); wait and try again.")
        await env.shot(rep, "console-rate-limited-toast")
        # The console carries on: the message goes out.
        await box.press("Enter")
        await visitor.expect("message", message__body="Hi")
        await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible()

        # Typing again: three in the window, more than twice the rate: disconnected.
        await box.press_sequentially("More")
        gone = rep.get_by_role("alert").filter(has_text="Disconnected for sending too much")
        await expect(gone).to_contain_text("over 2 times 1/day typing frames")
        await expect(rep.get_by_role("status", name="Connection: Reconnecting…")).to_be_visible()
        await env.shot(rep, "console-disconnected-for-flooding")
        # It waits the longest backoff (15 to 30 s), then is back.
        await rep.clock.run_for(10_000)
        await expect(rep.get_by_role("status", name="Connection: Reconnecting…")).to_be_visible()
        await rep.clock.run_for(21_000)
        await expect(rep.get_by_role("status", name="Connection: Live")).to_be_visible(
            timeout=10_000
        )
        # The visitor saw the one typing frame the rate allows, and nothing refused.
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert [f["is_typing"] for f in visitor.received if f.get("type") == "typing"] == [True]
