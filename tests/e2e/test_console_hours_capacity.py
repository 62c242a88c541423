"""Business hours and capacity in the browser: the admin sets hours and capacity on their
page, a visitor outside hours reads when the team is back (once, in the away message, in the
team's time zone, named), and a
visitor beyond everyone's capacity sees their place in line while the rep's console shows the
queued chat and that they are at capacity. Screenshots at 1280x800 and 390x844."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    assert_time_inputs_show_their_value,
    console_env,
    expect,
    open_admin,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SIZES = ((1280, 800), (390, 844))


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(sqlite_memory_backend, artifacts_dir, browser) as e:
        yield e


async def _ask(visitor: object, text: str) -> None:
    await visitor.get_by_role("button", name="Open chat").click()  # type: ignore[attr-defined]
    await visitor.get_by_role("textbox", name="Message").fill(text)  # type: ignore[attr-defined]
    await visitor.get_by_role("button", name="Send message").click()  # type: ignore[attr-defined]


async def test_the_admin_sets_hours_and_capacity_and_a_visitor_outside_hours_sees_when_the_team_is_back(
    env: ConsoleEnv,
) -> None:
    admin = await env.console(env.admin, width=1280, height=800)
    await open_admin(admin, "Hours & capacity")
    form = admin.get_by_role("form", name="Business hours")
    await form.get_by_label("Time zone (IANA name)").fill("UTC")
    # Open only on the day after tomorrow (UTC), 09:00-17:00: closed now, whatever the hour.
    open_day = DAY_LABELS[(datetime.now(UTC) + timedelta(days=2)).weekday()]
    for label in DAY_LABELS:
        box = form.get_by_role("checkbox", name=label)
        if await box.is_checked() != (label == open_day):
            await box.click()
    await form.get_by_label("Away message").fill("Thanks for stopping by! We're away right now.")
    await form.get_by_role("button", name="Save hours").click()
    summary = admin.get_by_role("list", name="Business hours now")
    await expect(summary).to_contain_text("Outside hours")
    await expect(summary).to_contain_text("back")

    capacity = admin.get_by_role("form", name="Chat capacity")
    await capacity.get_by_label("Chats per rep at once").fill("2")
    await capacity.get_by_label("When everyone is at capacity").select_option("queue")
    await capacity.get_by_role("button", name="Save capacity").click()
    table = admin.get_by_role("table", name="Reps and their chats")
    await expect(table.get_by_role("row", name=re.compile("Dana Reyes"))).to_contain_text("0 of 2")
    await table.get_by_label("Own limit for Sam Okafor").fill("1")
    await table.get_by_label("Own limit for Sam Okafor").press("Enter")
    await table.get_by_label("Own limit for Sam Okafor").blur()
    await expect(table.get_by_role("row", name=re.compile("Sam Okafor"))).to_contain_text("0 of 1")
    for width, height in SIZES:
        await admin.set_viewport_size({"width": width, "height": height})
        await admin.get_by_role("heading", name="Business hours").scroll_into_view_if_needed()
        await admin.get_by_role("heading", name="Business hours").evaluate(
            "h => h.scrollIntoView({block: 'start'})"
        )
        await assert_time_inputs_show_their_value(admin)
        await env.shot(admin, f"hours-admin-{width}x{height}")
        await table.scroll_into_view_if_needed()
        await env.shot(admin, f"hours-admin-capacity-{width}x{height}")
    await admin.set_viewport_size({"width": 1280, "height": 800})
    # The live stream says who is outside hours.
    await admin.get_by_role("link", name="Live").first.click()
    await expect(admin.get_by_role("status", name="Business hours and capacity")).to_contain_text(
        "Everyone is outside business hours"
    )

    visitor = await env.visitor_page("/pricing.html", timezone_id="Asia/Tokyo")
    await _ask(visitor, "Are you there?")
    # The admin's away message, with when the team is back added by the server (in the
    # team's zone, which it names: the visitor is in Tokyo).
    weekday = (
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    )[DAY_LABELS.index(open_day)]  # fmt: skip
    await expect(
        visitor.get_by_text(
            f"Thanks for stopping by! We're away right now. We're back {weekday} at 09:00 (UTC)."
        )
    ).to_be_visible()
    # Said once: the messenger's own status line does not repeat it.
    messenger = visitor.locator("frontdesk-messenger")
    await expect(messenger.get_by_text("We're back")).to_have_count(1)
    await expect(messenger.locator(".sub")).to_have_text("Outside business hours")
    await expect(visitor.get_by_role("textbox", name="Email")).to_be_visible()  # the offline form
    for width, height in SIZES:
        await visitor.set_viewport_size({"width": width, "height": height})
        await env.shot(visitor, f"hours-visitor-away-{width}x{height}")


async def test_beyond_everyones_capacity_the_visitor_sees_their_place_and_the_rep_sees_the_queue(
    env: ConsoleEnv,
) -> None:
    admin = await env.api(env.admin)
    status, _ = await admin.request("PUT", "/api/capacity", {"default_max_chats": 1})
    assert status == 200
    dana_api = await env.api(env.reps[0])
    status, _ = await dana_api.request("PATCH", "/api/me/status", {"availability": "available"})
    assert status == 200
    async with env.visitor_socket() as first:
        await first.send({"type": "message", "client_id": "c1", "body": "First question"})
        ack = await first.expect("ack", client_id="c1")
        first_chat = ack["message"]["conversation_id"]
        status, _ = await dana_api.request("POST", f"/api/conversations/{first_chat}/accept")
        assert status == 200

        dana = await env.console(env.reps[0], width=1280, height=800)
        visitor = await env.visitor_page("/pricing.html")
        await _ask(visitor, "Can someone help me with pricing?")
        place = visitor.get_by_role("status").filter(has_text="in line")
        await expect(place).to_have_text("You are number 1 in line.")
        await expect(
            dana.get_by_role("status", name="Business hours and capacity")
        ).to_contain_text("My chats: 1 of 1 · At capacity")
        await expect(dana.get_by_text("Queued: #1 in line")).to_be_visible()
        for width, height in SIZES:
            await visitor.set_viewport_size({"width": width, "height": height})
            await env.shot(visitor, f"capacity-visitor-queued-{width}x{height}")
            await dana.set_viewport_size({"width": width, "height": height})
            await env.shot(dana, f"capacity-console-queued-{width}x{height}")

        # Dana's first chat ends: the queued visitor is next, and Dana is offered the chat.
        status, _ = await dana_api.request("POST", f"/api/conversations/{first_chat}/end")
        assert status == 200
        await expect(place).to_be_hidden()
        await expect(visitor.get_by_text("Thanks for waiting!")).to_be_visible()
        await expect(dana.get_by_text("Queued: #1 in line")).to_be_hidden()
