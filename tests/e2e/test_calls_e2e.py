"""Voice and video calls between two real browsers (issue 15), in Debian's Chromium with fake
media devices: a rep-initiated video call and a visitor-initiated call reach "connected" and
each side's inbound audio and video byte counters grow (WebRTC getStats); End on either side
ends it for both; the visitor moves to another page mid-call and media flows again; the same
call relayed through a real coturn (started here, use-auth-secret, relay only), and a wrong or
expired TURN credential fails with a clear message. Screenshots of the console's video box and
the messenger's call at 1280x800 and 390x844 go to test-artifacts/.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ConsoleEnv,
    console_env,
    expect,
    inbox_row,
    open_admin,
    open_inbox,
    until_true,
)
from tests.support.coturn import CoturnMissing, running_coturn

pytest.importorskip("playwright.async_api")
# Calls take a few seconds each to set up on this 2-core machine: more time than other tests.
pytestmark = [*(m for m in BROWSER_MARKS if m.name != "timeout"), pytest.mark.timeout(150)]

# Fake camera and microphone (a test pattern and a beep), permission granted without a prompt,
# WebRTC allowed on loopback addresses, and sound without a click (the re-joined call).
MEDIA_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
REP_STATS = "window.__frontdeskCall.inbound()"
VISITOR_STATS = "window.__frontdeskBridge.call.inbound()"
TURN_SECRET = secrets.token_urlsafe(24)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def media_chromium(chromium: Any) -> AsyncIterator[Any]:
    """A second Chromium of the session's Playwright, launched with fake media devices."""
    launched = await chromium.browser_type.launch(executable_path=CHROMIUM, args=MEDIA_ARGS)
    try:
        yield launched
    finally:
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def media_browser(media_chromium: Any) -> AsyncIterator[TestBrowser]:
    scoped = TestBrowser(media_chromium)
    try:
        yield scoped
    finally:
        await scoped.close_all()


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, media_browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, media_browser) as e:
        yield e


# ---- a real coturn ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coturn() -> Iterator[int]:
    """Debian's coturn on 127.0.0.1 with use-auth-secret (tests/support/coturn.py); the port."""
    try:
        with running_coturn(TURN_SECRET) as port:
            yield port
    except CoturnMissing as missing:
        pytest.skip(str(missing))


def _turn(port: int, secret: str = TURN_SECRET) -> dict[str, Any]:
    return {
        "turn_urls": (f"turn:127.0.0.1:{port}?transport=udp",),
        "turn_secret": secret,
        "ice_transport_policy": "relay",
    }


# ---- steps -----------------------------------------------------------------------------------


async def _chat(env: ConsoleEnv, *, viewport: dict[str, int] | None = None) -> tuple[Any, Any]:
    """A visitor writes, Dana accepts; both pages on the conversation."""
    dana = await env.console(env.reps[0], available=True, width=1280, height=800)
    visitor = await env.visitor_page(
        "/pricing.html", **({"viewport": viewport} if viewport else {})
    )
    question = f"Can we talk it through? ({secrets.token_hex(3)})"
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill(question)
    await visitor.get_by_role("button", name="Send message").click()
    await open_inbox(dana, "Incoming")
    await inbox_row(dana, question).get_by_role("button", name=re.compile("^Accept chat")).click()
    await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
    return dana, visitor


def rep_status(dana: Any) -> Any:
    return dana.get_by_role("status", name="Call status")


def visitor_status(visitor: Any) -> Any:
    return visitor.locator(".cv-state")


async def media_flows(page: Any, stats: str) -> dict[str, Any]:
    """Inbound audio and video bytes on this page's peer connection grow past what they were."""
    first = await until_true(
        page, f"async () => {{ const s = await {stats}; return s.audio > 0 && s.video > 0 && s; }}"
    )
    grown = await until_true(
        page,
        f"async (first) => {{ const s = await {stats}; "
        "return s.audio > first.audio + 2000 && s.video > first.video + 20000 && s; }",
        first,
    )
    return dict(grown)


async def rep_calls_with_video(dana: Any, visitor: Any) -> None:
    await dana.get_by_role("button", name="Video call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes is calling you (video call)")
    await visitor.get_by_role("button", name="Join with video").click()
    await expect(rep_status(dana)).to_contain_text("Connected", timeout=20_000)
    await expect(visitor_status(visitor)).to_contain_text(
        "On a call with Dana Reyes", timeout=20_000
    )


# ---- tests -----------------------------------------------------------------------------------


