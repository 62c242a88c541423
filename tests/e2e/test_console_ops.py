"""Admin -> API tokens and Admin -> Audit log in the console, in Debian's Chromium: a token is
made and shown once, works from a script, is revoked and stops working; the audit log lists
both changes. Screenshots at 1280x800 and 390x844."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
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


async def script_status(env: ConsoleEnv, token: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            env.server.url + "/api/shortcuts", headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        return response.status


async def test_an_admin_makes_a_token_a_script_uses_it_the_admin_revokes_it_and_the_audit_log_says_so(
    env: ConsoleEnv,
) -> None:
    admin = await env.console(env.admin, width=1280, height=800)
    admin.on("dialog", lambda dialog: dialog.accept())
    await open_admin(admin, "API tokens")
    await expect(admin.get_by_text("No API tokens yet.")).to_be_visible()
    await admin.get_by_role("button", name="New token").click()
    form = admin.get_by_role("form", name="New API token")
    await form.get_by_label("Name").fill("CRM sync")
    await form.get_by_label("Write", exact=False).check()
    await form.get_by_role("button", name="Make token").click()
    shown = admin.get_by_test_id("api-token")
    await expect(shown).to_be_visible()
    token = (await shown.text_content() or "").strip()
    assert token.startswith("fd_")
    row = admin.locator("tr", has_text="CRM sync")
    await expect(row).to_contain_text("read")
    await expect(row).to_contain_text("write")
    await expect(row).to_contain_text("Never")
    await env.shot(admin, "admin-api-tokens-1280")

    assert await script_status(env, token) == 200
    await admin.get_by_role("button", name="I've saved it").click()
    await expect(shown).to_have_count(0)
    await open_page(admin, env.server.url + "/app/admin/tokens", row)
    await expect(row).not_to_contain_text("Never")  # last used: just now
    await row.get_by_role("button", name="Revoke CRM sync").click()
    await expect(row).to_contain_text("Revoked")
    assert await script_status(env, token) == 401

    await open_admin(admin, "Audit log")
    log = admin.get_by_role("table", name="Audit log")
    await expect(log.locator("tbody tr")).to_have_count(2)
    await expect(log.locator("tbody tr").first).to_contain_text("Revoke an API token")
    await expect(log.locator("tbody tr").nth(1)).to_contain_text("Make an API token")
    await expect(log).to_contain_text("Avery Admin")
    await env.shot(admin, "admin-audit-log-1280")

    # The same console on a phone's screen.
    phone = admin
    await phone.set_viewport_size({"width": 390, "height": 844})
    for section, name in (("tokens", "admin-api-tokens-390"), ("audit", "admin-audit-log-390")):
        await phone.goto(env.server.url + f"/app/admin/{section}")
        await expect(phone.locator("table.stack-table tbody tr").first).to_be_visible()
        await env.shot(phone, name)


async def test_an_admin_erases_a_visitor_from_visitor_360(env: ConsoleEnv) -> None:
    site = await env.visitor_page("/pricing.html")
    # The launcher shows once the welcome arrived: the visitor is in the live state by then.
    await expect(site.get_by_role("button", name="Open chat")).to_be_visible(timeout=15_000)
    [visitor] = await env.server.runtime.live.list_org(env.org.id)
    admin = await env.console(env.admin, width=1280, height=800)
    admin.on("dialog", lambda dialog: dialog.accept())
    privacy = admin.get_by_role("region", name="Privacy")
    await open_page(admin, env.server.url + f"/app/visitors/{visitor.visitor_id}", privacy)
    await privacy.scroll_into_view_if_needed()
    await expect(privacy.get_by_role("button", name="Export data")).to_be_visible()
    await env.shot(admin, "visitor-360-privacy-1280")
    # (Below 1080 px the console hides Visitor 360 altogether, so no phone screenshot here.)

    async with admin.expect_download() as download:
        await privacy.get_by_role("button", name="Export data").click()
    assert (await download.value).suggested_filename == f"visitor-{visitor.visitor_id}.json"
    await privacy.get_by_role("button", name="Erase visitor").click()
    await expect(admin.get_by_text("were erased")).to_be_visible()
    _, visitor_360 = await (await env.api(env.admin)).request(
        "GET", f"/api/visitors/{visitor.visitor_id}"
    )
    assert visitor_360["error"]["code"] == "not_found"
