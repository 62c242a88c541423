"""Who gets emailed about missed chats, and the admins' daily summary email, through a real
SMTP server and the HTTP API, with a moved clock instead of sleeping."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from frontdesk.deadlines.service import Sweeper
from frontdesk.features import conversations, experiences, reports
from tests.harness import Server

pytestmark = pytest.mark.asyncio

PARIS = ZoneInfo("Europe/Paris")


def _two_sweepers(server: Server) -> Sweeper:
    """A second server process's sweeper on the same database (they race for each deadline)."""
    other = Sweeper(server.runtime.db, server.clock)
    other.register(
        experiences.KIND_MISSED_CHAT_EMAIL,
        lambda d: experiences.on_missed_chat_email(server.runtime, d),
    )
    other.register(
        conversations.KIND_INCOMING_TIMEOUT,
        lambda d: conversations.on_incoming_timeout(server.runtime, d),
    )
    other.register(
        reports.KIND_DAILY_SUMMARY, lambda d: reports.on_daily_summary(server.runtime, d)
    )
    return other


async def _sweep(server: Server, other: Sweeper, times: int = 3) -> None:
    for _ in range(times):
        await asyncio.gather(server.runtime.sweeper.run_due(), other.run_due())


async def _mails_to(
    inbox: list[object], addresses: set[str], count: int, *, patience: float = 5.0
) -> list[EmailMessage]:
    """The mails to these addresses once `count` have come or `patience` seconds have passed.
    The sweeps send their mails before they return (_sweep), so a check that fewer came needs
    little patience: a second for a mail that should not exist."""

    def mine() -> list[object]:
        return [e for e in inbox if set(e.rcpt_tos) & addresses]  # type: ignore[attr-defined]

    for _ in range(int(patience / 0.05)):
        if len(mine()) >= count:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a duplicate would arrive by now
    return [
        message_from_bytes(e.content, policy=policy.default)  # type: ignore[attr-defined,misc]
        for e in mine()
    ]


async def _missed_chat(server: Server, org: object, other: Sweeper, text: str) -> str:
    async with server.visitor(org) as visitor:  # type: ignore[arg-type]
        await visitor.send({"type": "message", "client_id": "first", "body": text})
        ack = await visitor.expect("ack", client_id="first")
        server.clock.advance(5 * 60 + 1)
        await _sweep(server, other)
        await visitor.expect("conversation", conversation__status="missed")
    return str(ack["message"]["conversation_id"])


