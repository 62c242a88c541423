"""Admin -> Privacy in the console, in Debian's Chromium: an admin sets a retention policy (a
policy that keeps page views longer than their visits is refused with the reason), truncated
IP addresses and Do Not Track; the settings stay after a reload and reach the API. Screenshots
at 1280x800 and 390x844."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

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
    open_page,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as environment:
        yield environment


async def test_an_admin_sets_retention_ip_addresses_and_do_not_track(env: ConsoleEnv) -> None:
    admin = await env.console(env.admin, width=1280, height=800)
    await open_admin(admin, "Privacy")
    form = admin.get_by_role("form", name="Privacy settings")
    await expect(form.get_by_label("Page views: days kept")).to_have_value("")
    await form.get_by_label("Page views: days kept").fill("90")
    await form.get_by_label("Visits: days kept").fill("30")
    await form.get_by_role("button", name="Save privacy settings").click()
    await expect(form.get_by_role("alert")).to_contain_text("page views go with their visit")

    await form.get_by_label("Visits: days kept").fill("180")
    await form.get_by_label("Chat transcripts: days kept").fill("365")
    await form.get_by_role("radio", name="Truncated (/24 and /48)").check()
    await form.get_by_role("switch", name="Honour Global Privacy Control and Do Not Track").click()
    await form.get_by_role("button", name="Save privacy settings").click()
    await expect(admin.get_by_text("Privacy settings saved.")).to_be_visible()
    await expect(form.get_by_role("alert")).to_have_count(0)
    await env.shot(admin, "admin-privacy-1280", full_page=True)

    _, org = await (await env.api(env.admin)).request("GET", "/api/org")
    assert org["privacy"] == {
        "retention": {
            "page_views_days": 90,
            "visits_days": 180,
            "transcripts_days": 365,
            "conversations_days": None,
            "visitors_days": None,
        },
        "ip_addresses": "truncated",
        "honour_gpc": True,
    }
    form = admin.get_by_role("form", name="Privacy settings")
    await open_page(admin, admin.url, form)
    await expect(form.get_by_label("Visits: days kept")).to_have_value("180")
    await expect(form.get_by_role("radio", name="Truncated (/24 and /48)")).to_be_checked()
    await expect(
        form.get_by_role("switch", name="Honour Global Privacy Control and Do Not Track")
    ).to_have_attribute("aria-checked", "true")

    await admin.set_viewport_size({"width": 390, "height": 844})
    await open_page(admin, env.server.url + "/app/admin/privacy", form)
    await env.shot(admin, "admin-privacy-390", full_page=True)
    overflow = await admin.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow, "the page scrolls sideways on a phone"
