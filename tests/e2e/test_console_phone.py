"""Admin -> Phone in the console: an admin sets up join by phone with clear errors, the auth
token is never shown again, and a visitor's messenger is then told to offer it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    console_env,
    expect,
    open_admin,
)
from tests.support.fake_twilio import FakeTwilio
from tests.support.ports import ReservedPort

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

SID = "AC" + "c3" * 16
TOKEN = "9a8b" * 8
KEY_SID = "SK" + "d7" * 16
KEY_SECRET = "Secr3tKey" * 4


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    # Twilio must reach Frontdesk's callback URL: the server knows its public URL. Saving
    # credentials asks (the fake) Twilio whether they work.
    twilio = FakeTwilio({SID: TOKEN})
    await twilio.start()
    port = ReservedPort()
    try:
        async with console_env(
            sqlite_memory_backend,
            artifacts_dir,
            browser,
            port=port,
            public_url=f"http://127.0.0.1:{port.port}",
            twilio_api_url=twilio.url,
        ) as e:
            yield e
    finally:
        await twilio.stop()


async def shots(env: ConsoleEnv, page: Any, name: str, top: Any, bottom: Any) -> None:
    """The section's top and bottom at 1280x800, then the same on a phone (390x844)."""
    for width, height, suffix in ((1280, 800, ""), (390, 844, "-mobile")):
        await page.set_viewport_size({"width": width, "height": height})
        await top.scroll_into_view_if_needed()
        await env.shot(page, f"{name}{suffix}")
        await bottom.scroll_into_view_if_needed()
        await env.shot(page, f"{name}-bottom{suffix}")
    await page.set_viewport_size({"width": 1280, "height": 800})


async def test_an_admin_sets_up_join_by_phone_with_clear_errors(env: ConsoleEnv) -> None:
    admin = await env.console(env.admin, width=1280, height=800)
    await open_admin(admin, "Phone")
    form = admin.get_by_role("form", name="Phone settings")
    status = form.get_by_role("status", name="Phone join status")
    await expect(status).to_have_text("Off: No phone provider is set.")
    await expect(form).to_contain_text("rings the console of the rep on that call")

    await form.get_by_label("Provider").select_option("twilio")
    await form.get_by_label("Account SID").fill("AC123")
    await form.get_by_label("Auth token").fill(TOKEN)
    await form.get_by_label("Call from").fill("+1 212 555 0100")
    await form.get_by_label("Connect answered calls to").fill("020 7946 0958")
    await form.get_by_label("Calls per visitor").fill("many")
    await form.get_by_role("button", name="Save phone settings").click()
    await expect(form.get_by_label("Account SID")).to_have_attribute("aria-invalid", "true")
    await expect(form).to_contain_text("a Twilio account SID is AC followed by 32 letters")
    await expect(form).to_contain_text("Write the number in international form")
    await expect(form).to_contain_text("is not a rate limit")
    await expect(form.get_by_role("alert")).to_have_text(
        "3 settings need fixing: see the fields marked in red. Nothing was saved."
    )
    save = form.get_by_role("button", name="Save phone settings")
    await shots(env, admin, "admin-phone-errors", status, save)

    await form.get_by_label("Account SID").fill(SID)
    await form.get_by_label("Call from").fill("+1 212 555 0100")
    await form.get_by_label("Connect answered calls to").fill("+44 20 7946 0958")
    await form.get_by_label("Calls per visitor").fill("3/hour; 5/day")
    await form.get_by_label("Add a country").select_option("GB")
    await form.get_by_label("Add a country").select_option("US")
    # An API key: answered phones of a browser call ring the rep's console (the secret is
    # write-only too).
    await form.get_by_label("API key SID").fill(KEY_SID)
    await form.get_by_label("API key secret").fill(KEY_SECRET)
    allowed = form.get_by_role("list", name="Allowed countries")
    await expect(allowed).to_contain_text("United Kingdom (+44)")
    await expect(allowed).to_contain_text("United States (+1)")
    await form.get_by_role("button", name="Save phone settings").click()
    await expect(status).to_have_text("On: visitors are offered a call to their phone.")
    # The token is write-only: the field is empty again and only its last four show.
    await expect(form.get_by_label("Auth token")).to_have_value("")
    await expect(form).to_contain_text("Stored (…" + TOKEN[-4:] + ")")
    assert TOKEN not in await admin.content()
    await expect(form.get_by_label("API key secret")).to_have_value("")
    await expect(form).to_contain_text("Stored (…" + KEY_SECRET[-4:] + ")")
    await expect(form).to_contain_text("answered phones of a browser call ring the rep's console")
    assert KEY_SECRET not in await admin.content()
    await expect(form).to_contain_text(
        re.compile(rf"/api/telephony/twilio/{env.org.id}/legs/\{{leg_id\}}/status")
    )
    await shots(env, admin, "admin-phone", status, save)

    async with env.visitor_socket() as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["phone_join_available"] is True

    # Switched off, visitors are no longer offered it.
    await form.get_by_label("Provider").select_option("none")
    await form.get_by_role("button", name="Save phone settings").click()
    await expect(status).to_have_text("Off: No phone provider is set.")
