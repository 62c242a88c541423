"""The meeting booker in the browser: the rep offers it from a live chat, the visitor books in
the widget, both see the confirmation; and the admin's Meetings page."""

from __future__ import annotations

import re
import uuid
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
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as e:
        yield e


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
    await expect(dialog.get_by_label("Meeting type", exact=True)).to_have_value(kind["id"])
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
    await env.shot(page, "meetings-admin-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await env.shot(page, "meetings-admin-390", full_page=True)
