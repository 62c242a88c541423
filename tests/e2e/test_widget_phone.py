""" "Call my phone instead" in the messenger, in Chromium, against the local fake of Twilio's
API: next to "Call us", a visitor types their number; Twilio is asked to ring it; the messenger
shows ringing, connected and ended as Twilio's signed callbacks come in, and a hang-up button;
refusals (an invalid number, a country not allowed, the limit) are said in plain words.
Screenshots at 1280x800 and 390x844 (and in Arabic, right to left) go to test-artifacts/."""

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
from tests.support.fake_twilio import FakeTwilio
from tests.support.ports import ReservedPort

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

SID = "AC" + "d4" * 16
TOKEN = "7e57" * 8


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
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser, twilio: FakeTwilio
) -> AsyncIterator[ConsoleEnv]:
    port = ReservedPort()
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        browser,
        port=port,
        public_url=f"http://127.0.0.1:{port.port}",
        twilio_api_url=twilio.url,
    ) as e:
        yield e


async def set_up(env: ConsoleEnv, **phone: Any) -> None:
    """Phone join on (UK and US numbers, two calls per visitor an hour), and "Call us" offered
    to every visitor."""
    admin = await env.api(env.admin)
    status, body = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {
            "provider": "twilio",
            "account_sid": SID,
            "auth_token": TOKEN,
            "caller_number": "+12125550100",
            "connect_number": "+442079460958",
            "allowed_regions": ["GB", "US"],
            "visitor_limit": "2/hour",
            **phone,
        },
    )
    assert status == 200 and body["settings"]["phone_join_available"], body
    status, body = await admin.request("GET", "/api/segments")
    everyone = next(s["id"] for s in body["segments"] if s["name"] == "Everyone else")
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"calls": {"queue_segment_ids": [everyone]}}
    )
    assert status == 200, body
    # A rep at work, so the chat is not offline ("Call us" is offered while someone can answer).
    rep = await env.api(env.reps[0])
    status, body = await rep.request("PATCH", "/api/me/status", {"availability": "available"})
    assert status == 200, body


async def chatting(env: ConsoleEnv, viewport: dict[str, int], **options: Any) -> Any:
    visitor = await env.visitor_page("/pricing.html", viewport=viewport, **options)
    await visitor.get_by_role("button", name=re.compile("^(Open chat|فتح)")).first.click()
    await visitor.get_by_role("textbox").last.fill("Could you call me?")
    await visitor.keyboard.press("Enter")
    return visitor


def phone_status(visitor: Any) -> Any:
    return visitor.locator(".ph-state")


def phone_error(visitor: Any) -> Any:
    return visitor.locator(".ph-err")


