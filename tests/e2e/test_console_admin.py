"""Segments, routing and accounts in the console (issue 5), in Debian's Chromium.

An admin imports target accounts from a CSV and builds a "Target accounts" segment in the
segment editor (a bad rule is refused with the server's message next to the form); a visitor on
the demo site who identifies with an email at one of those domains moves into that column of a
rep's live stream without a reload. An admin reorders segments and the columns follow.
Screenshots: the import result, the segment editor, the live stream.
"""

from __future__ import annotations

import re

import pytest
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    column,
    expect,
    new_marker,
    open_admin,
    open_page,
    visitor_card,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

ACCOUNTS_CSV = """name,domain,target_account,open_pipeline,owner_email,employees,industry,region
Initech,initech.example,yes,"$180,000",,850,Software,EMEA
Globex,https://www.globex.example/,x,0,,12000,Energy,NA
Umbrella Corp,umbrella.example,no,45000,,3400,Pharmaceuticals,NA
Broken Row,,yes,,,,,
Hooli,hooli.example,yes,,nobody@nowhere.example,,,
"""


async def test_an_admin_imports_target_accounts_builds_a_segment_and_an_identified_visitor_moves_into_it_live(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], available=True)
    admin = await env.console(env.admin)

    # A visitor is on the site before any of this: they sit in "Everyone else".
    marker = new_marker()
    visitor = await env.visitor_page(f"/pricing.html?{marker}")
    card = visitor_card(rep, marker)
    await expect(card).to_be_visible(timeout=5_000)
    visitor_id = await card.get_attribute("data-visitor-id")
    await expect(
        column(rep, "Everyone else").locator(f'[data-visitor-id="{visitor_id}"]')
    ).to_be_visible()

    # The admin imports the CSV: good rows are saved, bad ones are reported by row number.
    await open_admin(admin, "Accounts")
    await admin.get_by_role("button", name="Import CSV").click()
    await admin.get_by_label("CSV file").set_input_files(
        files=[
            {"name": "target-accounts.csv", "mimeType": "text/csv", "buffer": ACCOUNTS_CSV.encode()}
        ]
    )
    result = admin.get_by_role("status", name="Import result")
    await expect(result).to_contain_text("Imported target-accounts.csv")
    await expect(result).to_contain_text("3 created")
    await expect(result).to_contain_text("2 rows with errors")
    await expect(result).to_contain_text("row 5:")
    await expect(result).to_contain_text("row 6: no rep with email nobody@nowhere.example")
    accounts = admin.get_by_role("table", name="Accounts")
    await expect(accounts.locator('tr[data-domain="globex.example"]')).to_contain_text("Target")
    await expect(accounts.locator('tr[data-domain="initech.example"]')).to_contain_text("$180,000")
    await env.shot(admin, "admin-accounts-import")

    # The admin builds the segment. A second condition with a bad number is refused, with the
    # server's message naming the condition and the field, next to the form.
    await open_admin(admin, "Segments & routing")
    await admin.get_by_role("button", name="New segment").click()
    editor = admin.get_by_role("form", name="New segment")
    await editor.get_by_label("Name").fill("Target accounts")
    await editor.get_by_role("radio", name="#dc2626").click()
    await expect(editor.get_by_label("Condition 1 field")).to_have_value("account.target_account")
    await expect(editor.get_by_label("Condition 1 operator")).to_have_value("is_true")
    await editor.get_by_role("button", name="Add condition").click()
    await editor.get_by_label("Condition 2 field").select_option("visit.page_views")
    await editor.get_by_label("Condition 2 operator").select_option("gte")
    await editor.get_by_label("Condition 2 value").fill("three")
    await editor.get_by_role("button", name="Add step").click()
    await editor.get_by_label("Step 1 kind").select_option("account_owner")
    await editor.get_by_role("button", name="Add step").click()
    await editor.get_by_label("Step 2 kind").select_option("everyone")
    await editor.get_by_role("button", name="Create segment").click()
    problem = editor.get_by_role("alert")
    await expect(problem).to_contain_text("condition 2 (visit.page_views)")
    await expect(problem).to_contain_text("'three' is not a number")
    await expect(editor.get_by_role("listitem", name="Condition 2")).to_have_class(
        re.compile("invalid")
    )
    await env.shot(admin, "admin-segments-editor-error")

    # Fix it (at least 1 page view) and save: the column appears in the rep's stream at once.
    await editor.get_by_label("Condition 2 value").fill("1")
    await editor.get_by_role("button", name="Create segment").click()
    saved = admin.get_by_role("form", name="Segment Target accounts")
    await expect(saved).to_be_visible()
    order = admin.get_by_role("list", name="Segments by priority")
    await expect(order.get_by_role("button", name="Edit segment Target accounts")).to_be_visible()
    await expect(column(rep, "Target accounts")).to_be_visible(timeout=5_000)
    await env.shot(admin, "admin-segments-editor")

    # The visitor says who they are: an email at a target account. No reload anywhere.
    await visitor.evaluate(
        """() => new Promise((resolve) => {
             window.Frontdesk.on('identify', resolve);
             window.Frontdesk.identify({email: 'jane.doe@initech.example', name: 'Jane Doe'});
           })"""
    )
    moved = column(rep, "Target accounts").locator(f'.vcard[data-visitor-id="{visitor_id}"]')
    await expect(moved).to_be_visible(timeout=5_000)
    await expect(moved).to_contain_text("Initech")
    await expect(moved).to_contain_text("Jane Doe")
    await expect(moved.locator(".tag-target")).to_be_visible()
    await expect(
        column(rep, "Everyone else").locator(f'[data-visitor-id="{visitor_id}"]')
    ).to_have_count(0)
    await expect(column(rep, "Target accounts").locator(".count")).to_have_text("1")
    # The admin's priority list counts the live visitor in the segment.
    await expect(
        order.locator(".seg-item").filter(has_text="Target accounts").locator(".count")
    ).to_have_text("1", timeout=5_000)
    await env.shot(rep, "console-live-stream-target-accounts")

    # The Visitor 360 says where the company comes from and how sure we are.
    await moved.get_by_role("link", name=re.compile("^Open Initech")).click()
    company = rep.get_by_role("complementary", name="Visitor 360").get_by_role(
        "region", name="Company"
    )
    sources = company.get_by_role("table", name="Company data and sources")
    await expect(sources).to_contain_text("Initech")
    await expect(sources).to_contain_text("Email given by the visitor")
    await expect(sources).to_contain_text("medium")
    await expect(company).to_contain_text("Target account")
    await env.shot(rep, "console-visitor-360-company-sources")


