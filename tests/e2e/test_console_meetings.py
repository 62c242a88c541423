"""The meeting booker in the browser: the rep offers it from a live chat, the visitor books in
the widget, both see the confirmation; and the admin's Meetings page."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    assert_time_inputs_show_their_value,
    console_env,
    expect,
    inbox_row,
    open_admin,
    open_inbox,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(
        sqlite_memory_backend, artifacts_dir, browser, allow_private_targets=True
    ) as e:
        yield e


FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup@test
DTSTAMP:20260101T000000Z
DTSTART:20260101T090000Z
DTEND:20260101T091500Z
RRULE:FREQ=DAILY
SUMMARY:Stand-up
END:VEVENT
END:VCALENDAR
"""


async def test_a_rep_offers_the_booker_the_visitor_books_and_both_see_the_confirmation(
    env: ConsoleEnv,
) -> None:
    admin = await env.api(env.admin)
    dana = await env.api(env.reps[0])
    status, _ = await admin.request(
        "PUT",
        f"/api/reps/{dana.rep_id}/availability",
        {"time_zone": "America/New_York", "weekly_hours": ALL_WEEK},
    )
    assert status == 200
    status, kind = await admin.request(
        "POST",
        "/api/meeting-types",
        {
            "name": "Product demo",
            "duration_minutes": 30,
            "min_notice_minutes": 60,
            "horizon_days": 7,
            "member_rep_ids": [dana.rep_id],
            "questions": [{"label": "What should we prepare?", "required": False}],
        },
    )
    assert status == 200, kind

    console = await env.console(env.reps[0], available=True, width=1280, height=800)
    question = f"Can we book a demo? ({uuid.uuid4().hex[:6]})"
    visitor = await env.visitor_page("/pricing.html", timezone_id="Europe/Berlin")
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill(question)
    await visitor.get_by_role("button", name="Send message").click()
    await open_inbox(console, "Incoming")
    await (
        inbox_row(console, question).get_by_role("button", name=re.compile("^Accept chat")).click()
    )
    await expect(console).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))

    await console.get_by_role("button", name="Offer the meeting booker").click()
    dialog = console.get_by_role("dialog", name="Offer the meeting booker")
    await expect(dialog.get_by_role("combobox", name="Meeting type", exact=True)).to_have_value(
        kind["id"]
    )
    await expect(dialog).to_contain_text("next in line: Dana Reyes")
    await dialog.get_by_label("Meeting title (optional)").fill("Northwind demo")
    await env.shot(console, "meetings-offer-dialog-1280")
    await console.set_viewport_size({"width": 390, "height": 844})
    await env.shot(console, "meetings-offer-dialog-390")
    await console.set_viewport_size({"width": 1280, "height": 800})
    await dialog.get_by_role("button", name="Send").click()
    await expect(dialog).to_have_count(0)

    card = visitor.get_by_role("group", name="Book a meeting")
    await expect(card).to_contain_text("Northwind demo", timeout=10_000)
    await expect(card).to_contain_text("Times in your time zone: Europe/Berlin")
    await env.shot(visitor, "meetings-card-1280")
    first_time = card.get_by_role("group", name=re.compile("^Time on")).get_by_role("button").first
    label = (await first_time.text_content() or "").strip()
    await first_time.click()
    form = card.get_by_role("form", name="Your details")
    await form.get_by_label("Name").fill("Vera Visitor")
    await form.get_by_label("Email").fill("vera@customer.example")
    await form.get_by_label("What should we prepare? (optional)").fill("A tour of the live stream")
    await env.shot(visitor, "meetings-card-form-1280")
    await form.get_by_role("button", name=re.compile("^Book ")).click()

    chat = visitor.get_by_role("log", name="Conversation")
    await expect(card.get_by_role("status")).to_contain_text("Booked for", timeout=10_000)
    await expect(chat).to_contain_text("Meeting booked: Northwind demo")
    await expect(chat).to_contain_text(label)
    await expect(chat).to_contain_text("(Europe/Berlin)")
    transcript = console.get_by_role("log", name="Transcript")
    await expect(transcript).to_contain_text("Meeting booked: Northwind demo", timeout=10_000)
    await env.shot(console, "meetings-console-confirmation-1280")
    await env.shot(visitor, "meetings-card-booked-1280")
    await visitor.set_viewport_size({"width": 390, "height": 844})
    await env.shot(visitor, "meetings-card-booked-390")

    # The rep's upcoming meetings (Inbox, under Today).
    await console.get_by_role("link", name="Inbox").click()
    upcoming = console.get_by_role("region", name="Upcoming meetings")
    await expect(upcoming).to_contain_text("Northwind demo with Vera Visitor")
    await env.shot(console, "meetings-upcoming-1280")


