"""The rep's console takes the visitor's phone into the browser call (join by phone): only
when a phone leg names the call this console holds does it load Twilio's Voice SDK (its own
chunk), get an Access Token from the server and register; then it accepts the incoming Twilio
call whose custom parameter names that leg, and no other, and the video box says "Visitor on
the phone".

The SDK is stubbed at its boundary here (the chunk's URL answers a stand-in `Device`): the
media leg through Twilio cannot be tested on this machine (no internet). What is real: the
console, the server, the token, the phone leg from the fake Twilio API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    console_env,
    expect,
    inbox_row,
    open_inbox,
)
from tests.e2e.test_calls_e2e import media_browser, media_chromium  # noqa: F401 (fixtures)
from tests.support.fake_twilio import FakeTwilio
from tests.support.ports import ReservedPort

pytest.importorskip("playwright.async_api")
pytestmark = [*(m for m in BROWSER_MARKS if m.name != "timeout"), pytest.mark.timeout(150)]

SID = "AC" + "e5" * 16
TOKEN = "c0de" * 8
KEY_SID = "SK" + "f6" * 16
KEY_SECRET = "k3y5ecret" * 4

# Twilio's Device, as far as the console uses it: records what it is given, and `ring()` plays
# an incoming call with these custom parameters (what Twilio does for <Dial><Client>).
STUB_DEVICE = """
export class Device {
  constructor(token, options) {
    this.token = token; this.options = options; this.handlers = {}; this.registered = false;
    this.destroyed = false; window.__twilioDevices = [...(window.__twilioDevices || []), this];
  }
  on(event, fn) { (this.handlers[event] = this.handlers[event] || []).push(fn); }
  async register() { this.registered = true; }
  updateToken(token) { this.token = token; }
  destroy() { this.destroyed = true; }
  ring(params) {
    const call = {
      customParameters: new Map(Object.entries(params)), accepted: false, rejected: false,
      handlers: {}, accept() { this.accepted = true; }, reject() { this.rejected = true; },
      disconnect() { this.disconnected = true; }, on(e, f) { this.handlers[e] = f; },
    };
    (this.handlers.incoming || []).forEach((f) => f(call));
    return { accepted: call.accepted, rejected: call.rejected };
  }
}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio({SID: TOKEN})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend,
    artifacts_dir: Path,
    media_browser: TestBrowser,  # noqa: F811 (the fixture imported above)
    twilio: FakeTwilio,
) -> AsyncIterator[ConsoleEnv]:
    port = ReservedPort()
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        media_browser,
        port=port,
        public_url=f"http://127.0.0.1:{port.port}",
        twilio_api_url=twilio.url,
    ) as e:
        yield e


async def set_up_phone(env: ConsoleEnv) -> None:
    admin = await env.api(env.admin)
    status, body = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {
            "provider": "twilio",
            "account_sid": SID,
            "auth_token": TOKEN,
            "api_key_sid": KEY_SID,
            "api_key_secret": KEY_SECRET,
            "caller_number": "+12125550100",
            "connect_number": "+442079460958",
            "allowed_regions": ["GB"],
        },
    )
    assert status == 200 and body["settings"]["browser_bridge"], body


async def stub_the_sdk(console: Any) -> list[str]:
    """Twilio's SDK chunk answers the stand-in Device; the chunk's requests are recorded."""
    chunk_requests: list[str] = []
    console.on(
        "request",
        lambda r: chunk_requests.append(r.url) if "/static/console/twilio." in r.url else None,
    )
    await console.route(
        re.compile(r".*/static/console/twilio\.[A-Z0-9]+\.js$"),
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=STUB_DEVICE),
    )
    return chunk_requests