async def test_a_rep_calls_a_visitor_with_video_media_flows_both_ways_and_the_visitor_ends_it_for_both(
    env: ConsoleEnv,
) -> None:
    dana, visitor = await _chat(env)
    # Before the call: the box offers voice and video, and says calls are not recorded.
    box = dana.get_by_role("region", name="Voice and video")
    await expect(box).to_contain_text("Calls are not recorded.")
    await env.shot(dana, "call-console-idle-1280x800")
    await rep_calls_with_video(dana, visitor)
    rep_in = await media_flows(dana, REP_STATS)
    visitor_in = await media_flows(visitor, VISITOR_STATS)
    assert rep_in["relay"] is False and visitor_in["relay"] is False  # direct on loopback
    await expect(dana.get_by_role("button", name="Mute")).to_be_visible()
    await env.shot(dana, "call-console-video-1280x800")
    await env.shot(visitor, "call-widget-video-1280x800")
    # Mute shows on the other side.
    await visitor.get_by_role("button", name="Mute").click()
    await expect(dana.locator('.vb-remote-state[aria-label*="microphone off"]')).to_be_visible()
    # The visitor ends it: both sides say so, and the transcript has the call.
    await visitor.get_by_role("button", name="End call").click()
    await expect(rep_status(dana)).to_contain_text("The visitor ended the call.")
    await expect(visitor_status(visitor)).to_contain_text("You ended the call.")
    await expect(dana.get_by_role("log", name="Transcript")).to_contain_text(
        re.compile(r"Video call with Dana Reyes, \d+ s, ended by the visitor\.")
    )
    await expect(dana.get_by_role("button", name="Mute")).to_have_count(0)


async def test_the_rep_ends_a_voice_call_and_it_ends_for_the_visitor_too(env: ConsoleEnv) -> None:
    dana, visitor = await _chat(env)
    await dana.get_by_role("button", name="Voice call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes is calling you")
    await expect(visitor.get_by_role("button", name="Join with video")).to_be_hidden()
    await visitor.get_by_role("button", name="Join with audio").click()
    await expect(rep_status(dana)).to_contain_text("Connected", timeout=20_000)
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")


async def test_a_visitor_asks_for_a_call_the_rep_allows_it_and_media_flows(
    env: ConsoleEnv,
) -> None:
    admin = await env.api(env.admin)
    status, _ = await admin.request(
        "PATCH", "/api/org/settings", {"calls": {"visitor_initiated": True}}
    )
    assert status == 200
    dana, visitor = await _chat(env)
    await visitor.get_by_role("button", name="Start a video call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes will be connecting soon")
    allow = dana.get_by_role("button", name="Allow visitor audio and video")
    await expect(allow).to_be_visible()
    await expect(dana.get_by_role("button", name="Allow audio only")).to_be_visible()
    await expect(dana.locator(".conv-row.call-waiting")).to_have_count(1)
    await env.shot(dana, "call-console-visitor-asks-1280x800")
    await env.shot(visitor, "call-widget-waiting-1280x800")
    await allow.click()
    await expect(rep_status(dana)).to_contain_text("Connected", timeout=20_000)
    await media_flows(dana, REP_STATS)
    await media_flows(visitor, VISITOR_STATS)
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("ended the call")


async def test_the_visitor_moves_to_another_page_mid_call_and_media_flows_again(
    env: ConsoleEnv,
) -> None:
    dana, visitor = await _chat(env)
    await rep_calls_with_video(dana, visitor)
    await media_flows(visitor, VISITOR_STATS)
    # A full page load: the messenger joins the same call again by itself, and Dana's console
    # offers again without Dana doing anything.
    await visitor.goto(env.site + "/index.html")
    await expect(visitor_status(visitor)).to_contain_text(
        "On a call with Dana Reyes", timeout=20_000
    )
    await media_flows(visitor, VISITOR_STATS)
    await media_flows(dana, REP_STATS)
    await expect(rep_status(dana)).to_contain_text("Connected")
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")


