"""Proactive engagement in the console (issue 6), in Debian's Chromium.

A rep pounces from a live-stream card and the visitor (the demo site with the real widget)
sees the message, replies and chats on; a pounce on a cold-segment visitor is refused with the
server's reason. A rep invites a visitor with #variables#, sees the live preview (and a warning
for an unknown variable), and follows the invitation from sent to on screen to accepted.
Replies to auto pounces raise an alert with a ticking timer; "No response needed" clears one,
a missed one turns the rep's auto pounce off with the reason shown.
"""

from __future__ import annotations

import re
import uuid

import pytest
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    column,
    expect,
    new_marker,
    visitor_card,
)

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


async def test_a_rep_pounces_from_the_live_stream_and_chats_with_the_visitor_in_the_real_widget(
    env: ConsoleEnv,
) -> None:
    admin_api = await env.api(env.admin)
    status, body = await admin_api.request(
        "POST",
        "/api/segments",
        {
            "name": "Job seekers",
            "cold": True,
            "rules": {
                "conditions": [{"field": "visit.pages", "op": "contains", "value": "/careers"}]
            },
        },
    )
    assert status == 200, body
    rep = await env.console(env.reps[0], available=True)

    # A job seeker is in the cold column: a pounce is refused, politely, with the reason.
    cold_marker = new_marker()
    await env.visitor_page(f"/careers.html?{cold_marker}")
    cold_card = column(rep, "Job seekers").locator(".vcard").filter(has_text=cold_marker)
    await expect(cold_card).to_be_visible(timeout=5_000)
    await cold_card.get_by_role("button", name=re.compile("^Pounce on")).click()
    dialog = rep.get_by_role("dialog", name="Start a conversation")
    await dialog.get_by_role("textbox", name="Message").fill("Hi! Looking for a job?")
    await dialog.get_by_role("button", name=re.compile("^Send first message")).click()
    await expect(dialog.get_by_role("alert")).to_contain_text(
        "You can't engage this visitor right now: visitors in the cold segment 'Job seekers' are not engaged."
    )
    await expect(dialog.get_by_role("textbox", name="Message")).to_have_value(
        "Hi! Looking for a job?"
    )
    await env.shot(rep, "console-pounce-refused")
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_have_count(0)

    # A visitor reading the pricing page: the rep pounces from the card.
    marker = new_marker()
    visitor = await env.visitor_page(f"/pricing.html?{marker}")
    card = visitor_card(rep, marker)
    await expect(card).to_be_visible(timeout=5_000)
    await card.get_by_role("button", name=re.compile("^Pounce on")).click()
    dialog = rep.get_by_role("dialog", name="Start a conversation")
    await expect(dialog).to_contain_text("/pricing.html")
    opener = f"Hi there! Comparing plans? I can help ({uuid.uuid4().hex[:6]})"
    await dialog.get_by_role("textbox", name="Message").fill(opener)
    await env.shot(rep, "console-pounce-dialog")
    await rep.keyboard.press("Enter")
    await expect(rep).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
    transcript = rep.get_by_role("log", name="Transcript")
    await expect(transcript).to_contain_text(opener)

    # The visitor sees it beside the launcher, opens the messenger and answers.
    preview = visitor.get_by_role("button", name=re.compile(re.escape(opener[:30])))
    await expect(preview).to_be_visible(timeout=5_000)
    await preview.click()
    await expect(visitor.get_by_role("log", name="Conversation")).to_contain_text(opener)
    await visitor.get_by_role("textbox", name="Message").fill("Yes please, what does Team cost?")
    await visitor.get_by_role("button", name="Send message").click()
    await expect(transcript).to_contain_text("Yes please, what does Team cost?", timeout=5_000)

    # ... and the chat goes on in the console.
    await rep.get_by_role("textbox", name="Message").fill("Team is **$49** per seat per month.")
    await rep.keyboard.press("Enter")
    await expect(visitor.get_by_role("log", name="Conversation")).to_contain_text(
        "Team is $49 per seat per month.", timeout=5_000
    )
    await expect(rep.locator(".msg.pending")).to_have_count(0, timeout=5_000)
    await expect(
        rep.get_by_role("navigation", name="Conversations").locator(".conv-row")
    ).to_have_count(1)
    await env.shot(rep, "console-pounce-conversation")