async def test_the_console_accepts_only_the_twilio_call_that_names_its_phone_leg(
    env: ConsoleEnv, twilio: FakeTwilio
) -> None:
    await set_up_phone(env)
    dana = env.reps[0]
    rep = await env.api(dana)
    assert (await rep.request("PATCH", "/api/me/status", {"voice_video_enabled": True}))[0] == 200
    console = await env.console(dana, available=True, width=1280, height=800)
    chunk_requests = await stub_the_sdk(console)

    async with env.visitor_socket() as visitor:
        await visitor.send({"type": "message", "client_id": "m", "body": "Call me please"})
        conversation_id = (await visitor.expect("ack"))["message"]["conversation_id"]
        assert (await rep.request("POST", f"/api/conversations/{conversation_id}/accept"))[0] == 200
        await console.goto(f"{env.server.url}/app/conversations/{conversation_id}")
        await console.get_by_role("button", name="Voice call").click()
        call = (await visitor.expect("call", 15.0, call__state="requested"))["call"]
        await visitor.send(
            {"type": "call_accept", "call_id": call["id"], "media": "audio", "tab_id": "t"}
        )
        await visitor.expect("call", 15.0, call__state="connecting")
        # No phone yet: the SDK is not loaded.
        await console.wait_for_timeout(500)
        assert chunk_requests == []

        # The visitor asks to be called on their phone, for this call.
        await visitor.send(
            {
                "type": "phone_join",
                "client_id": "p",
                "number": "+44 7400 123456",
                "call_id": call["id"],
            }
        )
        leg = (await visitor.expect("phone_leg", client_id="p"))["leg"]
        await console.wait_for_function(
            "() => (window.__twilioDevices || []).some((d) => d.registered)", timeout=10_000
        )
        assert len(chunk_requests) == 1
        device_token = await console.evaluate("window.__twilioDevices[0].token")
        claims = jwt.decode(device_token, KEY_SECRET, algorithms=["HS256"])
        assert claims["iss"] == KEY_SID and claims["sub"] == SID
        assert claims["grants"]["voice"] == {"incoming": {"allow": True}}
        box = console.get_by_role("status", name="Visitor's phone")
        await expect(box).to_have_text("Calling the visitor's phone…")

        # Twilio rings this client: a call naming another leg (or none) is refused...
        for params in ({"frontdesk_leg": "0" * 32}, {}):
            rang = await console.evaluate("(p) => window.__twilioDevices[0].ring(p)", params)
            assert rang == {"accepted": False, "rejected": True}, params
        # ...the one naming this leg is taken, and the box says the visitor is on the phone.
        rang = await console.evaluate(
            "(p) => window.__twilioDevices[0].ring(p)", {"frontdesk_leg": leg["id"]}
        )
        assert rang == {"accepted": True, "rejected": False}
        await expect(box).to_have_text("Visitor on the phone")
        # A second call for the same leg while one is on: refused too.
        rang = await console.evaluate(
            "(p) => window.__twilioDevices[0].ring(p)", {"frontdesk_leg": leg["id"]}
        )
        assert rang == {"accepted": False, "rejected": True}
        await env.shot(console, "console-phone-bridge-1280x800")

        # The rep ends the browser call: the Twilio client goes with it.
        await console.get_by_role("button", name="End call").click()
        await console.wait_for_function("() => window.__twilioDevices[0].destroyed")
    await console.context.close()


async def test_a_visitor_in_a_browser_call_joins_by_phone_and_the_rep_takes_it_in_the_console(
    env: ConsoleEnv, twilio: FakeTwilio
) -> None:
    """The whole way with the real messenger: the phone input on the call screen names the
    call, the answered phone is dialled to the rep's client, the console takes it."""
    await set_up_phone(env)
    dana = await env.console(env.reps[0], available=True, width=1280, height=800)
    await stub_the_sdk(dana)
    visitor = await env.visitor_page("/pricing.html")
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill("Can we talk on the phone?")
    await visitor.get_by_role("button", name="Send message").click()
    await open_inbox(dana, "Incoming")
    await (
        inbox_row(dana, "Can we talk on the phone?")
        .get_by_role("button", name=re.compile("^Accept chat"))
        .click()
    )
    await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
    await dana.get_by_role("button", name="Voice call").click()
    await visitor.get_by_role("button", name="Join with audio").click()
    await expect(dana.get_by_role("status", name="Call status")).to_contain_text(
        "Connected", timeout=20_000
    )

    # On the call screen: "Call my phone instead".
    await visitor.get_by_role("button", name="Call my phone instead").click()
    await visitor.get_by_label("Your phone number").fill("+44 7400 123456")
    await env.shot(visitor, "widget-phone-in-call-1280x800")
    await visitor.get_by_role("button", name="Call me").click()
    await expect(visitor.locator(".ph-state")).to_have_text("Calling +447400123456…")
    (sid,) = twilio.calls
    await dana.wait_for_function(
        "() => (window.__twilioDevices || []).some((d) => d.registered)", timeout=10_000
    )
    await twilio.send_status(sid, "ringing")
    await expect(visitor.locator(".ph-state")).to_contain_text("Your phone is ringing")

    # Answered: Twilio is told to ring Dana's client, naming the leg; her console takes it.
    status, twiml = await twilio.answer(sid)
    assert status == 200
    found = re.search(
        r'<Client><Identity>(rep_[0-9a-f]{32})</Identity><Parameter name="frontdesk_leg" '
        r'value="([0-9a-f]{32})"/></Client>',
        twiml,
    )
    assert found, twiml
    identity, leg_id = found.groups()
    token = await dana.evaluate("window.__twilioDevices[0].token")
    assert jwt.decode(token, KEY_SECRET, algorithms=["HS256"])["grants"]["identity"] == identity
    rang = await dana.evaluate(
        "(p) => window.__twilioDevices[0].ring(p)", {"frontdesk_leg": leg_id}
    )
    assert rang == {"accepted": True, "rejected": False}
    await expect(dana.get_by_role("status", name="Visitor's phone")).to_have_text(
        "Visitor on the phone"
    )
    await expect(visitor.locator(".ph-state")).to_have_text(
        "Connected: you're talking on your phone."
    )
    # The visitor's browser microphone went quiet in the call: the phone carries their voice.
    await expect(visitor.get_by_role("button", name="Unmute")).to_be_visible()
    await env.shot(visitor, "widget-phone-in-call-connected-1280x800")
    await visitor.set_viewport_size({"width": 390, "height": 844})
    await env.shot(visitor, "widget-phone-in-call-connected-390x844")
    await env.shot(dana, "console-phone-in-call-1280x800")

    # The phone hangs up: both say so.
    await twilio.send_status(sid, "completed", duration=12)
    await expect(visitor.locator(".ph-state")).to_have_text("The call to your phone has ended.")
    await expect(dana.get_by_role("status", name="Visitor's phone")).to_have_text(
        "The visitor's phone hung up"
    )