async def test_an_admin_moves_a_segment_up_and_the_reps_columns_follow(env: ConsoleEnv) -> None:
    admin_api = await env.api(env.admin)
    for name, color in (("Pricing page", "#2563eb"), ("Paid ads", "#7c3aed")):
        status, body = await admin_api.request(
            "POST",
            "/api/segments",
            {
                "name": name,
                "color": color,
                "rules": {
                    "conditions": [
                        {
                            "field": "visit.pages",
                            "op": "contains",
                            "value": "/" + name.split()[0].lower(),
                        }
                    ]
                },
            },
        )
        assert status == 200, body
    rep = await env.console(env.reps[1])
    heads = rep.get_by_role("region", name="Live stream").locator(".column-name")
    await expect(heads).to_have_text(["Pricing page", "Paid ads", "Everyone else"])

    admin = await env.console(env.admin)
    await open_admin(admin, "Segments & routing")
    await admin.get_by_role("button", name="Move Paid ads up").click()
    order = admin.get_by_role("list", name="Segments by priority")
    await expect(order.locator(".seg-pick-name")).to_have_text(
        ["Paid ads", "Pricing page", "Everyone else"]
    )
    await expect(heads).to_have_text(["Paid ads", "Pricing page", "Everyone else"], timeout=5_000)

    # Cold segments are grey and sit at the right of the stream.
    await order.get_by_role("button", name="Edit segment Pricing page").click()
    editor = admin.get_by_role("form", name="Segment Pricing page")
    await editor.get_by_role("switch", name="Cold segment").click()
    await editor.get_by_role("button", name="Save segment").click()
    await expect(heads).to_have_text(["Paid ads", "Everyone else", "Pricing page"], timeout=5_000)
    await expect(rep.locator('section.column.cold[aria-label^="Pricing page:"]')).to_be_visible()
    await env.shot(admin, "admin-segments-priority")


async def test_on_a_phone_only_the_newest_toast_shows_with_a_count_of_the_ones_under_it(
    env: ConsoleEnv,
) -> None:
    # Two toasts at once used to stack down over the phone's top bar and the page under it.
    # The page's clock is paused once the console is up, so neither toast times out while the
    # test looks (they last 2.5 s).
    admin = await env.console(env.admin, width=390, height=844, page_clock=True)
    switch = admin.get_by_role("switch", name="Visitors can start calls from the messenger")
    await open_page(admin, f"{env.server.url}/app/admin/calls", switch)
    await expect(switch).to_be_enabled()
    await admin.clock.pause_at(await admin.evaluate("Date.now() + 1000"))
    await switch.click()
    first = admin.locator(".toast", has_text="Visitors can now ask for calls")
    await expect(first).to_be_visible()
    await expect(first.locator(".toast-more")).to_have_count(0)
    await expect(switch).to_be_enabled()
    await switch.click()
    newest = admin.locator(".toast", has_text="Calls from the messenger are off.")
    await expect(newest).to_be_visible()
    await expect(admin.locator(".toast")).to_have_count(2)
    await expect(first).to_be_hidden()
    await expect(newest.locator(".toast-more")).to_have_text("+1")
    box = await newest.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] + box["height"] <= 844 / 4, box  # at the top, one toast high
    await newest.evaluate("el => Promise.all(el.getAnimations().map((a) => a.finished))")
    await env.shot(admin, "console-toasts-phone")
    # Dismissing the newest shows the one under it, with no count left
    await newest.get_by_role("button", name="Dismiss").click()
    await expect(first).to_be_visible()
    await expect(first.locator(".toast-more")).to_have_count(0)
    # At 1280 px both show, stacked in the corner, without a count (turning calls on again
    # repeats the toast still up, which is not shown twice; turning them off adds the second)
    await admin.set_viewport_size({"width": 1280, "height": 800})
    for _ in range(2):
        await expect(switch).to_be_enabled()
        await switch.click()
    await expect(admin.locator(".toast")).to_have_count(2)
    for toast in await admin.locator(".toast").all():
        await expect(toast).to_be_visible()
    await expect(admin.locator(".toast-more")).to_be_hidden()
