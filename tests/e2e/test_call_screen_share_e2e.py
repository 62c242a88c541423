"""Rep screen share during a video call (issue 15), in Debian's Chromium with fake media
devices: the rep shares the screen, the visitor's inbound video switches to it and its bytes
flow, and stopping the share puts the camera back.

What is exercised, plainly: the console's real `getDisplayMedia()` call, `replaceTrack()` of
the screen onto the call's video sender (no renegotiation), its RTP reaching the visitor's
peer connection, the `call_media` frame with `screen`, and the messenger saying so. Headless
Chromium has no display to capture: with `--use-fake-ui-for-media-stream` and fake devices,
`getDisplayMedia()` returns Chromium's fake screen source ("screen:-3:0", a 1280x720 test
pattern), not pixels of a real screen. The switch is seen in what the visitor receives: the
fake camera's 4:3 frames become the screen's 16:9 frames, and back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect, until_true
from tests.e2e.test_calls_e2e import (  # noqa: F401 (fixtures)
    REP_STATS,
    VISITOR_STATS,
    _chat,
    media_browser,
    media_chromium,
    media_flows,
    rep_calls_with_video,
    visitor_status,
)

pytest.importorskip("playwright.async_api")
pytestmark = [*(m for m in BROWSER_MARKS if m.name != "timeout"), pytest.mark.timeout(180)]


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,  # noqa: F811 (the fixture imported above)
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, media_browser) as e:
        yield e


async def _receives(visitor: Any, aspect: str) -> dict[str, Any]:
    """The visitor's inbound video has this shape now ("4:3" camera, "16:9" screen), and its
    bytes grow on it."""
    ratio = 4 / 3 if aspect == "4:3" else 16 / 9
    await until_true(
        visitor,
        f"async (r) => {{ const s = await {VISITOR_STATS}; "
        "return s.height > 0 && Math.abs(s.width / s.height - r) < 0.05; }",
        ratio,
    )
    return await media_flows(visitor, VISITOR_STATS)


async def test_the_rep_shares_the_screen_the_visitor_receives_it_and_stopping_puts_the_camera_back(
    env: ConsoleEnv,
) -> None:
    dana, visitor = await _chat(env)
    await rep_calls_with_video(dana, visitor)
    await media_flows(dana, REP_STATS)
    await _receives(visitor, "4:3")  # the fake camera: 640x480
    box = dana.get_by_role("region", name="Voice and video")
    await box.get_by_role("button", name="Share your screen").click()
    stop = box.get_by_role("button", name="Stop sharing your screen")
    await expect(stop).to_be_visible()
    await expect(stop).to_have_attribute("aria-pressed", "true")
    await expect(box.get_by_label("Your shared screen")).to_be_visible()  # the rep's preview
    # The visitor's video is the screen now (the same track of the same peer connection,
    # other frames), and the messenger says so.
    shared = await _receives(visitor, "16:9")
    assert shared["width"] >= 640
    await expect(visitor_status(visitor)).to_contain_text("sharing their screen")
    await expect(visitor.get_by_label("Video from the team")).to_be_visible()
    await env.shot(visitor, "call-widget-screen-share-1280x800")
    await env.shot(dana, "call-console-screen-share-1280x800")
    # Stopping the share puts the camera back.
    await stop.click()
    await expect(box.get_by_role("button", name="Share your screen")).to_be_visible()
    await expect(box.get_by_label("Your video")).to_be_visible()
    await _receives(visitor, "4:3")
    await expect(visitor_status(visitor)).not_to_contain_text("sharing their screen")
    # Media still flows the other way too, and one peer connection did it all.
    await media_flows(dana, REP_STATS)
    assert (await dana.evaluate("window.__frontdeskCall.state()"))["peers"] == 1
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")