async def test_a_shortcut_in_the_pounce_dialog_fills_the_visitors_page_title_and_company(
    env: ConsoleEnv,
) -> None:
    admin_api = await env.api(env.admin)
    status, _ = await admin_api.request(
        "POST", "/api/accounts", {"name": "Prospect Inc", "domain": "prospect.example"}
    )
    assert status == 200
    status, _ = await admin_api.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "opener",
            "body": "Hi {visitor.first_name} from {company}! Questions about {page.title}?",
            "scope": "org",
        },
    )
    assert status == 200
    rep = await env.console(env.reps[0], available=True)
    marker = new_marker()
    async with env.visitor_socket(url=f"{env.site}/pricing.html?{marker}") as sock:
        await sock.send(
            {"type": "identify", "email": "ada@prospect.example", "name": "Ada Lovelace"}
        )
        await sock.expect("identified")
        card = visitor_card(rep, marker)
        await expect(card).to_contain_text("Prospect Inc", timeout=5_000)
        await card.get_by_role("button", name=re.compile("^Pounce on")).click()
        dialog = rep.get_by_role("dialog", name="Start a conversation")
        box = dialog.get_by_role("textbox", name="Message")
        await box.press_sequentially("/opener")
        menu = rep.get_by_role("dialog", name="Shortcuts")
        expected = "Hi Ada from Prospect Inc! Questions about Pricing | Northwind Analytics?"
        await expect(menu.get_by_role("region", name="Preview of /opener")).to_contain_text(
            expected
        )
        await box.press("Enter")
        await expect(box).to_have_value(expected)
        await env.shot(rep, "console-pounce-shortcut")
        await box.press("Enter")
        sent = await sock.expect("message", message__author_kind="rep")
        assert sent["message"]["body"] == expected


async def test_a_rep_invites_a_visitor_with_variables_and_follows_the_invitation_until_accepted(
    env: ConsoleEnv,
) -> None:
    admin_api = await env.api(env.admin)
    dana = env.reps[0]
    dana_id = (await (await env.api(dana)).request("GET", "/api/me"))[1]["rep"]["id"]
    status, _ = await admin_api.request(
        "POST", "/api/teams", {"name": "Enterprise AEs", "rep_ids": [dana_id]}
    )
    assert status == 200
    rep = await env.console(dana, available=True)
    marker = new_marker()
    # The invitation is drawn by the widget's messenger; this visitor speaks its protocol.
    async with env.visitor_socket(url=f"{env.site}/pricing.html?{marker}") as sock:
        await sock.send(
            {"type": "identify", "email": "ada@prospect.example", "name": "Ada Lovelace"}
        )
        await sock.expect("identified")
        card = visitor_card(rep, marker)
        await expect(card).to_contain_text("Ada Lovelace", timeout=5_000)
        await card.get_by_role("button", name=re.compile("to live chat$")).click()

        dialog = rep.get_by_role("dialog", name="Invite to live chat")
        box = dialog.get_by_role("textbox", name="Message")
        await box.fill(
            "Hi #first_name#! #rep_first_name# here. Questions about #page_title#? #coupon#"
        )
        bubble = dialog.locator(".invite-side .wb-body")
        await expect(bubble).to_have_text(
            "Hi Ada! Dana here. Questions about Pricing | Northwind Analytics?", timeout=5_000
        )
        await expect(dialog.get_by_role("status").filter(has_text="#coupon#")).to_contain_text(
            "Unknown variable #coupon#"
        )
        await expect(dialog.get_by_role("button", name="Insert #first_name# (Ada)")).to_be_visible()
        await dialog.get_by_role("combobox", name="Team").select_option(label="Enterprise AEs")
        await env.shot(rep, "console-invite-dialog")

        # Fix the typo with a variable chip, then send.
        await box.fill("Hi #first_name#! #rep_first_name# here. Questions about #page_title#?")
        await expect(dialog.get_by_role("status").filter(has_text="#coupon#")).to_have_count(0)
        await dialog.get_by_role("button", name="Send invitation").click()
        sent = rep.get_by_role("dialog", name="Invitation sent")
        chip = sent.locator(".inv-chip")
        await expect(chip).to_have_text("Sent")

        frame = await sock.expect("invitation")
        assert frame["invitation"]["message"] == (
            "Hi Ada! Dana here. Questions about Pricing | Northwind Analytics?"
        )
        await sock.send({"type": "invitation_shown", "invitation_id": frame["invitation"]["id"]})
        await expect(chip).to_have_text("On screen", timeout=5_000)
        await expect(card.locator(".inv-chip")).to_have_text("On screen")

        await sock.send(
            {"type": "message", "client_id": uuid.uuid4().hex, "body": "Sure, how do seats work?"}
        )
        await expect(chip).to_have_text("Accepted", timeout=5_000)
        await sent.get_by_role("button", name="Open chat").click()
        transcript = rep.get_by_role("log", name="Transcript")
        await expect(transcript).to_contain_text("Hi Ada! Dana here.")
        await expect(transcript).to_contain_text("Sure, how do seats work?")

        # The inbox keeps the invitation with its final state, and today's counts.
        await rep.get_by_role("link", name="Inbox").click()
        invites = rep.get_by_role("list", name="My invitations")
        await expect(invites.locator(".inv-chip").first).to_have_text("Accepted")
        today = rep.get_by_role("region", name="Today")
        await expect(today.locator(".metric", has_text="Invitations")).to_contain_text("1")
        await expect(today.locator(".metric", has_text="Accepted")).to_contain_text("1")
        await env.shot(rep, "console-inbox-today")


