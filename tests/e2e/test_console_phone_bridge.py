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

import jwt
import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, console_env, expect, free_port
from tests.e2e.test_calls_e2e import media_browser, media_chromium  # noqa: F401 (fixtures)
from tests.support.fake_twilio import FakeTwilio

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
    port = free_port()
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        media_browser,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        twilio_api_url=twilio.url,
    ) as e:
        yield e


async def test_the_console_accepts_only_the_twilio_call_that_names_its_phone_leg(
    env: ConsoleEnv, twilio: FakeTwilio
) -> None:
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
    dana = env.reps[0]
    rep = await env.api(dana)
    assert (await rep.request("PATCH", "/api/me/status", {"voice_video_enabled": True}))[0] == 200
    console = await env.console(dana, available=True, width=1280, height=800)
    chunk_requests: list[str] = []
    console.on(
        "request",
        lambda r: chunk_requests.append(r.url) if "/static/console/twilio." in r.url else None,
    )
    await console.route(
        re.compile(r".*/static/console/twilio\.[A-Z0-9]+\.js$"),
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=STUB_DEVICE),
    )

    async with env.visitor_socket() as visitor:
        await visitor.send({"type": "message", "client_id": "m", "body": "Call me please"})
        conversation_id = (await visitor.expect("ack"))["message"]["conversation_id"]
        assert (await rep.request("POST", f"/api/conversations/{conversation_id}/accept"))[0] == 200
        await console.goto(f"{env.server.url}/app/conversations/{conversation_id}")
        await console.get_by_role("button", name="Voice call").click()
        call = (await visitor.expect("call", call__state="requested"))["call"]
        await visitor.send(
            {"type": "call_accept", "call_id": call["id"], "media": "audio", "tab_id": "t"}
        )
        await visitor.expect("call", call__state="connecting")
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
