"""Chat tools in the console (issue 7), in Debian's Chromium.

Transfer between two reps' consoles (the transcript is intact, the new owner is told a visitor
is waiting, the chat leaves the old owner's Active box); classification and Recent filters;
hostile visitor data and messages render inert; Org Shortcuts are read-only for reps, who insert
them with "/"; block and report, reviewed by an admin in Blocked & Reported; a chat-end webhook
added in the console is delivered and shows in its recent deliveries.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from tests.conftest import Backend
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import (
    BROWSER_MARKS,
    ConsoleEnv,
    console_env,
    expect,
    inbox_row,
    new_marker,
    open_admin,
    open_inbox,
    visitor_card,
)
from tests.support.ports import ReservedPort, server_port

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS

CORPUS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "xss_corpus.txt"
# Attacks that would set a flag instead of opening a dialog, so a silent success shows too.
FLAG_ATTACKS = [
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "<script>window.__xss=1</script>",
    "[click me](javascript:window.__xss=1)",
    "![pic](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">x</a>',
    '"><img src=x onerror=window.__xss=1>',
]


@pytest_asyncio.fixture(loop_scope="session")
async def env(
    sqlite_memory_backend: Backend, artifacts_dir: Path, browser: TestBrowser
) -> AsyncIterator[ConsoleEnv]:
    async with console_env(
        sqlite_memory_backend,
        artifacts_dir,
        browser,
        visitor_messages_per_10s=1000,
        allow_private_targets=True,
    ) as e:
        yield e


async def conversation_id_of(page: Any) -> str:
    match = re.search(r"/app/conversations/([0-9a-f]{32})$", page.url)
    assert match, page.url
    return match.group(1)


async def test_a_rep_transfers_a_chat_and_the_colleague_gets_the_full_transcript_and_a_visitor_waiting_alert(
    env: ConsoleEnv,
) -> None:
    dana = await env.console(env.reps[0], available=True)
    sam = await env.console(env.reps[1], available=True)

    question = f"Do you support SAML SSO? ({uuid.uuid4().hex[:6]})"
    visitor = await env.visitor_page("/pricing.html")
    await visitor.get_by_role("button", name="Open chat").click()
    await visitor.get_by_role("textbox", name="Message").fill(question)
    await visitor.get_by_role("button", name="Send message").click()

    await open_inbox(dana, "Incoming")
    await inbox_row(dana, question).get_by_role("button", name=re.compile("^Accept chat")).click()
    await expect(dana).to_have_url(re.compile(r"/app/conversations/[0-9a-f]{32}$"))
    conversation_id = await conversation_id_of(dana)
    await dana.get_by_role("textbox", name="Message").fill("Yes: SAML and OIDC, on every plan.")
    await dana.keyboard.press("Enter")
    chat = visitor.get_by_role("log", name="Conversation")
    await expect(chat).to_contain_text("Yes: SAML and OIDC, on every plan.", timeout=5_000)

    # One click on the transfer icon in the conversation's header.
    await dana.get_by_role("button", name="Transfer chat").click()
    pop = dana.get_by_role("dialog", name="Transfer chat")
    await pop.get_by_role("radio", name=re.compile("Sam Okafor")).check()
    await pop.get_by_label("Note for your colleague (optional)").fill(
        "Wants SSO for 40 seats; asked about Team pricing"
    )
    await env.shot(dana, "console-transfer-popover")
    await pop.get_by_role("button", name="Transfer", exact=True).click()

    # Dana's console closes it: back to the live stream, gone from Active.
    await expect(dana).to_have_url(re.compile(r"/app/live$"))
    await open_inbox(dana, "Active")
    await expect(
        dana.locator(f'.conv-row[data-conversation-id="{conversation_id}"]')
    ).to_have_count(0)
    await expect(dana.get_by_role("tab", name="Active (0)")).to_be_visible()

    # Sam is told a visitor is waiting, wherever he is in the console.
    waiting = sam.get_by_role("region", name="Alerts").get_by_role(
        "alert", name=re.compile("^Visitor is waiting")
    )
    await expect(waiting).to_be_visible(timeout=5_000)
    await expect(waiting).to_contain_text("Dana Reyes transferred")
    await expect(waiting).to_contain_text("Wants SSO for 40 seats")
    await env.shot(sam, "console-transfer-alert")
    await waiting.get_by_role("button", name="Open chat").click()
    transcript = sam.get_by_role("log", name="Transcript")
    await expect(transcript).to_contain_text(question)
    await expect(transcript).to_contain_text("Yes: SAML and OIDC, on every plan.")
    await expect(transcript).to_contain_text("You're now chatting with Sam Okafor.")
    note = transcript.locator('.msg-note[data-internal="true"]')
    await expect(note).to_contain_text("Only reps see this")
    await expect(note).to_contain_text("Transfer note from Dana Reyes: Wants SSO for 40 seats")
    await expect(sam.locator(".console .alert-transfer")).to_be_visible()
    await env.shot(sam, "console-transfer-conversation")

    # Sam answers: the alert goes, the visitor sees him (and never the note).
    await sam.get_by_role("textbox", name="Message").fill(
        "Hi, Sam here. 40 seats is our Business plan."
    )
    await sam.keyboard.press("Enter")
    await expect(chat).to_contain_text("Hi, Sam here.", timeout=5_000)
    await expect(chat).to_contain_text("You're now chatting with Sam Okafor.")
    await expect(chat).not_to_contain_text("Wants SSO for 40 seats")
    await expect(sam.locator(".alert-transfer")).to_have_count(0, timeout=5_000)

    # Sam ends the chat and classifies it; Recent filters find it by qualified and tag.
    await sam.get_by_role("button", name="End chat").click()
    await (
        sam.get_by_role("alert", name="Ending this chat")
        .get_by_role("button", name="End now")
        .click()
    )
    panel = sam.get_by_role("region", name="Classification")
    await panel.get_by_role("radio", name="Yes").click()
    await panel.get_by_label("Tags").fill("sso")
    await panel.get_by_label("Tags").press("Enter")
    await panel.get_by_label("Tags").fill("Enterprise")
    await panel.get_by_label("Tags").press("Enter")
    await panel.get_by_label("Deal value").fill("48,000")
    await panel.get_by_label("Notes").fill("Business plan, 40 seats; security review next week")
    await panel.get_by_role("button", name="Save classification").click()
    await expect(panel).to_contain_text("Saved")
    await open_inbox(sam, "Recent")
    await sam.get_by_role("combobox", name="Qualified").select_option("true")
    await sam.get_by_role("textbox", name="Tag").fill("enterprise")
    row = sam.locator(f'.conv-row[data-conversation-id="{conversation_id}"]')
    await expect(row).to_be_visible(timeout=5_000)
    await expect(row).to_contain_text("Qualified")
    await expect(row).to_contain_text("$48,000")
    await sam.get_by_role("searchbox", name="Search recent conversations").fill("security review")
    await expect(row).to_be_visible(timeout=5_000)
    await sam.get_by_role("searchbox", name="Search recent conversations").fill("no such words")
    await expect(row).to_have_count(0, timeout=5_000)
    await expect(sam.get_by_text("No conversations match")).to_be_visible()
    await sam.get_by_role("searchbox", name="Search recent conversations").fill("")
    await sam.get_by_role("combobox", name="Qualified").select_option("false")
    await expect(row).to_have_count(0, timeout=5_000)


async def test_attacks_in_messages_names_titles_urls_referrers_user_agents_and_shortcuts_render_inert(
    env: ConsoleEnv,
) -> None:
    corpus = [
        line
        for line in CORPUS_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    attacks = corpus + FLAG_ATTACKS
    dialogs: list[str] = []
    dana = await env.console(env.reps[0], available=True)

    async def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    dana.on("dialog", on_dialog)
    dana_api = await env.api(env.reps[0])
    status, body = await dana_api.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "xss",
            "body": 'Hello <img src=x onerror="window.__xss=1"> [x](javascript:window.__xss=1) <script>window.__xss=1</script> <svg/onload=alert(1)>',
        },
    )
    assert status == 200, body

    marker = new_marker()
    hostile_name = '<img src=x onerror="window.__xss=1">Mallory<script>alert(1)</script>'
    async with env.visitor_socket(
        url=f'{env.site}/pricing.html?{marker}&q=<script>window.__xss=1</script>&r="><svg onload=alert(1)>',
        title="<img src=x onerror=alert(1)>Pricing<script>window.__xss=1</script>",
        referrer="javascript:window.__xss=1//<svg onload=alert(1)>",
        user_agent="Mozilla/5.0 <script>window.__xss=1</script><img src=x onerror=alert(1)> Chrome/120",
    ) as sock:
        await sock.send({"type": "identify", "email": "mallory@evil.example", "name": hostile_name})
        await sock.expect("identified")
        # The live stream: name, title, URL and referrer on the card.
        card = visitor_card(dana, marker)
        await expect(card).to_contain_text("Mallory", timeout=5_000)
        await expect(card).to_contain_text("Pricing")
        await env.shot(dana, "console-xss-live-stream")

        for attack in attacks:
            await sock.send({"type": "message", "client_id": uuid.uuid4().hex, "body": attack})
            await sock.expect("ack")

        # The inbox row carries the last message; accept and read the whole transcript.
        await open_inbox(dana, "Incoming")
        row = dana.locator(".conv-row").filter(has_text="Mallory")
        await expect(row).to_be_visible()
        await row.get_by_role("button", name=re.compile("^Accept chat")).click()
        transcript = dana.get_by_role("log", name="Transcript")
        await expect(transcript.locator('.msg[data-author-kind="visitor"]')).to_have_count(
            len(attacks), timeout=10_000
        )
        await expect(transcript).to_contain_text("<script>alert(1)</script>")  # shown as text
        await expect(transcript).to_contain_text('<img src=x onerror="window.__xss=1">')
        v360 = dana.get_by_role("complementary", name="Visitor 360")
        await expect(v360).to_contain_text("Mallory")
        await expect(v360.get_by_role("region", name="This visit")).to_contain_text("Pricing")

        # The rep sends a sample of attacks through the composer (and looks at the preview).
        box = dana.get_by_role("textbox", name="Message")
        for attack in [*FLAG_ATTACKS[:4], corpus[0], corpus[2]]:
            await box.fill(attack)
            await box.press("Enter")
        await box.fill(FLAG_ATTACKS[0] + " " + corpus[2])
        await dana.get_by_role("tab", name="Preview").click()
        await expect(dana.get_by_role("region", name="Message preview")).to_contain_text(
            "onerror", timeout=3_000
        )
        await dana.get_by_role("tab", name="Write").click()
        await box.fill("")
        await expect(dana.locator(".msg.pending")).to_have_count(0, timeout=5_000)

        # A shortcut carrying attacks: its preview in the "/" menu, then inserted and sent.
        await box.fill("/xs")
        await expect(
            dana.get_by_role("dialog", name="Shortcuts").get_by_role("option", name="/xss")
        ).to_be_visible()
        await box.press("Enter")
        await expect(box).to_have_value(re.compile("^Hello "))
        await box.press("Enter")
        await expect(dana.locator(".msg.pending")).to_have_count(0, timeout=5_000)

        # Classification with an attack in a tag and the notes.
        conversation_id = await conversation_id_of(dana)
        status, _ = await dana_api.request(
            "PATCH",
            f"/api/conversations/{conversation_id}/classification",
            {
                "tags": ['<img src=x onerror="window.__xss=1">'],
                "notes": "<script>window.__xss=1</script>",
            },
        )
        assert status == 200
        await env.shot(dana, "console-xss-conversation")

        # The shortcuts screen renders every shortcut's HTML.
        await dana.get_by_role("link", name="Shortcuts").click()
        await expect(dana.locator('[data-shortcut="xss"]')).to_contain_text("Hello")
        await open_inbox(dana, "Recent")
        await dana.go_back()

        assert dialogs == []
        assert await dana.evaluate("window.__xss") is None
        assert await dana.evaluate(
            """() => ({
                scripts: document.querySelectorAll('#app script, body > script:not([src])').length,
                handlers: document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover],[onfocus],[ontoggle]').length,
                jsLinks: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*(javascript|data|vbscript):/i.test(a.getAttribute('href'))).length,
                jsImages: [...document.querySelectorAll('img[src]')].filter(i => /^\\s*(javascript|data):/i.test(i.getAttribute('src'))).length,
            })"""
        ) == {"scripts": 0, "handlers": 0, "jsLinks": 0, "jsImages": 0}


async def test_a_rep_cannot_create_org_shortcuts_but_inserts_one_with_a_slash(
    env: ConsoleEnv,
) -> None:
    # The admin writes an Org Shortcut in the console.
    admin = await env.console(env.admin)
    await admin.get_by_role("link", name="Shortcuts").click()
    await admin.get_by_role("button", name="New org shortcut").click()
    form = admin.get_by_role("form", name="New org shortcut")
    await form.get_by_label("Name").fill("welcome")
    await form.get_by_label("Text").fill(
        "Hi {visitor.first_name}! {rep.first_name} here from **Northwind**. How can I help?"
    )
    await form.get_by_role("button", name="Save shortcut").click()
    org_list = admin.get_by_role("region", name="Org Shortcuts")
    await expect(org_list.locator('[data-shortcut="welcome"]')).to_be_visible()

    # A rep sees it read-only: no control to create or edit Org Shortcuts.
    dana = await env.console(env.reps[0], available=True)
    await dana.get_by_role("link", name="Shortcuts").click()
    org_list = dana.get_by_role("region", name="Org Shortcuts")
    await expect(org_list.locator('[data-shortcut="welcome"]')).to_contain_text("Northwind")
    await expect(org_list).to_contain_text("Read-only: only admins edit these")
    await expect(dana.get_by_role("button", name="New org shortcut")).to_have_count(0)
    await expect(dana.get_by_role("button", name="Edit /welcome")).to_have_count(0)
    # ... and the server agrees.
    status, _ = await (await env.api(env.reps[0])).request(
        "POST", "/api/shortcuts", {"name": "mine-org", "body": "x", "scope": "org"}
    )
    assert status == 403

    # Her own shortcut, made in the console.
    await dana.get_by_role("button", name="New shortcut", exact=True).click()
    form = dana.get_by_role("form", name="New shortcut")
    await form.get_by_label("Name").fill("pricing")
    await form.get_by_label("Text").fill(
        "Team is $49 per seat: [see plans](https://northwind.example/pricing)"
    )
    await form.get_by_role("button", name="Save shortcut").click()
    await expect(
        dana.get_by_role("region", name="My Shortcuts").locator('[data-shortcut="pricing"]')
    ).to_be_visible()
    await env.shot(dana, "console-shortcuts-page")

    async with env.visitor_socket() as sock:
        await sock.send(
            {"type": "identify", "email": "ada@prospect.example", "name": "Ada Lovelace"}
        )
        await sock.expect("identified")
        await sock.send(
            {"type": "message", "client_id": uuid.uuid4().hex, "body": "Hello, is anyone there?"}
        )
        await sock.expect("ack")
        await open_inbox(dana, "Incoming")
        await (
            inbox_row(dana, "Hello, is anyone there?")
            .get_by_role("button", name=re.compile("^Accept chat"))
            .click()
        )
        box = dana.get_by_role("textbox", name="Message")

        # "/" opens the list with a preview; Enter inserts the filled-in text for editing.
        await box.press_sequentially("/wel")
        menu = dana.get_by_role("dialog", name="Shortcuts")
        await expect(menu.get_by_role("option", name="/welcome")).to_have_attribute(
            "aria-selected", "true"
        )
        await expect(menu.get_by_role("region", name="Preview of /welcome")).to_contain_text(
            "Northwind"
        )
        await env.shot(dana, "console-shortcuts-menu")
        await box.press("Enter")
        await expect(box).to_have_value("Hi Ada! Dana here from **Northwind**. How can I help?")
        await expect(menu).to_have_count(0)
        await box.press("End")
        await box.press_sequentially(" 👋")
        await box.press("Enter")
        sent = await sock.expect("message", message__author_kind="rep")
        assert sent["message"]["body"] == "Hi Ada! Dana here from **Northwind**. How can I help? 👋"

        # "/name" and a space picks the exact match at once.
        await box.press_sequentially("/pricing ")
        await expect(box).to_have_value(
            "Team is $49 per seat: [see plans](https://northwind.example/pricing)"
        )
        await box.press("Enter")
        sent = await sock.expect("message", message__author_kind="rep")
        assert sent["message"]["body"].startswith("Team is $49 per seat")

    await dana.get_by_role("link", name="Shortcuts").click()
    await expect(dana.locator('[data-shortcut="welcome"]')).to_contain_text("used 1 time")


async def test_a_rep_blocks_and_reports_a_visitor_an_admin_reviews_it_and_the_chat_end_webhook_is_delivered(
    env: ConsoleEnv,
) -> None:
    received: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append({"headers": dict(request.headers), "body": await request.json()})
        return web.Response(status=204)

    receiver_app = web.Application()
    receiver_app.router.add_post("/frontdesk", receive)
    receiver = TestServer(receiver_app, host="127.0.0.1", **server_port(ReservedPort()))
    await receiver.start_server()
    try:
        admin = await env.console(env.admin)
        await open_admin(admin, "Webhooks")
        await admin.get_by_role("button", name="Add endpoint").click()
        form = admin.get_by_role("form", name="Add a webhook endpoint")
        await form.get_by_label("URL").fill(f"http://127.0.0.1:{receiver.port}/frontdesk")
        await form.get_by_label("Description (optional)").fill("CRM connector")
        await form.get_by_role("button", name="Add endpoint").click()
        secret = admin.get_by_test_id("webhook-secret")
        await expect(secret).to_have_text(re.compile(r"^whsec_"))
        await expect(admin.get_by_role("button", name="Copy signing secret")).to_be_visible()
        await env.shot(admin, "admin-webhooks-secret")
        await admin.get_by_role("button", name="I've saved it").click()
        await expect(secret).to_have_count(0)

        dana = await env.console(env.reps[0], available=True)
        async with env.visitor_socket() as sock:
            await sock.send(
                {"type": "identify", "email": "spam@bulk.example", "name": "Spammy McSpam"}
            )
            await sock.expect("identified")
            await sock.send(
                {
                    "type": "message",
                    "client_id": uuid.uuid4().hex,
                    "body": "CHEAP PILLS at bulk.example!!!",
                }
            )
            await sock.expect("ack")
            await open_inbox(dana, "Incoming")
            await (
                inbox_row(dana, "CHEAP PILLS")
                .get_by_role("button", name=re.compile("^Accept chat"))
                .click()
            )
            await dana.get_by_role("button", name="Conversation menu").click()
            await dana.get_by_role("menuitem", name="Block and report visitor").click()
            confirm = dana.get_by_role("dialog", name="Block and report visitor?")
            await confirm.get_by_label("What happened? (optional)").fill("Spam links, three times")
            await env.shot(dana, "console-block-and-report-dialog")
            await confirm.get_by_role("button", name="Block and report visitor").click()
            await expect(dana).to_have_url(re.compile(r"/app/live$"))
            await sock.expect("blocked")

        # The chat ended with the block: its event reaches the CRM endpoint.
        await env.server.runtime.sweeper.run_due()
        assert [r["body"]["type"] for r in received] == ["conversation.ended"]
        assert received[0]["body"]["data"]["visitor"]["name"] == "Spammy McSpam"
        assert received[0]["headers"]["webhook-signature"].startswith("v1,")

        # The admin reviews the report: blocks the IP, marks it reviewed, lifts the visitor block.
        await open_admin(admin, "Blocked & Reported")
        reports = admin.get_by_role("table", name="Reports")
        report = reports.locator("tbody tr").filter(has_text="Spam links, three times")
        await expect(report).to_contain_text("Spammy McSpam")
        await expect(report).to_contain_text("Dana Reyes")
        await expect(report).to_contain_text("Open")
        await report.get_by_role("button", name="Block IP").click()
        ip_blocks = admin.get_by_role("list", name="IP blocks")
        await expect(ip_blocks).to_contain_text("127.0.0.1")
        await expect(ip_blocks).to_contain_text("Blocked")
        blocked = admin.get_by_role("list", name="Blocked visitors")
        await expect(blocked).to_contain_text("Spammy McSpam")
        await env.shot(admin, "admin-blocked-and-reported", full_page=True)
        await report.get_by_role("button", name="Mark reviewed").click()
        await expect(report).to_contain_text("Reviewed")
        await admin.get_by_role("button", name="Lift block on 127.0.0.1").click()
        await expect(ip_blocks).to_contain_text("No IP blocks.")
        await blocked.get_by_role("button", name="Unblock Spammy McSpam").click()
        await expect(blocked).to_contain_text("Nobody is blocked.")

        # The endpoint's recent deliveries show the delivered event.
        await open_admin(admin, "Webhooks")
        await admin.get_by_role("button", name="Recent deliveries").click()
        deliveries = admin.get_by_role("table", name=re.compile("^Deliveries to"))
        await expect(deliveries).to_contain_text("conversation.ended")
        await expect(deliveries).to_contain_text("delivered")
        await expect(deliveries).to_contain_text("204")
        await env.shot(admin, "admin-webhooks")
    finally:
        await receiver.close()