async def test_a_reply_to_an_auto_pounce_alerts_the_rep_with_a_timer_and_a_missed_one_turns_auto_pounce_off(
    env: ConsoleEnv,
) -> None:
    dana = env.reps[0]
    rep = await env.console(dana, available=True, page_clock=True)
    # The org switch is off: the rep's profile menu says so.
    await rep.get_by_role("button", name="Profile menu").click()
    menu = rep.get_by_role("dialog", name="Profile and chat settings")
    await expect(menu).to_contain_text("Auto pounce is off for your organization.")
    await rep.keyboard.press("Escape")
    await expect(menu).to_be_hidden()

    admin_api = await env.api(env.admin)
    status, body = await admin_api.request(
        "PATCH",
        "/api/org/settings",
        {
            "proactive": {
                "auto_pounce": True,
                "auto_pounce_after_seconds": 5,
                "rep_timeout_seconds": 5,
                "nudge_after_seconds": 600,
            }
        },
    )
    assert status == 200, body

    async with (
        env.visitor_socket(title="Pricing") as alice,
        env.visitor_socket(title="Pricing") as bob,
    ):
        for sock, name in ((alice, "Alice Ames"), (bob, "Bob Burns")):
            await sock.send(
                {
                    "type": "identify",
                    "email": f"{name.split()[0].lower()}@prospect.example",
                    "name": name,
                }
            )
            await sock.expect("identified")
        # they have browsed for the 5 s: both greeted on Dana's behalf
        assert await env.pass_time(5.2, rep) >= 2
        for sock in (alice, bob):
            greeting = await sock.expect("message")
            assert greeting["message"]["author_name"].startswith("Dana")
            assert greeting["message"]["meta"] == {}  # the "auto pounce" mark is for reps only
            await sock.send(
                {"type": "message", "client_id": uuid.uuid4().hex, "body": "Hi! Yes, a question."}
            )

        alerts = rep.get_by_role("region", name="Alerts")
        alice_alert = alerts.get_by_role("alert", name="Alice Ames replied to your auto pounce")
        bob_alert = alerts.get_by_role("alert", name="Bob Burns replied to your auto pounce")
        await expect(alice_alert).to_be_visible(timeout=5_000)
        await expect(bob_alert).to_be_visible()
        await expect(alice_alert.get_by_role("timer")).to_have_text(re.compile(r"^0:0[0-5]$"))
        await env.shot(rep, "console-auto-pounce-alert")

        # Alice's chat: the greeting is purple and labelled, for reps only; no response needed.
        await alice_alert.get_by_role("button", name="Reply").click()
        transcript = rep.get_by_role("log", name="Transcript")
        auto = transcript.locator('.msg[data-auto-pounce="true"]')
        await expect(auto).to_have_count(1)
        await expect(auto.locator(".tag-auto")).to_have_text("Auto pounce")
        in_console = rep.locator(".console-alert").get_by_role("alert")
        await expect(in_console).to_be_visible()
        await env.shot(rep, "console-auto-pounce-conversation")
        await in_console.get_by_role("button", name="No response needed").click()
        await expect(
            rep.get_by_role("alert", name="Alice Ames replied to your auto pounce")
        ).to_have_count(0)

        # Nobody answers Bob within the rep timeout: a missed response, auto pounce goes off.
        await env.pass_time(5.2, rep)
        await expect(
            rep.get_by_role("alert", name="Bob Burns replied to your auto pounce")
        ).to_have_count(0, timeout=5_000)
        off = (
            rep.get_by_role("region", name="Alerts")
            .get_by_role("alert")
            .filter(has_text="Auto pounce is off for you")
        )
        await expect(off).to_contain_text("Missed response: Bob Burns replied to an auto pounce")
        await env.shot(rep, "console-auto-pounce-missed")
        await rep.get_by_role("button", name="Profile menu").click()
        await expect(menu.get_by_role("switch", name="Enable auto pounce")).to_have_attribute(
            "aria-checked", "false"
        )
        await rep.keyboard.press("Escape")
        await off.get_by_role("button", name="Turn auto pounce back on").click()
        await expect(off).to_have_count(0)
        await rep.get_by_role("button", name="Profile menu").click()
        await expect(menu.get_by_role("switch", name="Enable auto pounce")).to_have_attribute(
            "aria-checked", "true"
        )
        await rep.keyboard.press("Escape")

        await rep.get_by_role("link", name="Inbox").click()
        today = rep.get_by_role("region", name="Today")
        await expect(today.locator(".metric", has_text="Auto pounces")).to_contain_text("2")
        await expect(today.locator(".metric", has_text="Missed")).to_contain_text("1")
