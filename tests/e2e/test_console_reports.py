"""The Reports page in the console (Debian's Chromium): an admin opens Reports, changes the
date range and a filter, and the charts and tables follow; an admin makes a rep a team lead,
who then filters the report by another rep; Account 360 opens from the accounts list."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect, open_admin
from tests.e2e.console_env import console_env as open_console_env
from tests.support.report_history import seed_history

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


@pytest_asyncio.fixture(loop_scope="session")
async def console_env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with open_console_env(sqlite_memory_backend, artifacts_dir, browser) as env:
        rep_ids = [(await env.api(login)).rep_id for login in env.reps]
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        async with env.server.runtime.db.transaction() as session:
            await seed_history(
                session, env.org.id, rep_ids, start=today - timedelta(days=100), days=101
            )
        yield env


async def _total(page: object, table: str, column: int) -> str:
    cell = page.get_by_role("table", name=table).locator("tfoot td").nth(column)  # type: ignore[attr-defined]
    return str(await cell.inner_text()).replace(",", "")  # digit grouping: 1,234


async def test_an_admin_changes_the_range_and_a_filter_and_the_charts_and_tables_follow(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    page = await env.console(env.admin, width=1280, height=800)
    await page.get_by_role("link", name="Reports").click()
    await page.get_by_label("Time zone").select_option("UTC")
    by_day = page.get_by_role("table", name="By day")
    await expect(by_day.locator("tbody tr")).to_have_count(30)
    await expect(
        page.get_by_role("figure", name="Conversations per day").locator("canvas")
    ).to_be_visible()
    started_30 = int(await _total(page, "By day", 0))
    assert started_30 > 0
    # Rates read as percentages in the tables, as on the tiles (not 0.3333)
    csat_tile = page.locator(".report-tile").filter(has_text="CSAT").locator(".report-tile-value")
    csat_total = by_day.locator("tfoot td").last
    await expect(csat_tile).to_have_text(re.compile(r"^\d+%$"))
    await expect(csat_total).to_have_text(await csat_tile.inner_text())
    await env.shot(page, "console-reports-30-days")

    # A longer range: more days in the table, more chats in the total.
    await expect(page.get_by_role("button", name="30 days")).to_have_attribute(
        "aria-pressed", "true"
    )
    await page.get_by_role("button", name="90 days").click()
    await expect(page.get_by_role("button", name="90 days")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.get_by_role("button", name="30 days")).to_have_attribute(
        "aria-pressed", "false"
    )
    await expect(by_day.locator("tbody tr")).to_have_count(90)
    started_90 = int(await _total(page, "By day", 0))
    assert started_90 > started_30
    # The chart follows: its x axis now spans 90 days (uPlot draws one point per day only
    # for short ranges; the legend's series are still there).
    chart = page.get_by_role("figure", name="Conversations per day")
    legend = chart.locator(".u-legend")
    await expect(legend).to_contain_text("Started")
    # Away from the chart its legend names the series, with no "--" placeholders; on the
    # chart it gives the day's figures
    await page.mouse.move(1, 1)
    await expect(legend).not_to_contain_text("--", use_inner_text=True)
    await expect(legend).not_to_contain_text("Day", use_inner_text=True)
    await chart.locator(".u-over").hover()
    await expect(legend).to_contain_text(
        re.compile(r"Day\s*[A-Z][a-z]{2} \d{1,2}, \d{4}Started"), use_inner_text=True
    )
    await expect(legend).to_contain_text(re.compile(r"Started\s*\d+"), use_inner_text=True)
    await env.shot(page, "console-reports-chart-hover")
    await page.mouse.move(1, 1)

    # A channel filter: the Started total becomes the inbound count it was before.
    inbound_before = int(await _total(page, "By day", 1))
    await page.get_by_label("Channel").select_option("inbound")
    await expect(page.get_by_role("table", name="By day").locator("tfoot td").nth(0)).to_have_text(
        f"{inbound_before:,}"
    )
    assert int(await _total(page, "By day", 2)) == 0  # no pounces among inbound chats
    # ... and the Started tile says what it counts now.
    started = page.locator(".report-tile").filter(has_text="Started")
    await expect(started.first).to_contain_text("Inbound conversations only")
    await expect(started.first).not_to_contain_text("every channel")
    reps_table = page.get_by_role("table", name="By rep")
    await expect(reps_table.locator("tbody tr")).to_have_count(2)
    csv_href = await page.get_by_role("link", name="Download by day as CSV").get_attribute("href")
    assert csv_href is not None and "channel=inbound" in csv_href and "table=days" in csv_href
    await env.shot(page, "console-reports-1280x800")
    await env.shot(page, "console-reports-1280x800-full", full_page=True)
    await by_day.scroll_into_view_if_needed()
    await env.shot(page, "console-reports-1280x800-table")

    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(by_day.locator("tbody tr")).to_have_count(90)
    await env.shot(page, "console-reports-390x844")
    await page.get_by_role("figure", name="Conversations per day").scroll_into_view_if_needed()
    await env.shot(page, "console-reports-390x844-chart")
    await by_day.scroll_into_view_if_needed()
    # The table scrolls in its own box: far to the right and down, a figure still shows its
    # day (the row names stay at the left edge) and its column's name (the head stays on top)
    wrap = page.locator(".report-table .table-wrap").filter(has=by_day)
    await wrap.evaluate(
        """el => {
            el.scrollIntoView({ block: "center" });
            el.scrollLeft = el.scrollWidth;
            el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
        }"""
    )
    box = await wrap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["height"] <= 844, box
    day = by_day.locator("tbody th").nth(45)
    head = by_day.locator("thead th").last
    day_box, head_box = await day.bounding_box(), await head.bounding_box()
    assert day_box is not None and head_box is not None
    assert abs(day_box["x"] - box["x"]) <= 2, (day_box, box)  # held at the left edge
    assert abs(head_box["y"] - box["y"]) <= 2, (head_box, box)  # held at the top
    assert head_box["x"] + head_box["width"] <= box["x"] + box["width"] + 1, (head_box, box)
    assert await page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('th')?.scope === 'row'",
        [day_box["x"] + 4, day_box["y"] + day_box["height"] / 2],
    ), "the day's name is hidden under the figures scrolled past it"
    await env.shot(page, "console-reports-390x844-table")


async def test_a_rep_sees_their_own_report_only(console_env: ConsoleEnv) -> None:
    env = console_env
    page = await env.console(env.reps[0], width=1280, height=800)
    await page.get_by_role("link", name="Reports").click()
    await expect(page.get_by_text("You see your own figures.")).to_be_visible()
    await expect(page.get_by_label("Rep", exact=True)).to_be_disabled()
    rows = page.get_by_role("table", name="By rep").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(env.reps[0].name)


async def test_an_admin_makes_a_rep_team_lead_who_then_filters_the_report_by_another_rep(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    dana, sam = env.reps
    admin_page = await env.console(env.admin, width=1280, height=800)
    await open_admin(admin_page, "Team & website")
    role = admin_page.get_by_label(f"Role for {dana.name}")
    await role.select_option(label="Team lead")
    await expect(admin_page.get_by_text(f"{dana.name} is now a team lead.")).to_be_visible()
    await expect(role).to_have_value("lead")

    page = await env.console(dana, width=1280, height=800)
    # A lead gets Reports, not the admin pages.
    await expect(page.get_by_role("link", name="Reports")).to_be_visible()
    await expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    await page.get_by_role("link", name="Reports").click()
    await page.get_by_label("Time zone").select_option("UTC")
    reps_table = page.get_by_role("table", name="By rep")
    await expect(reps_table.locator("tbody tr")).to_have_count(2)  # everyone: Dana and Sam
    await expect(page.get_by_text("You see your own figures.")).to_have_count(0)
    rep_filter = page.get_by_label("Rep", exact=True)
    await expect(rep_filter).to_be_enabled()
    await rep_filter.select_option(label=sam.name)
    await expect(reps_table.locator("tbody tr")).to_have_count(1)
    await expect(reps_table.locator("tbody tr").first).to_contain_text(sam.name)
    await env.shot(page, "console-reports-team-lead-1280x800")
    csv_href = await page.get_by_role("link", name="Download by rep as CSV").get_attribute("href")
    assert csv_href is not None and "rep_id=" in csv_href
    # The export link works for the lead's session: Sam's rows, as CSV.
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download by rep as CSV").click()
    download = await download_info.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    assert sam.name in text and dana.name not in text

    # Made a rep again: the console drops back to their own figures, at once.
    await role.select_option(label="Rep")
    await expect(admin_page.get_by_text(f"{dana.name} is now a rep.")).to_be_visible()
    await expect(rep_filter).to_be_disabled()
    await expect(page.get_by_text("You see your own figures.")).to_be_visible()
    await expect(reps_table.locator("tbody tr")).to_have_count(1)
    await expect(reps_table.locator("tbody tr").first).to_contain_text(dana.name)


async def test_account_360_opens_from_the_accounts_list_with_visitors_online_and_ad_clicks(
    console_env: ConsoleEnv,
) -> None:
    env = console_env
    admin = await env.api(env.admin)
    status, saved = await admin.request(
        "POST",
        "/api/accounts",
        {"name": "Fabrikam", "domain": "fabrikam.example", "employees": 800},
    )
    assert status == 200
    account_id = saved["account"]["id"]
    status, _ = await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Fabrikam", "account_id": account_id},
    )
    assert status == 200
    visitor = await env.visitor_page(
        "/pricing.html?utm_source=linkedin&utm_medium=paid&utm_campaign=abm-q4&li_fat_id=li-789"
    )
    page = await env.console(env.admin, width=1280, height=800)
    await page.get_by_role("link", name="Admin").click()
    await page.get_by_role("link", name="Accounts").first.click()
    await page.get_by_role("link", name="Account 360: Fabrikam").click()
    await expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    online = page.get_by_role("region", name="On the site now")
    await expect(online.locator("li")).to_have_count(1)
    await expect(page.get_by_role("table", name="Campaigns")).to_contain_text("abm-q4")
    await expect(page.get_by_role("region", name="Ad clicks")).to_contain_text("li-789")
    await env.shot(page, "console-account-360-1280x800", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(online.locator("li")).to_have_count(1)
    # On a phone the visitors and campaigns become a card per row: nothing is cut off at the
    # right or hidden in a sideways scroll
    overflowing = await page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')]
            .filter((w) => w.scrollWidth > w.clientWidth + 1)
            .map((w) => w.querySelector('table')?.getAttribute('aria-label'))"""
    )
    assert overflowing == [], overflowing
    await expect(page.get_by_role("table", name="Campaigns")).to_contain_text("abm-q4")
    await env.shot(page, "console-account-360-390x844", full_page=True)
    await visitor.close()