async def test_a_refused_camera_gives_a_clear_message_and_sends_nothing(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> None:
    # The session's Chromium has no fake devices and grants nothing: the browser says no.
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as e:
        dana = await e.console(e.reps[0], available=True, width=1280, height=800)
        visitor = await e.visitor_page("/pricing.html")
        await visitor.get_by_role("button", name="Open chat").click()
        await visitor.get_by_role("textbox", name="Message").fill("hi")
        await visitor.get_by_role("button", name="Send message").click()
        await open_inbox(dana, "Incoming")
        await inbox_row(dana, "hi").get_by_role("button", name=re.compile("^Accept chat")).click()
        await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
        await dana.get_by_role("button", name="Video call").click()
        alert = dana.get_by_role("region", name="Voice and video").get_by_role("alert")
        await expect(alert).to_contain_text(
            re.compile("refused access|No camera|couldn't start", re.I)
        )
        # Nothing started: no call frame ever reached the visitor.
        await expect(visitor.locator(".cv-state")).to_have_text("")


async def test_a_call_through_a_real_turn_server_with_per_call_credentials(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,
    coturn: int,
) -> None:
    async with console_env(
        sqlite_memory_backend, artifacts_dir, media_browser, **_turn(coturn)
    ) as e:
        dana, visitor = await _chat(e)
        await rep_calls_with_video(dana, visitor)
        rep_in = await media_flows(dana, REP_STATS)
        visitor_in = await media_flows(visitor, VISITOR_STATS)
        assert rep_in["relay"] is True and visitor_in["relay"] is True
        await dana.get_by_role("button", name="End call").click()
        await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")


async def test_a_wrong_turn_credential_fails_with_a_clear_message(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,
    coturn: int,
) -> None:
    async with console_env(
        sqlite_memory_backend, artifacts_dir, media_browser, **_turn(coturn, "not-the-secret")
    ) as e:
        dana, visitor = await _chat(e)
        await dana.get_by_role("button", name="Voice call").click()
        await visitor.get_by_role("button", name="Join with audio").click()
        alert = dana.get_by_role("region", name="Voice and video").get_by_role("alert")
        await expect(alert).to_contain_text(
            "the relay (TURN) server refused the call's credentials", timeout=30_000
        )
        await expect(visitor_status(visitor)).to_contain_text("The call could not continue")


async def test_an_expired_turn_credential_fails_with_a_clear_message(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,
    coturn: int,
) -> None:
    async with console_env(
        sqlite_memory_backend, artifacts_dir, media_browser, **_turn(coturn)
    ) as e:
        dana, visitor = await _chat(e)
        # The server's clock runs two hours behind: credentials minted now expired long ago.
        e.server.clock.advance(-2 * 3600)  # type: ignore[attr-defined]
        await dana.get_by_role("button", name="Voice call").click()
        await visitor.get_by_role("button", name="Join with audio").click()
        alert = dana.get_by_role("region", name="Voice and video").get_by_role("alert")
        await expect(alert).to_contain_text("refused the call's credentials", timeout=30_000)


async def test_screenshots_of_the_call_at_390x844(env: ConsoleEnv) -> None:
    dana, visitor = await _chat(env, viewport={"width": 390, "height": 844})
    await dana.set_viewport_size({"width": 390, "height": 844})
    await dana.get_by_role("button", name="Video call").click()
    await expect(visitor_status(visitor)).to_contain_text("is calling you")
    await env.shot(visitor, "call-widget-incoming-390x844")
    await visitor.get_by_role("button", name="Join with video").click()
    await expect(visitor_status(visitor)).to_contain_text("On a call with", timeout=20_000)
    await media_flows(visitor, VISITOR_STATS)
    await env.shot(visitor, "call-widget-video-390x844")
    await env.shot(dana, "call-console-video-390x844")
    await visitor.get_by_role("button", name="End call").click()
    await expect(rep_status(dana)).to_contain_text("ended the call")


async def test_an_admin_lets_visitors_start_calls_and_sees_the_turn_settings_without_the_secret(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,
) -> None:
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        media_browser,
        stun_urls=("stun:turn.example.com:3478",),
        turn_urls=("turn:turn.example.com:3478?transport=udp",),
        turn_secret=TURN_SECRET,
    ) as e:
        admin = await e.console(e.admin, width=1280, height=800)
        await open_admin(admin, "Voice & video")
        switch = admin.get_by_role("switch", name="Visitors can start calls from the messenger")
        await expect(switch).to_have_attribute("aria-checked", "false")
        await switch.click()
        await expect(switch).to_have_attribute("aria-checked", "true")
        settings = admin.get_by_label("ICE settings")
        await expect(settings).to_contain_text("turn:turn.example.com:3478?transport=udp")
        await expect(settings).to_contain_text("Set")
        assert TURN_SECRET not in await admin.content()
        await e.shot(admin, "call-admin-1280x800")
        await admin.set_viewport_size({"width": 390, "height": 844})
        await e.shot(admin, "call-admin-390x844", full_page=True)
        # The next visitor's messenger offers calls once a rep has the chat.
        dana, visitor = await _chat(e)
        await expect(visitor.get_by_role("button", name="Start a video call")).to_be_visible()
        await expect(visitor.get_by_role("button", name="Start a voice call")).to_be_visible()


async def test_a_voice_call_turns_into_video_when_the_rep_turns_the_camera_on(
    env: ConsoleEnv,
) -> None:
    dana, visitor = await _chat(env)
    await dana.get_by_role("button", name="Voice call").click()
    await visitor.get_by_role("button", name="Join with audio").click()
    await expect(rep_status(dana)).to_contain_text("Connected", timeout=20_000)
    # No renegotiation: the camera goes onto the video transceiver the call always has.
    await dana.get_by_role("button", name="Turn camera on").click()
    await expect(dana.get_by_label("Your video")).to_be_visible()
    await until_true(visitor, f"async () => (await {VISITOR_STATS}).video > 20000")
    await expect(visitor.get_by_label("Video from the team")).to_be_visible()
    await dana.get_by_role("button", name="End call").click()
    await expect(visitor_status(visitor)).to_contain_text("Dana Reyes ended the call.")
