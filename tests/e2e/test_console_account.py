"""A rep's own account in the console (Debian's Chromium): changing the password signs out
every other browser of theirs and keeps this one; signing out everywhere ends them all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect
from tests.e2e.console_env import console_env as open_console_env
from tests.harness import PASSWORD

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def console_env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with open_console_env(sqlite_memory_backend, artifacts_dir, browser) as env:
        yield env


async def test_changing_my_password_keeps_this_console_and_signs_out_my_other_one(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    dana = env.reps[0]
    laptop, phone = await env.console(dana), await env.console(dana)
    await laptop.get_by_role("button", name="Profile menu").click()
    await laptop.get_by_role("button", name="Change password…").click()
    dialog = laptop.get_by_role("dialog", name="Change password")
    await dialog.get_by_label("Current password").fill("not my password")
    await dialog.get_by_label("New password").fill("a-brand-new-secret")
    await dialog.get_by_role("button", name="Change password").click()
    await expect(dialog.get_by_role("alert")).to_have_text("the current password is wrong")

    await dialog.get_by_label("Current password").fill(PASSWORD)
    await dialog.get_by_role("button", name="Change password").click()
    await expect(laptop.get_by_text("Password changed.")).to_be_visible()
    await expect(phone.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    await expect(laptop.get_by_role("status", name="Connection: Live")).to_be_visible()
    await env.shot(laptop, "console-password-changed")


async def test_signing_out_everywhere_ends_every_console_of_mine(console_env: ConsoleEnv) -> None:
    env = console_env
    dana = env.reps[0]
    laptop, phone = await env.console(dana), await env.console(dana)
    colleague = await env.console(env.reps[1])
    await phone.get_by_role("button", name="Profile menu").click()
    await phone.get_by_role("button", name="Sign out everywhere").click()
    await expect(phone.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    await expect(phone.get_by_role("status")).to_contain_text("every browser")
    await expect(laptop.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    await expect(colleague.get_by_role("status", name="Connection: Live")).to_be_visible()


async def test_an_admin_sets_the_team_address_and_opts_in_to_the_daily_summary(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    for width, height, name in ((1280, 800, "desktop"), (390, 844, "phone")):
        page = await env.console(env.admin, width=width, height=height)
        await page.get_by_role("button", name="Profile menu").click()
        await page.get_by_role("button", name="Email settings…").click()
        dialog = page.get_by_role("dialog", name="Email settings")
        await dialog.get_by_label("Team address for missed chats (optional)").fill("not an address")
        await dialog.get_by_role("button", name="Save").click()
        await expect(dialog.get_by_role("alert")).to_contain_text(
            "the team address must be one email address"
        )
        await dialog.get_by_label("Team address for missed chats (optional)").fill(
            "sales@northwind.example"
        )
        await dialog.get_by_label("Time zone of the daily summary").fill("Europe/Paris")
        await dialog.get_by_role("checkbox", name="Daily summary", exact=False).check()
        await env.shot(page, f"console-email-settings-{name}")
        await dialog.get_by_role("button", name="Save").click()
        await expect(page.get_by_text("Email settings saved.")).to_be_visible()
    client = await env.api(env.admin)
    status, body = await client.request("GET", "/api/admin/email-settings")
    assert body == {
        "team_address": "sales@northwind.example",
        "email_reps": True,
        "time_zone": "Europe/Paris",
    }
    status, body = await client.request("GET", "/api/me/email-preferences")
    assert body["daily_summary_email"] is True


async def test_a_rep_can_turn_off_missed_chat_emails_and_is_not_offered_the_summary(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    page = await env.console(env.reps[0])
    await page.get_by_role("button", name="Profile menu").click()
    await page.get_by_role("button", name="Email settings…").click()
    dialog = page.get_by_role("dialog", name="Email settings")
    box = dialog.get_by_label("Email me about missed chats routed to me")
    await expect(box).to_be_checked()
    await expect(dialog.get_by_role("checkbox", name="Daily summary", exact=False)).to_have_count(0)
    await expect(dialog.get_by_text("Your team (admins)")).to_have_count(0)
    await box.uncheck()
    await dialog.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Email settings saved.")).to_be_visible()
    status, body = await (await env.api(env.reps[0])).request("GET", "/api/me/email-preferences")
    assert body == {"missed_chat_emails": False, "daily_summary_email": False}