async def test_the_admin_sets_up_a_meeting_type_and_sees_who_can_be_booked(env: ConsoleEnv) -> None:
    page = await env.console(env.admin, width=1280, height=800)
    await open_admin(page, "Meetings")
    await page.get_by_role("button", name="New meeting type").click()
    form = page.get_by_role("form", name="New meeting type")
    await form.get_by_label("Name").fill("Intro call")
    await form.get_by_label("Duration (min)").fill("20")
    await form.get_by_label("Questions for the visitor").fill(
        "* What is your team size?\nAnything else?"
    )
    await form.get_by_role("checkbox", name="Dana Reyes").check()
    await form.get_by_role("checkbox", name="Sam Okafor").check()
    await env.shot(page, "meetings-admin-form-1280")
    await form.get_by_role("button", name="Create").click()
    row = page.get_by_role("group", name="Intro call")
    await expect(row).to_contain_text("20 min · Round robin")
    await expect(row).to_contain_text("Dana Reyes: not bookable (no working hours set)")

    # Dana's working hours (weekdays 09:00-17:00 are filled in) and a private iCal feed.
    async def serve_feed(request: web.Request) -> web.Response:
        if request.path != "/dana.ics":
            raise web.HTTPNotFound()
        return web.Response(text=FEED, content_type="text/calendar")

    feed_app = web.Application()
    feed_app.router.add_get("/{name}", serve_feed)
    feed = TestServer(feed_app, host="127.0.0.1")
    await feed.start_server()
    try:
        setup = page.get_by_role("region", name="Meetings")
        await setup.get_by_role("combobox", name="Rep", exact=True).select_option(
            label="Dana Reyes"
        )
        hours = page.get_by_role("form", name="Working hours")
        await expect(hours.get_by_role("checkbox", name="Mon")).to_be_checked()  # loaded
        await hours.get_by_label("Time zone (IANA name)").fill("Europe/Lisbon")
        await hours.get_by_role("button", name="Save hours").click()
        await expect(row).to_contain_text("Dana Reyes: bookable")
        status, saved = await (await env.api(env.admin)).request(
            "GET", f"/api/reps/{(await env.api(env.reps[0])).rep_id}/availability"
        )
        assert saved["time_zone"] == "Europe/Lisbon" and saved["weekly_hours"]["mon"] == [
            ["09:00", "17:00"]
        ]
        calendar = page.get_by_role("form", name="Connect a calendar")
        await calendar.get_by_role("combobox", name="Calendar", exact=True).select_option("ical")
        await calendar.get_by_role("textbox", name="Feed URL").fill(
            f"http://127.0.0.1:{feed.port}/missing.ics"
        )
        await calendar.get_by_role("button", name="Connect calendar").click()
        await expect(calendar.get_by_role("alert")).to_contain_text(
            "no calendar feed at this URL (404)"
        )
        await calendar.get_by_role("textbox", name="Feed URL").fill(
            f"http://127.0.0.1:{feed.port}/dana.ics"
        )
        await calendar.get_by_role("button", name="Connect calendar").click()
        status = page.get_by_role("group", name="Calendar").get_by_role("status")
        await expect(status).to_contain_text("iCal feed")
        await expect(status).to_contain_text("busy times")
        await expect(row).to_contain_text("calendar ical, ok")
    finally:
        await feed.close()
    await env.shot(page, "meetings-admin-1280", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await assert_time_inputs_show_their_value(page)
    await env.shot(page, "meetings-admin-390", full_page=True)


async def test_a_rep_sets_their_own_hours_from_the_profile_menu(env: ConsoleEnv) -> None:
    page = await env.console(env.reps[1], width=1280, height=800)
    await page.get_by_role("button", name="Profile menu").click()
    await page.get_by_role("button", name="My hours and calendar…").click()
    dialog = page.get_by_role("dialog", name="My hours and calendar")
    hours = dialog.get_by_role("form", name="Working hours")
    await expect(hours.get_by_role("checkbox", name="Mon")).to_be_checked()  # loaded
    await hours.get_by_label("Time zone (IANA name)").fill("Asia/Tokyo")
    await hours.get_by_role("checkbox", name="Fri").uncheck()
    await hours.get_by_role("button", name="Save hours").click()
    await expect(page.get_by_text("Working hours saved")).to_be_visible()
    await env.shot(page, "meetings-my-hours-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await assert_time_inputs_show_their_value(page)
    await env.shot(page, "meetings-my-hours-390")
    sam = await env.api(env.reps[1])
    status, saved = await sam.request("GET", f"/api/reps/{sam.rep_id}/availability")
    assert status == 200 and saved["time_zone"] == "Asia/Tokyo"
    assert saved["weekly_hours"]["fri"] == [] and saved["weekly_hours"]["mon"] == [
        ["09:00", "17:00"]
    ]
    # A rep cannot change a colleague's hours.
    dana = await env.api(env.reps[0])
    status, _ = await sam.request(
        "PUT", f"/api/reps/{dana.rep_id}/availability", {"time_zone": "UTC", "weekly_hours": {}}
    )
    assert status == 403