async def test_a_visitor_is_called_on_their_phone_and_sees_it_ring_connect_and_end(
    env: ConsoleEnv, twilio: FakeTwilio
) -> None:
    await set_up(env)
    visitor = await chatting(env, {"width": 1280, "height": 800})
    offer = visitor.get_by_role("button", name="Call my phone instead")
    await expect(visitor.get_by_role("button", name="Call us")).to_be_visible()
    await expect(offer).to_be_visible()
    await offer.click()
    number = visitor.get_by_label("Your phone number")
    assert await number.get_attribute("type") == "tel"
    assert await number.get_attribute("autocomplete") == "tel"
    call_me = visitor.get_by_role("button", name="Call me")

    # Refusals, in plain words; Twilio is never asked.
    for typed, says in (
        ("020 7946 0958", "That isn't a valid phone number."),  # (checked in the page)
        ("+44 12", "That isn't a valid phone number."),  # (refused by the server)
        ("+33 1 23 45 67 89", "We can't call numbers in that country."),
        ("+44 909 879 0000", "We can only call landlines and mobiles"),
    ):
        await number.fill(typed)
        await call_me.click()
        await expect(phone_error(visitor)).to_contain_text(says)
    assert twilio.created_calls() == []
    await env.shot(visitor, "widget-phone-refused-1280x800")

    # An allowed number: Twilio is asked to ring it, and the messenger follows the call.
    await number.fill("+44 7400 123456")
    await call_me.click()
    await expect(phone_status(visitor)).to_have_text("Calling +447400123456…")
    await expect(phone_error(visitor)).to_be_hidden()
    (created,) = twilio.created_calls()
    assert created.value("To") == "+447400123456"
    (sid,) = twilio.calls
    assert await twilio.send_status(sid, "ringing") == 200
    await expect(phone_status(visitor)).to_have_text(
        "Your phone is ringing. Pick up to talk to us."
    )
    hang_up = visitor.get_by_role("button", name="Hang up")
    await expect(hang_up).to_be_visible()
    status, twiml = await twilio.answer(sid)
    assert status == 200 and "<Number>+442079460958</Number>" in twiml  # no browser call
    await expect(phone_status(visitor)).to_have_text("Connected: you're talking on your phone.")
    await env.shot(visitor, "widget-phone-connected-1280x800")
    assert await twilio.send_status(sid, "completed", duration=30) == 200
    await expect(phone_status(visitor)).to_have_text("The call to your phone has ended.")
    await expect(hang_up).to_be_hidden()

    # Again, and the visitor hangs up while it rings: Twilio is told to cancel it.
    await offer.click()
    await number.fill("+1 202 555 0147")
    await call_me.click()
    await expect(phone_status(visitor)).to_have_text("Calling +12025550147…")
    second = list(twilio.calls)[-1]
    await twilio.send_status(second, "ringing")
    await expect(phone_status(visitor)).to_contain_text("Your phone is ringing")
    await hang_up.click()
    await expect(phone_status(visitor)).to_have_text("The call to your phone has ended.")
    assert twilio.requests[-1].path.endswith(f"/Calls/{second}.json")
    assert twilio.requests[-1].form == [("Status", "canceled")]

    # A third call within the hour: the visitor's limit.
    await offer.click()
    await number.fill("+44 7400 123456")
    await call_me.click()
    await expect(phone_error(visitor)).to_have_text("Call limit reached. Please try again later.")
    assert len(twilio.created_calls()) == 2


async def test_the_phone_input_on_a_phone_screen_and_in_arabic(
    env: ConsoleEnv, twilio: FakeTwilio
) -> None:
    await set_up(env)
    visitor = await chatting(env, {"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    await visitor.get_by_role("button", name="Call my phone instead").click()
    number = visitor.get_by_label("Your phone number")
    await number.fill("+44 7400 123456")
    call_me = visitor.get_by_role("button", name="Call me")
    for element in (number, call_me, visitor.get_by_role("button", name="Call us")):
        box = await element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    await env.shot(visitor, "widget-phone-input-390x844")
    await call_me.click()
    await expect(phone_status(visitor)).to_have_text("Calling +447400123456…")
    await twilio.send_status(list(twilio.calls)[-1], "ringing")
    await expect(phone_status(visitor)).to_contain_text("Your phone is ringing")
    await env.shot(visitor, "widget-phone-ringing-390x844")
    await visitor.get_by_role("button", name="Hang up").click()
    await expect(phone_status(visitor)).to_have_text("The call to your phone has ended.")

    # In Arabic, right to left (the number itself stays left to right).
    arabic = await chatting(env, {"width": 390, "height": 844}, locale="ar")
    offer = arabic.get_by_role("button", name="اتصلوا بهاتفي بدلاً من ذلك")
    await offer.click()
    field = arabic.get_by_label("رقم هاتفك")
    assert await field.get_attribute("dir") == "ltr"
    await field.fill("+33 1 23 45 67 89")
    await arabic.get_by_role("button", name="اتصلوا بي").click()
    await expect(phone_error(arabic)).to_have_text("لا يمكننا الاتصال بأرقام في ذلك البلد.")
    await env.shot(arabic, "widget-phone-arabic-390x844")
