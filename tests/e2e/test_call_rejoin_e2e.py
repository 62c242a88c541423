"""A rep's side of a call survives the console (issue 15), in Debian's Chromium with fake media
devices: the rep reloads the console mid-call and it re-joins the same call by itself (a new
peer connection, the same call id; media flows again both ways; the visitor does nothing); a
second console tab of the same rep does not take the call unless the rep moves it there, and
the tab that held it then says so; moving around the console (the live stream, other
conversations, admin pages) keeps the call and its sound. Screenshots of the call strip at
1280x800 and 390x844 go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect
from tests.e2e.test_calls_e2e import (  # noqa: F401 (fixtures)
    REP_STATS,
    VISITOR_STATS,
    _chat,
    media_browser,
    media_chromium,
    media_flows,
    rep_calls_with_video,
    rep_status,
    visitor_status,
)

pytest.importorskip("playwright.async_api")
pytestmark = [*(m for m in BROWSER_MARKS if m.name != "timeout"), pytest.mark.timeout(180)]

REP_STATE = "window.__frontdeskCall.state()"
VISITOR_STATE = "window.__frontdeskBridge.call.state()"


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,  # noqa: F811 (the fixture imported above)
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, media_browser) as e:
        yield e


async def _video_call(env: ConsoleEnv) -> tuple[Any, Any, str]:
    """Dana calls the visitor with video; media flows both ways. The pages and the call id."""
    dana, visitor = await _chat(env)
    await rep_calls_with_video(dana, visitor)
    await media_flows(dana, REP_STATS)
    await media_flows(visitor, VISITOR_STATS)
    state = await dana.evaluate(REP_STATE)
    assert state["id"] and state["peers"] == 1
    return dana, visitor, str(state["id"])


async def _held_and_connected(page: Any) -> dict[str, Any]:
    """This console tab holds the call and its peer connection is connected."""
    await page.wait_for_function(
        f"() => {{ const s = {REP_STATE}; return !!s.id && s.peer === 'connected'; }}",
        timeout=20_000,
        polling=100,
    )
    return dict(await page.evaluate(REP_STATE))


async def _new_peer_connection(page: Any, state: str, made: int) -> None:
    await page.wait_for_function(
        f"(made) => {state}.peers > made", arg=made, timeout=20_000, polling=100
    )


async def test_a_rep_who_reloads_the_console_mid_call_rejoins_it_by_itself_and_media_flows_again(
    env: ConsoleEnv,
) -> None:
    dana, visitor, call_id = await _video_call(env)
    leg = (await dana.evaluate(REP_STATE))["leg"]
    visitor_peers = (await visitor.evaluate(VISITOR_STATE))["peers"]
    url = dana.url
    await dana.reload()
    # Nobody clicks anything: the console joins the same call again from the same tab, with a
    # new peer connection, and the visitor's messenger answers its new offer.
    await expect(dana).to_have_url(url)
    again = await _held_and_connected(dana)
    await expect(rep_status(dana)).to_contain_text("Connected")
    assert (again["id"], again["leg"], again["peers"]) == (call_id, leg, 1)
    await _new_peer_connection(visitor, VISITOR_STATE, visitor_peers)
    rep_in = await media_flows(dana, REP_STATS)
    visitor_in = await media_flows(visitor, VISITOR_STATS)
    assert rep_in["video"] > 0 and visitor_in["video"] > 0
    assert (await visitor.evaluate(VISITOR_STATE))["id"] == call_id
    await expect(visitor_status(visitor)).to_contain_text("On a call with Dana Reyes")
    # Still one call: it is live, and ending it ends it for both.
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")
    await expect(dana.get_by_role("log", name="Transcript")).to_contain_text(
        re.compile(r"Video call with Dana Reyes, \d+ s, ended by the rep\.")
    )


async def test_a_second_console_tab_does_not_take_the_call_unless_the_rep_moves_it_there(
    env: ConsoleEnv,
) -> None:
    dana, visitor, call_id = await _video_call(env)
    # The same rep, the same browser, another tab on the same conversation.
    second = await dana.context.new_page()
    await second.goto(dana.url)
    box = second.get_by_role("region", name="Voice and video")
    await expect(box).to_contain_text("This call is connected in another window.")
    move = box.get_by_role("button", name="Move the call here")
    await expect(move).to_be_visible()
    await env.shot(second, "call-console-other-window-1280x800")
    # The first tab keeps the call: its media still flows, nothing moved by itself.
    await media_flows(dana, REP_STATS)
    assert (await second.evaluate(REP_STATE))["id"] is None
    # The rep moves it: the second tab connects, the first lets go and says so.
    visitor_peers = (await visitor.evaluate(VISITOR_STATE))["peers"]
    await move.click()
    await _held_and_connected(second)
    await expect(rep_status(second)).to_contain_text("Connected")
    await _new_peer_connection(visitor, VISITOR_STATE, visitor_peers)
    await media_flows(second, REP_STATS)
    await media_flows(visitor, VISITOR_STATS)
    assert (await second.evaluate(REP_STATE))["id"] == call_id
    first_box = dana.get_by_role("region", name="Voice and video")
    await expect(first_box.get_by_role("alert")).to_contain_text(
        "This call moved to another window."
    )
    await expect(first_box).to_contain_text("This call is connected in another window.")
    assert (await dana.evaluate(REP_STATE))["id"] is None
    await second.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")


async def test_the_call_goes_on_while_the_rep_moves_around_the_console(env: ConsoleEnv) -> None:
    dana, visitor, call_id = await _video_call(env)
    conversation_url = dana.url
    bar = dana.get_by_role("region", name="Your call")
    # Single-page moves (no page load): the live stream, the conversation list, an admin page.
    await dana.get_by_role("link", name="Live stream").click()
    await expect(dana).to_have_url(re.compile(r"/app/live$"))
    await expect(bar).to_contain_text(re.compile(r"On a call with .+ · \d+:\d\d"))
    await env.shot(dana, "call-console-strip-1280x800")
    await media_flows(dana, REP_STATS)
    await media_flows(visitor, VISITOR_STATS)
    await dana.get_by_role("link", name=re.compile("^Conversations")).click()
    await expect(dana).to_have_url(re.compile(r"/app/conversations$"))
    await expect(bar).to_be_visible()
    await dana.evaluate(
        "() => { history.pushState(null, '', '/app/admin/calls');"
        " dispatchEvent(new PopStateEvent('popstate')); }"
    )
    await expect(dana).to_have_url(re.compile(r"/app/admin/calls$"))
    await expect(bar).to_be_visible()
    await media_flows(dana, REP_STATS)
    await media_flows(visitor, VISITOR_STATS)
    # The same peer connection all along, and its sound plays in the console's audio element.
    state = await dana.evaluate(REP_STATE)
    assert (state["id"], state["peers"], state["peer"]) == (call_id, 1, "connected")
    playing = await dana.evaluate(
        "() => { const a = document.querySelector('audio[data-call-audio]');"
        " return !!a && !a.paused && !!a.srcObject"
        " && a.srcObject.getAudioTracks().some((t) => t.readyState === 'live'); }"
    )
    assert playing is True
    # Mute from the strip reaches the visitor; back to the call, the video box has it.
    await bar.get_by_role("button", name="Mute").click()
    await expect(bar.get_by_role("button", name="Unmute")).to_be_visible()
    await dana.set_viewport_size({"width": 390, "height": 844})
    await env.shot(dana, "call-console-strip-390x844")
    await dana.set_viewport_size({"width": 1280, "height": 800})
    await bar.get_by_role("button", name="Back to the call").click()
    await expect(dana).to_have_url(conversation_url)
    await expect(bar).to_have_count(0)
    await expect(rep_status(dana)).to_contain_text("Connected")
    await expect(
        dana.get_by_role("region", name="Voice and video").get_by_role("button", name="Unmute")
    ).to_be_visible()
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")
