"""What a rep sees in a chat every day (issue 13 items 14-16), in Debian's Chromium.

- Ending a chat can be undone for a few seconds; a reply marked as spam leaves a marker in
  the transcript.
- An offline message nobody could email says so in a rep's words (no developer error), and
  tells an admin what to configure.
- An image the server's image proxy refuses shows "Image could not be loaded" and why, in the
  composer's preview and in the transcript (and in the visitor's messenger).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    expect,
    new_marker,
    visitor_card,
)
from tests.harness import Socket

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


async def start_chat(env: ConsoleEnv, rep: Any, visitor: Socket, text: str) -> str:
    """The visitor asks, the rep accepts (over HTTP) and opens the chat in the console."""
    await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": text})
    ack = await visitor.expect("ack")
    cid = str(ack["message"]["conversation_id"])
    api = await env.api(env.reps[0])
    status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200, body
    await open_chat(rep, cid)
    return cid


async def open_chat(rep: Any, cid: str) -> None:
    await (
        rep.get_by_role("navigation", name="Main")
        .get_by_role("link", name=re.compile("^Conversations"))
        .click()
    )
    await rep.locator(f'.rail .conv-row[data-conversation-id="{cid}"] .card-link').click()
    await expect(rep.locator(".console-head .status-chip")).to_have_text("Active", timeout=5_000)


# The console's undo window for "End chat" (END_UNDO_MS in web/console/actions.ts).
END_UNDO_MS = 5000
# Counts the console's POST .../end requests as the page makes them (api() calls fetch
# synchronously from the countdown's timer, so the count is exact right after the timers ran).
COUNT_END_REQUESTS = """
window.__endRequests = 0;
const nativeFetch = window.fetch;
window.fetch = (input, init) => {
  if (init?.method === "POST" && String(input).endsWith("/end")) window.__endRequests++;
  return nativeFetch(input, init);
};
"""


async def test_ending_a_chat_can_be_undone_for_a_few_seconds_then_it_ends(env: ConsoleEnv) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800, page_clock=True)
    await rep.evaluate(COUNT_END_REQUESTS)
    async with env.visitor_socket() as visitor:
        cid = await start_chat(env, rep, visitor, "Do you have an EU data region?")
        await rep.get_by_role("button", name="End chat").click()
        ending = rep.get_by_role("alert", name="Ending this chat")
        await expect(ending).to_contain_text("the visitor will see that it has ended")
        await expect(
            rep.get_by_role("status").filter(has_text="Ending the chat with")
        ).to_be_visible()
        await env.shot(rep, "console-end-chat-undo")
        await ending.get_by_role("button", name="Undo").click()
        await expect(ending).to_have_count(0)
        await expect(rep.get_by_role("button", name="End chat")).to_be_visible()
        # Well past the undo window: every page timer due in the next 6 s has run (at once),
        # so an end the undo failed to cancel would have asked the server by now. It did not.
        await rep.clock.run_for(END_UNDO_MS + 1000)
        assert await rep.evaluate("window.__endRequests") == 0
        await expect(rep.locator(".console-head .status-chip")).to_have_text("Active")
        api = await env.api(env.reps[0])
        status, body = await api.request("GET", f"/api/conversations/{cid}")
        assert body["conversation"]["status"] == "active"
        assert not [
            f
            for f in visitor.received
            if f["type"] == "conversation" and f["conversation"]["status"] == "ended"
        ]

        # Alt+E ends it too, through the same few seconds; this time nobody undoes it
        await rep.locator("body").press("Alt+e")
        await expect(ending).to_be_visible()
        await rep.clock.run_for(END_UNDO_MS)
        await expect(rep.locator(".console-head .status-chip")).to_have_text(
            "Ended", timeout=10_000
        )
        await visitor.expect("conversation", conversation__status="ended", timeout=5)
        assert await rep.evaluate("window.__endRequests") == 1

        # On a phone the ended chat's header keeps its menu beside the name, not on a row of
        # its own (the other actions are gone once the chat has ended)
        await rep.set_viewport_size({"width": 390, "height": 844})
        title = await rep.locator(".console-head .console-who").bounding_box()
        menu = await rep.get_by_role("button", name="Conversation menu").bounding_box()
        assert title and menu
        assert menu["y"] < title["y"] + title["height"], (title, menu)
        assert menu["x"] + menu["width"] <= 390, menu
        # ...and the "Chat ended." toast, still up, leaves the button for a new chat uncovered
        toast = rep.locator(".toast", has_text="Chat ended.")
        await expect(toast).to_be_visible()
        toast_box = await toast.bounding_box()
        again = await rep.get_by_role("button", name="Start a new conversation").bounding_box()
        assert toast_box and again
        assert (
            toast_box["y"] + toast_box["height"] <= again["y"]
            or again["y"] + again["height"] <= toast_box["y"]
        ), (toast_box, again)
        assert toast_box["x"] >= 0 and toast_box["x"] + toast_box["width"] <= 390, toast_box
        await env.shot(rep, "console-ended-chat-phone")


async def test_a_reply_marked_as_spam_leaves_a_marker_in_the_transcript(env: ConsoleEnv) -> None:
    dana = env.reps[0]
    rep = await env.console(dana, available=True, width=1280, height=800, page_clock=True)
    admin_api = await env.api(env.admin)
    status, body = await admin_api.request(
        "PATCH",
        "/api/org/settings",
        {
            "proactive": {
                "auto_pounce": True,
                "auto_pounce_after_seconds": 5,
                "rep_timeout_seconds": 600,
                "nudge_after_seconds": 600,
            }
        },
    )
    assert status == 200, body
    async with env.visitor_socket(title="Pricing") as visitor:
        await visitor.send({"type": "identify", "email": "spam@bot.example", "name": "Spam Bot"})
        await visitor.expect("identified")
        assert await env.pass_time(5.2, rep) >= 1  # browsed for the 5 s: auto pounce
        await visitor.expect("message")
        await visitor.send(
            {"type": "message", "client_id": uuid.uuid4().hex, "body": "cheap watches here"}
        )
        alert = rep.get_by_role("alert", name="Spam Bot replied to your auto pounce")
        await expect(alert.first).to_be_visible(timeout=5_000)
        await alert.first.get_by_role("button", name="Reply").click()
        await rep.locator(".console-alert").get_by_role("button", name="Spam").click()
        transcript = rep.get_by_role("log", name="Transcript")
        marker = transcript.locator('.msg-note[data-internal="true"]').filter(
            has_text="Marked as spam by Dana Reyes: the chat was ended."
        )
        await expect(marker).to_be_visible(timeout=5_000)
        await expect(marker).to_contain_text("Only reps see this")
        await expect(rep.locator(".console-head .status-chip")).to_have_text("Ended")
        await env.shot(rep, "console-spam-marker")


async def test_an_offline_message_nobody_could_email_says_why_in_a_reps_words(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], width=1280, height=800)  # away: nobody is available
    async with env.visitor_socket() as visitor:
        await visitor.send({"type": "message", "client_id": uuid.uuid4().hex, "body": "Hi?"})
        await visitor.expect("ack")
        await visitor.send(
            {
                "type": "offline_message",
                "name": "Lin Park",
                "email": "lin@prospect.example",
                "body": "Please send me a quote for 40 seats.",
            }
        )
        await visitor.expect("offline_received")
    await env.server.runtime.sweeper.run_due()  # the email is tried: no mail server here

    await rep.get_by_role("link", name="Inbox").click()
    await rep.get_by_role("tab", name="Offline messages").click()
    item = rep.locator(".offline-item").filter(has_text="Lin Park")
    status = item.locator(".email-status")
    await expect(status).to_have_attribute("data-email-status", "no_mail_server", timeout=5_000)
    await expect(status.locator(".status-chip")).to_have_text("Not emailed")
    await expect(status.locator(".email-note")).to_have_text(
        "Email isn't set up for your team yet. Reply to the visitor from here."
    )
    await expect(item).not_to_contain_text("FRONTDESK_SMTP_URL")
    await expect(item).not_to_contain_text("not emailed: not emailed")
    # nothing spills out of the row
    assert await item.evaluate("el => el.scrollWidth <= el.clientWidth")
    await env.shot(rep, "console-offline-not-emailed")

    admin = await env.console(env.admin, width=1280, height=800)
    await admin.get_by_role("link", name="Inbox").click()
    await admin.get_by_role("tab", name="Offline messages").click()
    hint = admin.locator(".offline-item").filter(has_text="Lin Park").get_by_role("note")
    await expect(hint).to_contain_text("For admins: To email offline messages to reps, set")
    await expect(hint).to_contain_text("FRONTDESK_SMTP_URL")
    await env.shot(admin, "console-offline-not-emailed-admin")


async def test_an_image_the_proxy_refuses_says_it_could_not_be_loaded_and_why(
    env: ConsoleEnv,
) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800)
    # the demo site is on 127.0.0.1: the image proxy refuses private addresses
    image = f"{env.site}/img/chart.png"
    markdown = f"Here is the chart:\n\n![Usage chart]({image})"
    async with env.visitor_socket() as visitor:
        await start_chat(env, rep, visitor, "Can I see the usage chart?")
        box = rep.get_by_role("textbox", name="Message")
        await box.fill(markdown)
        await rep.get_by_role("tab", name="Preview").click()
        preview = rep.get_by_role("region", name="Message preview")
        failed = preview.get_by_role("img", name="Image could not be loaded: Usage chart")
        await expect(failed).to_contain_text(
            "Image could not be loaded: images from private addresses are refused",
            timeout=5_000,
        )
        await env.shot(rep, "console-image-refused-preview")
        await rep.get_by_role("tab", name="Write").click()
        await box.press("Enter")
        transcript = rep.get_by_role("log", name="Transcript")
        in_transcript = transcript.get_by_role("img", name="Image could not be loaded: Usage chart")
        await expect(in_transcript).to_contain_text(
            "images from private addresses are refused", timeout=5_000
        )
        await expect(in_transcript).to_contain_text("“Usage chart”")
        await env.shot(rep, "console-image-refused-transcript")


async def test_the_invitation_preview_says_an_image_could_not_be_loaded(env: ConsoleEnv) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800)
    marker = new_marker()
    async with env.visitor_socket(url=f"{env.site}/pricing.html?{marker}"):
        card = visitor_card(rep, marker)
        await expect(card).to_be_visible(timeout=5_000)
        await card.get_by_role("button", name=re.compile("to live chat$")).click()
        dialog = rep.get_by_role("dialog", name="Invite to live chat")
        await dialog.get_by_role("textbox", name="Message").fill(
            f"Our pricing at a glance: ![Pricing chart]({env.site}/img/chart.png)"
        )
        failed = dialog.get_by_role("img", name="Image could not be loaded: Pricing chart")
        await expect(failed).to_contain_text(
            "images from private addresses are refused", timeout=5_000
        )


async def test_the_messenger_says_an_image_could_not_be_loaded(env: ConsoleEnv) -> None:
    rep = await env.console(env.reps[0], available=True, width=1280, height=800)
    page = await env.visitor_page("/", viewport={"width": 390, "height": 844})
    await page.get_by_role("button", name="Open chat").click()
    await page.get_by_role("textbox", name="Message").fill("Can I see the usage chart?")
    await page.get_by_role("textbox", name="Message").press("Enter")
    api = await env.api(env.reps[0])
    for _ in range(50):
        status, listed = await api.request("GET", "/api/conversations?box=incoming")
        if listed["conversations"]:
            break
        await asyncio.sleep(0.1)
    cid = listed["conversations"][0]["id"]
    status, body = await api.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200, body
    await open_chat(rep, cid)
    box = rep.get_by_role("textbox", name="Message")
    await box.fill(f"Here it is:\n\n![Usage chart]({env.site}/img/chart.png)")
    await box.press("Enter")
    failed = page.get_by_role("img", name="Image could not be loaded")
    await expect(failed).to_have_text("Image could not be loaded", timeout=5_000)
    await page.screenshot(path=str(env.artifacts / "widget-image-refused-phone.png"))
