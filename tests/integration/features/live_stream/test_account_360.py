"""Account 360: the company page shows the campaigns and ad click ids a visitor's landing URL
carried, who from the company is on the site now, and their conversations; it follows the
org and routing boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.core.ids import new_id
from frontdesk.features.calls.models import Call
from frontdesk.features.meetings.models import Meeting
from tests.harness import Server

pytestmark = pytest.mark.asyncio

LANDING = (
    "https://www.customer.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=q4-crm"
    "&utm_term=crm+software&utm_content=ad-7&gclid=EAIaIQ-gclid-123&li_fat_id=li-456"
)


async def test_account_360_shows_campaigns_click_ids_visitors_online_and_their_chats(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    status, saved = await admin.request(
        "POST",
        "/api/accounts",
        {"name": "Acme", "domain": "acme.example", "employees": 1200, "industry": "Software"},
    )
    assert status == 200, saved
    account_id = saved["account"]["id"]
    # Visitors from 127.0.0.1 (the test client) are Acme's.
    status, _ = await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Acme", "account_id": account_id},
    )
    assert status == 200
    async with server.visitor(org, url=LANDING, title="Pricing") as visitor:
        visitor_id = visitor.welcome["visitor_id"]
        await visitor.send({"type": "message", "client_id": "m1", "body": "Do you integrate?"})
        await visitor.expect("ack")
        status, page = await admin.request("GET", f"/api/accounts/{account_id}/360?zone=UTC")
        assert status == 200, page
    assert page["account"]["name"] == "Acme"
    assert page["account"]["employees"] == 1200
    assert page["visitor_total"] == 1
    assert [v["id"] for v in page["online_now"]] == [visitor_id]
    assert page["online_now"][0]["current_url"] == LANDING
    assert page["campaigns"] == [
        {
            "source": "google",
            "medium": "cpc",
            "campaign": "q4-crm",
            "term": "crm software",
            "content": "ad-7",
            "visits": 1,
            "visitors": 1,
            "last_at": page["campaigns"][0]["last_at"],
        }
    ]
    clicks = {(c["kind"], c["value"]) for c in page["ad_clicks"]}
    assert clicks == {("gclid", "EAIaIQ-gclid-123"), ("li_fat_id", "li-456")}
    assert all(c["visitor_id"] == visitor_id for c in page["ad_clicks"])
    assert [c["visitor_id"] for c in page["conversations"]] == [visitor_id]
    assert page["conversations"][0]["origin"] == "inbound"
    assert sum(d["count"] for d in page["page_views_by_day"]) == 1
    assert page["top_pages"][0]["url"] == LANDING
    assert page["meetings"] == [] and page["calls"] == []
    # Gone from the site: still a known visitor, no longer online.
    status, later = await admin.request("GET", f"/api/accounts/{account_id}/360")
    assert status == 200
    assert [v["id"] for v in later["visitors"]] == [visitor_id]


async def test_another_orgs_rep_cannot_open_the_account(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    status, saved = await admin.request(
        "POST", "/api/accounts", {"name": "Acme", "domain": "acme.example"}
    )
    assert status == 200
    other = await server.rep(await server.create_org("Other"), "admin")
    status, body = await other.request("GET", f"/api/accounts/{saved['account']['id']}/360")
    assert status == 404
    assert body["error"]["message"] == "account not found"
    status, body = await admin.request(
        "GET", f"/api/accounts/{saved['account']['id']}/360?zone=Nowhere/Land"
    )
    assert status == 422


async def test_a_rep_sees_only_the_company_visitors_routed_to_them_or_to_nobody(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep")
    status, saved = await admin.request(
        "POST", "/api/accounts", {"name": "Acme", "domain": "acme.example"}
    )
    account_id = saved["account"]["id"]
    await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Acme", "account_id": account_id},
    )
    async with server.visitor(org, url=LANDING):
        status, seen = await rep.request("GET", f"/api/accounts/{account_id}/360")
    assert status == 200
    # Routed to nobody (no routing set up): every rep sees them.
    assert seen["visitor_total"] == 1
    async with server.runtime.db.transaction() as session:
        from sqlalchemy import update

        from frontdesk.features.visitors.models import Visit

        await session.execute(
            update(Visit)
            .where(Visit.account_id == account_id)
            .values(routed_rep_ids=[admin.rep_id])
        )
    status, hidden = await rep.request("GET", f"/api/accounts/{account_id}/360")
    assert status == 200
    assert hidden["visitor_total"] == 0
    assert hidden["visitors"] == [] and hidden["campaigns"] == [] and hidden["ad_clicks"] == []
    status, everything = await admin.request("GET", f"/api/accounts/{account_id}/360")
    assert everything["visitor_total"] == 1 and everything["ad_clicks"]


async def test_a_team_lead_opens_account_360_for_the_whole_org_as_an_admin_does(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    lead, rep = await server.rep(org, "rep", "Lee Lead"), await server.rep(org, "rep")
    status, _ = await admin.request("PATCH", f"/api/reps/{lead.rep_id}", {"role": "lead"})
    assert status == 200
    status, saved = await admin.request(
        "POST", "/api/accounts", {"name": "Acme", "domain": "acme.example"}
    )
    account_id = saved["account"]["id"]
    await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Acme", "account_id": account_id},
    )
    async with server.visitor(org, url=LANDING) as visitor:
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
    async with server.runtime.db.transaction() as session:
        from sqlalchemy import update

        from frontdesk.features.visitors.models import Visit

        await session.execute(
            update(Visit)
            .where(Visit.account_id == account_id)
            .values(routed_rep_ids=[admin.rep_id])
        )
    status, hidden = await rep.request("GET", f"/api/accounts/{account_id}/360")
    assert status == 200 and hidden["visitor_total"] == 0
    status, as_lead = await lead.request("GET", f"/api/accounts/{account_id}/360")
    status_admin, as_admin = await admin.request("GET", f"/api/accounts/{account_id}/360")
    assert status == status_admin == 200
    assert as_lead["visitor_total"] == 1 and as_lead["ad_clicks"]
    assert as_lead == as_admin
    # The visitor's 360 opens from there for the lead too; a rep gets what an unknown id gets.
    status, _ = await rep.request("GET", f"/api/visitors/{vid}")
    assert status == 404
    status, profile = await lead.request("GET", f"/api/visitors/{vid}")
    assert status == 200 and profile["visitor"]["id"] == vid


async def test_account_360_lists_the_companys_calls_and_meetings(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    dana = await server.rep(org, "rep", "Dana Reyes")
    status, saved = await admin.request(
        "POST", "/api/accounts", {"name": "Acme", "domain": "acme.example"}
    )
    assert status == 200, saved
    account_id = saved["account"]["id"]
    status, _ = await admin.request(
        "POST",
        "/api/ip-ranges",
        {"cidr": "127.0.0.1/32", "company": "Acme", "account_id": account_id},
    )
    assert status == 200
    async with server.visitor(org, url=LANDING, title="Pricing") as visitor:
        visitor_id = visitor.welcome["visitor_id"]
        await visitor.send({"type": "message", "client_id": "m1", "body": "Can we talk?"})
        ack = await visitor.expect("ack")
    chat_id = ack["message"]["conversation_id"]
    now = server.clock.now()
    # A call in the chat and a meeting the visitor booked, as features/calls and
    # features/meetings store them.
    async with server.runtime.db.transaction() as session:
        session.add(
            Call(
                id=new_id(),
                org_id=org.id,
                conversation_id=chat_id,
                visitor_id=visitor_id,
                rep_id=dana.rep_id,
                initiated_by="visitor",
                media="video",
                state="ended",
                end_reason="ended_by_visitor",
                channel="browser",
                created_at=now,
                answered_at=now + timedelta(seconds=5),
                connected_at=now + timedelta(seconds=6),
                ended_at=now + timedelta(seconds=101),
            )
        )
        session.add(
            Meeting(
                id=new_id(),
                org_id=org.id,
                conversation_id=chat_id,
                visitor_id=visitor_id,
                owner_rep_id=dana.rep_id,
                attendee_rep_ids=[],
                title="Acme demo",
                location="",
                start_at=now + timedelta(days=2),
                end_at=now + timedelta(days=2, minutes=30),
                visitor_name="Pat",
                visitor_email="pat@acme.example",
                visitor_time_zone="UTC",
                answers=[],
                status="booked",
                uid=new_id() + "@frontdesk",
                sequence=0,
                created_at=now,
            )
        )
    status, page = await admin.request("GET", f"/api/accounts/{account_id}/360?zone=UTC")
    assert status == 200, page
    assert [(c["conversation_id"], c["end_reason"]) for c in page["calls"]] == [
        (chat_id, "ended_by_visitor")
    ]
    assert page["calls"][0]["duration_seconds"] == 95
    assert page["calls"][0]["rep"]["name"] == "Dana Reyes"
    assert [(m["title"], m["visitor_id"], m["owner_name"]) for m in page["meetings"]] == [
        ("Acme demo", visitor_id, "Dana Reyes")
    ]
    # Another org's admin sees none of it.
    other = await server.rep(await server.create_org(), "admin")
    status, _ = await other.request("GET", f"/api/accounts/{account_id}/360")
    assert status == 404


async def test_each_company_page_lists_only_its_own_visitors_chats_and_campaigns(
    server: Server,
) -> None:
    """The chats are found by the company's visitor ids (one bound list) and the campaigns
    from an index over visits with UTM parameters: neither lets another company's in."""
    from sqlalchemy import update

    from frontdesk.features.visitors.models import Visit

    org = await server.create_org()
    admin = await server.rep(org, "admin")
    accounts = []
    for name in ("Acme", "Globex"):
        status, saved = await admin.request(
            "POST", "/api/accounts", {"name": name, "domain": f"{name.lower()}.example"}
        )
        assert status == 200, saved
        accounts.append(saved["account"]["id"])
    acme, globex = accounts
    await admin.request(
        "POST", "/api/ip-ranges", {"cidr": "127.0.0.1/32", "company": "Acme", "account_id": acme}
    )
    visitor_ids = []
    for n, url in enumerate((LANDING, "https://www.customer.example/?utm_source=bing")):
        async with server.visitor(org, url=url) as visitor:
            visitor_ids.append(visitor.welcome["visitor_id"])
            await visitor.send({"type": "message", "client_id": f"m{n}", "body": "Hello"})
            await visitor.expect("ack")
    # The second visitor turns out to be from Globex.
    async with server.runtime.db.transaction() as session:
        await session.execute(
            update(Visit).where(Visit.visitor_id == visitor_ids[1]).values(account_id=globex)
        )
    for account_id, visitor_id, source in (
        (acme, visitor_ids[0], "google"),
        (globex, visitor_ids[1], "bing"),
    ):
        status, page = await admin.request("GET", f"/api/accounts/{account_id}/360")
        assert status == 200, page
        assert [v["id"] for v in page["visitors"]] == [visitor_id]
        assert [c["visitor_id"] for c in page["conversations"]] == [visitor_id]
        assert [(c["source"], c["visits"]) for c in page["campaigns"]] == [(source, 1)]
