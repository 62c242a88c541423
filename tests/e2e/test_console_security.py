"""The console works under its Content-Security-Policy (issue 12), in Debian's Chromium.

A rep signs in, watches a visitor of the demo site arrive (its page thumbnail and favicon come
from the website), chats with them (a markdown message with an image through the image proxy),
and an admin opens the admin pages: the browser reports no CSP violation and no console error
about one, while the visitor's widget keeps loading cross-origin from the server. And a person
whose email is a rep of two orgs, with the same password, picks the org at sign-in.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    Login,
    expect,
    new_marker,
    open_admin,
    visitor_card,
)
from tests.harness import PASSWORD

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


async def _watched_console(env: ConsoleEnv, login: Login, errors: list[str]) -> Any:
    context = await env.browser.new_context(viewport={"width": 1440, "height": 900})
    await context.add_init_script(RECORD_VIOLATIONS)
    page = await context.new_page()
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    response = await page.goto(env.server.url + "/login")
    assert "frame-ancestors 'none'" in (await response.all_headers())["content-security-policy"]
    await page.get_by_label("Email").fill(login.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    return page


async def test_the_console_runs_under_its_csp_without_a_single_violation(env: ConsoleEnv) -> None:
    errors: list[str] = []
    rep = await _watched_console(env, env.reps[0], errors)
    admin = await _watched_console(env, env.admin, errors)

    marker = new_marker()
    visitor = await env.visitor_page(f"/pricing.html?{marker}")
    card = visitor_card(rep, marker)
    await expect(card).to_be_visible(timeout=5_000)
    # The widget loaded on the customer's page from the server (cross-origin) as before.
    await expect(visitor.locator("frontdesk-messenger")).to_be_attached(timeout=10_000)

    # A chat with markdown and a proxied image renders in the console.
    visitor_id = await card.get_attribute("data-visitor-id")
    api = await env.api(env.reps[0])
    status, started = await api.request(
        "POST",
        f"/api/visitors/{visitor_id}/conversations",
        {"client_id": "csp-1", "body": f"**Hello** ![logo]({env.site}/img/logo.svg)"},
    )
    assert status == 200
    await rep.goto(env.server.url + f"/app/conversations/{started['conversation_id']}")
    await expect(rep.locator(".bubble.md strong", has_text="Hello").first).to_be_visible(
        timeout=10_000
    )

    for section in ("Team & website", "Segments & routing", "Webhooks"):
        await open_admin(admin, section)
        await expect(admin.get_by_role("region", name=section)).to_be_visible()
    await env.shot(rep, "console-under-csp")

    for page in (rep, admin):
        assert await page.evaluate("window.__cspViolations") == []
    assert errors == []


async def test_a_person_whose_email_is_on_two_teams_picks_the_team_at_sign_in(
    env: ConsoleEnv,
) -> None:
    from frontdesk.features.orgs import service as orgs

    other = await env.server.create_org("Contoso Sales")
    email = env.reps[0].email  # Dana of Northwind, now also on Contoso's team
    async with env.server.runtime.db.transaction() as session:
        await orgs.create_rep(
            session,
            env.server.runtime,
            org_id=other.id,
            email=email,
            name="Dana at Contoso",
            role="rep",
            password=PASSWORD,
        )
    context = await env.browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(env.server.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    choice = page.get_by_role("group", name="Choose an org")
    await expect(choice.get_by_role("button", name="Northwind Analytics")).to_be_visible()
    await env.shot(page, "sign-in-choose-org")
    await choice.get_by_role("button", name="Contoso Sales").click()
    await expect(page.get_by_role("status", name="Connection: Live")).to_be_visible(timeout=10_000)
    me = await page.evaluate("fetch('/api/me').then(r => r.json())")
    assert me["org"]["id"] == other.id and me["rep"]["name"] == "Dana at Contoso"