async def test_missed_chats_go_to_the_team_address_and_not_to_reps_who_opted_out(
    smtp_inbox: list[object], server: Server
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin", name="Ada Admin")
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    for rep in (admin, sam):
        status, body = await rep.request(
            "PUT", "/api/me/email-preferences", {"missed_chat_emails": False}
        )
        assert status == 200 and body == {"missed_chat_emails": False, "daily_summary_email": False}
    # A team address must be one address; missed chats must go somewhere.
    for bad in ("sales team@example.com", "a@example.com, b@example.com", "nobody"):
        status, _ = await admin.request(
            "PUT", "/api/admin/email-settings", {"team_address": bad, "email_reps": True}
        )
        assert status == 422, bad
    status, _ = await admin.request(
        "PUT", "/api/admin/email-settings", {"team_address": None, "email_reps": False}
    )
    assert status == 422
    status, _ = await dana.request(
        "PUT", "/api/admin/email-settings", {"team_address": "x@example.com"}
    )
    assert status == 403  # admins only
    team = "sales-team@example.com"
    status, body = await admin.request(
        "PUT", "/api/admin/email-settings", {"team_address": team, "email_reps": True}
    )
    assert status == 200 and body["team_address"] == team and body["email_reps"] is True

    other = _two_sweepers(server)
    cid = await _missed_chat(server, org, other, "Do you integrate with Salesforce?")
    everyone = {admin.email, dana.email, sam.email, team}
    mails = await _mails_to(smtp_inbox, everyone, 2)
    # Dana (routed, still opted in) and the team address, once each; not Sam nor the admin.
    assert sorted(m["To"] for m in mails) == sorted([dana.email, team])
    for mail in mails:
        text = mail.get_body(preferencelist=("plain",))
        page = mail.get_body(preferencelist=("html",))
        assert text is not None and page is not None
        assert f"/app/conversations/{cid}" in text.get_content()
        assert f"/app/conversations/{cid}" in page.get_content()

    # Instead of the reps: only the team address.
    status, _ = await admin.request(
        "PUT", "/api/admin/email-settings", {"team_address": team, "email_reps": False}
    )
    assert status == 200
    smtp_inbox.clear()
    await _missed_chat(server, org, other, "Hello again?")
    mails = await _mails_to(smtp_inbox, everyone, 1)
    assert [m["To"] for m in mails] == [team]


async def test_an_admin_who_opts_in_gets_yesterdays_figures_once_a_day_and_can_unsubscribe_in_one_click(
    smtp_inbox: list[object], server: Server
) -> None:
    # 08:00 in Paris: the chat below happens on that local day.
    local = server.clock.now().astimezone(PARIS)
    eight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PARIS)
    server.clock.set(eight.replace(hour=8))  # type: ignore[attr-defined]
    today = eight.date()
    org = await server.create_org()
    admin = await server.rep(org, "admin", name="Ada Admin")
    rep = await server.rep(org, name="Dana Reyes", available=False)
    status, _ = await rep.request("PUT", "/api/me/email-preferences", {"daily_summary_email": True})
    assert status == 403  # the summary is for admins
    status, body = await admin.request("GET", "/api/me/email-preferences")
    assert status == 200 and body["daily_summary_email"] is False  # off by default
    status, _ = await admin.request(
        "PUT", "/api/admin/email-settings", {"time_zone": "Mars/Olympus", "email_reps": True}
    )
    assert status == 422
    status, body = await admin.request(
        "PUT",
        "/api/me/email-preferences",
        {"daily_summary_email": True, "missed_chat_emails": False},
    )
    assert status == 200 and body["daily_summary_email"] is True
    # Opted in under UTC; the org's new time zone moves the summary to 07:00 in Paris.
    status, _ = await admin.request(
        "PUT", "/api/admin/email-settings", {"time_zone": "Europe/Paris", "email_reps": True}
    )
    assert status == 200

    other = _two_sweepers(server)
    await _missed_chat(server, org, other, "Anyone there?")
    # Nothing before 07:00 tomorrow; then one email however many processes sweep.
    server.clock.set(
        datetime.combine(today + timedelta(days=1), datetime.min.time(), PARIS).replace(
            hour=6, minute=59
        )
    )  # type: ignore[attr-defined]
    await _sweep(server, other)
    assert await _mails_to(smtp_inbox, {admin.email}, 1, patience=1) == []
    server.clock.advance(61)
    await _sweep(server, other)
    mails = await _mails_to(smtp_inbox, {admin.email}, 1)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"].endswith(f"Daily summary for {today.isoformat()}")
    text = mail.get_body(preferencelist=("plain",))
    page = mail.get_body(preferencelist=("html",))
    assert text is not None and page is not None
    lines = dict(
        (line.rsplit("  ", 1)[0].strip(), line.rsplit("  ", 1)[1].strip())
        for line in text.get_content().splitlines()
        if "  " in line
    )
    assert lines["Chats"] == "1" and lines["Answered"] == "0" and lines["Missed"] == "1"
    assert lines["First response (median)"] == "-" and lines["Calls"] == "0"
    assert "Meetings booked" in lines and "Pounces sent" in lines
    assert "Missed</th><td>1</td>" in page.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link in text.get_content() and link.replace("&", "&amp;") in page.get_content()
    # A later sweep the same day sends nothing more.
    await _sweep(server, other)
    assert len(await _mails_to(smtp_inbox, {admin.email}, 2, patience=1)) == 1

    parts = urlsplit(link)
    assert parts.path == reports.UNSUBSCRIBE_PATH
    query = parse_qs(parts.query)
    url = server.url + parts.path
    http = server.http()
    forged = {"r": query["r"][0], "s": "0" * 40}
    async with http.get(url, params=forged) as response:
        assert response.status == 403
    async with http.post(url, params=forged, data="List-Unsubscribe=One-Click") as response:
        assert response.status == 403
    # GET (a mail scanner opening the link) only asks.
    async with http.get(url, params={k: v[0] for k, v in query.items()}) as response:
        assert response.status == 200
        assert 'method="post"' in await response.text()
    status, body = await admin.request("GET", "/api/me/email-preferences")
    assert body["daily_summary_email"] is True
    # The mail client's one-click POST unsubscribes.
    async with http.post(
        url,
        params={k: v[0] for k, v in query.items()},
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert response.status == 200
        assert "no more daily summaries" in await response.text()
    status, body = await admin.request("GET", "/api/me/email-preferences")
    assert body["daily_summary_email"] is False
    server.clock.advance(24 * 3600)
    await _sweep(server, other)
    assert len(await _mails_to(smtp_inbox, {admin.email}, 2, patience=1)) == 1


async def test_the_unsubscribe_page_is_rate_limited_per_address(server: Server) -> None:
    http = server.http()
    url = server.url + reports.UNSUBSCRIBE_PATH
    statuses = []
    for _ in range(22):
        async with http.get(url, params={"r": "x" * 32, "s": "0" * 40}) as response:
            statuses.append(response.status)
    # (Earlier tests on this Redis may have used some of the minute's allowance.)
    first = statuses.index(429)
    assert 0 < first <= 20 and set(statuses[:first]) == {403}
    assert set(statuses[first:]) == {429}


async def test_an_offline_message_goes_to_the_team_address_in_text_and_html(
    smtp_inbox: list[object], server: Server
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin", available=False)
    away = await server.rep(org, name="Away Rep", available=False)
    status, _ = await away.request(
        "PUT", "/api/me/email-preferences", {"missed_chat_emails": False}
    )
    assert status == 200
    team = "desk@example.com"
    status, _ = await admin.request(
        "PUT", "/api/admin/email-settings", {"team_address": team, "email_reps": True}
    )
    assert status == 200
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "first", "body": "Ship to Canada?"})
        await visitor.expect("message", message__author_kind="bot")
        await visitor.send(
            {
                "type": "offline_message",
                "name": "Pat",
                "email": "pat@maple.example",
                "body": "Please email me <about> shipping",
            }
        )
        await visitor.expect("offline_received")
        await server.runtime.sweeper.run_due()
    # One mail, to both (its envelope's recipients, below).
    mails = await _mails_to(smtp_inbox, {team, away.email, admin.email}, 1)
    # The admin (still opted in) and the team address; not the rep who opted out.
    recipients = sorted(
        r
        for e in smtp_inbox
        for r in e.rcpt_tos  # type: ignore[attr-defined]
        if r in {team, away.email, admin.email}
    )
    assert recipients == sorted([admin.email, team])
    mail = mails[0]
    text = mail.get_body(preferencelist=("plain",))
    page = mail.get_body(preferencelist=("html",))
    assert text is not None and page is not None
    assert "Please email me <about> shipping" in text.get_content()
    assert "Please email me &lt;about&gt; shipping" in page.get_content()
