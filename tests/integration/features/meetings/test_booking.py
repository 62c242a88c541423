"""Booking a meeting: who it goes to, one winner per slot, invitations by real email, the
signed cancel link, and times that come out right in both people's zones."""

from __future__ import annotations

import asyncio
import email
import re
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from frontdesk.core.clock import FrozenClock
from frontdesk.features import meetings
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server
from tests.integration.features.meetings.conftest import meeting_type, working_hours

pytestmark = pytest.mark.asyncio
UTC = ZoneInfo("UTC")
# Thursday 5 March 2026: New York still on EST (until Sunday 8 March), Berlin on CET.
NOW = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)


@pytest.fixture
async def clocked(backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, clock=FrozenClock(NOW)
    ) as srv:
        yield srv


async def offer_for(
    server: Server, org: OrgInfo, type_id: str, owner: str | None = None, everyone: bool = False
) -> str:
    """An offer made without a chat (as a link), straight through the service."""
    async with server.runtime.uow() as work:
        offer = await meetings.create_offer(
            work,
            None,
            org_id=org.id,
            meeting_type_id=type_id,
            conversation_id=None,
            choice="choose" if owner else "type_routing",
            owner_rep_id=owner,
            with_everyone=everyone,
        )
        return offer.id


async def card(server: Server, org: OrgInfo, offer_id: str, tz: str) -> Any:
    async with server.http().get(
        f"{server.url}/widget/meetings/{offer_id}",
        params={"site": org.site_key, "tz": tz},
        headers={"Origin": org.origin},
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def book(
    server: Server, org: OrgInfo, offer_id: str, start: str, **fields: Any
) -> tuple[int, Any]:
    body = {
        "start": start,
        "name": "Vera Visitor",
        "email": "vera@customer.example",
        "time_zone": "Europe/Berlin",
    } | fields
    async with server.http().post(
        f"{server.url}/widget/meetings/{offer_id}/book",
        params={"site": org.site_key},
        headers={"Origin": org.origin},
        json=body,
    ) as response:
        return response.status, await response.json()


def about(inbox: list[Any], meeting_id: str) -> list[Any]:
    """The emails about this meeting (the shared test database may hold other tests' unsent
    invitations, which this server, the first with a mail server, then sends)."""
    return [e for e in inbox if meeting_id.encode() in e.content]


def first_slot(data: Any) -> str:
    return str(data["days"][0]["slots"][0]["start"])


def calendar_part(message: Message) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_payload(decode=True).decode())
    raise AssertionError("no text part")


async def test_round_robin_gives_each_member_a_turn_across_two_servers(
    postgres_redis_backend: Backend,
) -> None:
    backend = postgres_redis_backend
    async with (
        running_server(
            backend.database_url, backend.bus_url, backend.namespace, clock=FrozenClock(NOW)
        ) as one,
        running_server(
            backend.database_url, backend.bus_url, backend.namespace, clock=FrozenClock(NOW)
        ) as two,
    ):
        org = await one.create_org()
        admin = await one.rep(org, "admin")
        reps = [await one.rep(org, "rep", name) for name in ("Ana", "Ben", "Cy")]
        for rep in reps:
            await working_hours(admin, rep.rep_id)
        kind = await meeting_type(admin, [r.rep_id for r in reps], routing="round_robin")
        status, upcoming = await admin.request("GET", f"/api/meeting-types/{kind['id']}/next-owner")
        assert status == 200 and upcoming["rep_id"] == reps[0].rep_id
        owners = []
        for index in range(6):
            server = (one, two)[index % 2]
            offer_id = await offer_for(server, org, kind["id"])
            async with server.runtime.db.read() as session:
                from frontdesk.features.meetings.models import MeetingOffer

                offer = await session.get(MeetingOffer, offer_id)
                assert offer is not None
                owners.append(offer.owner_rep_id)
        ids = [r.rep_id for r in reps]
        assert owners == ids + ids


async def test_schedule_with_everyone_offers_only_common_free_time(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    early = await server.rep(org, "rep", "Early Bird")
    late = await server.rep(org, "rep", "Night Owl")
    week = ("mon", "tue", "wed", "thu", "fri")
    await working_hours(admin, early.rep_id, "UTC", {d: [["08:00", "12:00"]] for d in week})
    await working_hours(admin, late.rep_id, "UTC", {d: [["11:00", "18:00"]] for d in week})
    kind = await meeting_type(
        admin, [early.rep_id, late.rep_id], routing="everyone", duration_minutes=30
    )
    offer_id = await offer_for(server, org, kind["id"])
    data = await card(server, org, offer_id, "UTC")
    labels = {slot["label"] for day in data["days"] for slot in day["slots"]}
    assert labels == {"11:00", "11:15", "11:30"}
    # A booking with everyone takes the time of both.
    status, meeting = await book(server, org, offer_id, first_slot(data))
    assert status == 200, meeting
    assert set(meeting["attendee_rep_ids"]) == {early.rep_id, late.rep_id}
    alone = await offer_for(server, org, kind["id"], owner=late.rep_id)
    day = (await card(server, org, alone, "UTC"))["days"][0]
    assert data["days"][0]["date"] == day["date"]
    assert "11:00" not in [s["label"] for s in day["slots"]]
    assert "11:30" in [s["label"] for s in day["slots"]]


async def test_twenty_visitors_racing_for_one_slot_give_exactly_one_meeting(
    backend: Backend,
) -> None:
    # Twenty visitors of one site on one address (the test's): lift the per-address rate.
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        clock=FrozenClock(NOW),
        meeting_bookings_per_ip="100/hour",
    ) as server:
        await race_for_one_slot(server)


async def race_for_one_slot(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Dana")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id], buffer_after_minutes=10)
    offers = [await offer_for(server, org, kind["id"], owner=rep.rep_id) for _ in range(20)]
    start = first_slot(await card(server, org, offers[0], "Europe/Berlin"))
    results = await asyncio.gather(
        *(
            book(server, org, offer_id, start, email=f"v{i}@customer.example")
            for i, offer_id in enumerate(offers)
        )
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 19, results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "slot_taken"
    status, upcoming = await rep.request("GET", "/api/meetings/upcoming")
    assert status == 200 and len(upcoming["meetings"]) == 1
    # The losers get fresh slots without the taken one.
    fresh = await card(server, org, offers[1], "Europe/Berlin")
    assert first_slot(fresh) != start


async def test_a_dst_week_shows_the_right_times_in_new_york_and_berlin(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Nina in New York")
    await working_hours(admin, rep.rep_id, "America/New_York")
    kind = await meeting_type(admin, [rep.rep_id], horizon_days=30, duration_minutes=60)
    offer_id = await offer_for(server, org, kind["id"])
    berlin = {d["date"]: d for d in (await card(server, org, offer_id, "Europe/Berlin"))["days"]}
    new_york = {
        d["date"]: d for d in (await card(server, org, offer_id, "America/New_York"))["days"]
    }
    # Friday 6 March: EST (UTC-5) and CET (UTC+1), six hours apart.
    assert new_york["2026-03-06"]["slots"][0]["label"] == "09:00"
    assert berlin["2026-03-06"]["slots"][0]["label"] == "15:00"
    assert berlin["2026-03-06"]["label"] == "Fri 6 Mar"
    # Monday 9 March: New York moved to EDT (UTC-4), Berlin did not: five hours apart.
    assert new_york["2026-03-09"]["slots"][0]["label"] == "09:00"
    assert berlin["2026-03-09"]["slots"][0]["label"] == "14:00"
    assert berlin["2026-03-09"]["slots"][0]["start"] == "2026-03-09T13:00:00+00:00"
    # Monday 30 March: Berlin on CEST too: six hours again.
    assert berlin["2026-03-30"]["slots"][0]["label"] == "15:00"
    # The last slot of a New York day ends at 17:00 there, 23:00 in Berlin on the 30th.
    assert new_york["2026-03-09"]["slots"][-1]["label"] == "16:00"
    assert berlin["2026-03-30"]["slots"][-1]["label"] == "22:00"


async def test_invitations_are_emailed_and_the_signed_link_cancels_with_the_same_uid(
    smtp_inbox: list[Any], sqlite_memory_backend: Backend
) -> None:
    backend = sqlite_memory_backend
    async with running_server(
        backend.database_url, "memory://", "unused", clock=FrozenClock(NOW)
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, "admin")
        owner = await server.rep(org, "rep", "Dana Reyes")
        colleague = await server.rep(org, "rep", "Sam Okafor")
        await working_hours(admin, owner.rep_id, "Europe/Berlin")
        await working_hours(admin, colleague.rep_id, "Europe/Berlin")
        kind = await meeting_type(
            admin,
            [owner.rep_id, colleague.rep_id],
            routing="everyone",
            questions=[{"label": "What should we prepare?", "required": True}],
        )
        offer_id = await offer_for(server, org, kind["id"], owner=owner.rep_id, everyone=True)
        data = await card(server, org, offer_id, "America/New_York")
        start = first_slot(data)
        status, error = await book(server, org, offer_id, start, answers={})
        assert status == 422 and "please answer" in error["error"]["message"]
        status, meeting = await book(
            server, org, offer_id, start, answers={"q1": "A demo"}, time_zone="America/New_York"
        )
        assert status == 200, meeting
        await server.runtime.sweeper.run_due()
        assert len(about(smtp_inbox, meeting["id"])) == 2
        messages = {
            tuple(e.rcpt_tos): email.message_from_bytes(e.content)
            for e in about(smtp_inbox, meeting["id"])
        }
        to_visitor = messages[("vera@customer.example",)]
        to_reps = messages[(owner.email, colleague.email)]
        for message in (to_visitor, to_reps):
            invite = calendar_part(message)
            assert str(invite["METHOD"]) == "REQUEST"
            event = next(iter(invite.walk("VEVENT")))
            assert str(event["UID"]) == f"{meeting['id']}@frontdesk"
            assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
            assert event["DTEND"].params["TZID"] == "Europe/Berlin"
            assert event["DTSTART"].dt == datetime.fromisoformat(start)
            assert (event["DTEND"].dt - event["DTSTART"].dt).total_seconds() == 1800
            assert str(event["ORGANIZER"]) == f"mailto:{owner.email}"
            attendees = {str(a) for a in event["ATTENDEE"]}
            assert attendees == {
                f"mailto:{owner.email}",
                f"mailto:{colleague.email}",
                "mailto:vera@customer.example",
            }
            assert any(p.get_filename() == "invite.ics" for p in message.walk())
        assert invite.walk("VTIMEZONE")
        visitor_text = text_part(to_visitor)
        assert "(America/New_York)" in visitor_text
        cancel_link = re.search(r"(http://\S+/cancel\?s=\S+)", visitor_text)
        assert cancel_link is not None
        assert "What should we prepare?" in text_part(to_reps)

        # A wrong signature cancels nothing.
        async with server.http().post(
            cancel_link.group(1).split("?")[0], data={"s": "forged"}
        ) as response:
            assert response.status == 404
        # Opening the link only asks; the button cancels.
        async with server.http().get(cancel_link.group(1)) as response:
            assert response.status == 200 and "Cancel the meeting" in await response.text()
        smtp_inbox.clear()
        signature = cancel_link.group(1).split("s=")[1]
        async with server.http().post(
            cancel_link.group(1).split("?")[0], data={"s": signature}
        ) as response:
            assert response.status == 200 and "cancelled" in await response.text()
        await server.runtime.sweeper.run_due()
        assert len(about(smtp_inbox, meeting["id"])) == 2
        for envelope in about(smtp_inbox, meeting["id"]):
            cancel = calendar_part(email.message_from_bytes(envelope.content))
            assert str(cancel["METHOD"]) == "CANCEL"
            event = next(iter(cancel.walk("VEVENT")))
            assert str(event["UID"]) == f"{meeting['id']}@frontdesk"
            assert int(event["SEQUENCE"]) == 1
            assert str(event["STATUS"]) == "CANCELLED"
        # The time is free again.
        again = await offer_for(server, org, kind["id"], owner=owner.rep_id)
        assert first_slot(await card(server, org, again, "America/New_York")) == start


async def test_bad_input_is_refused_clearly_and_nothing_is_half_booked(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id])
    offer_id = await offer_for(server, org, kind["id"])
    start = first_slot(await card(server, org, offer_id, "Europe/Berlin"))
    status, error = await book(server, org, offer_id, start, email="not-an-email")
    assert status == 422 and "is not an email address" in error["error"]["message"]
    status, error = await book(server, org, offer_id, start, time_zone="Mars/Olympus")
    assert status == 422 and "not a time zone" in error["error"]["message"]
    status, error = await book(server, org, offer_id, "2026-03-05T03:07:00+00:00")
    assert status == 409 and error["error"]["code"] == "slot_taken"
    many = {f"q{i}": "x" for i in range(21)}
    status, error = await book(server, org, offer_id, start, answers=many)
    assert status == 422 and "answers" in str(error)
    status, error = await book(server, org, offer_id, start, answers={"q1": "x" * 2001})
    assert status == 422 and "answers" in str(error)
    assert (await card(server, org, offer_id, "Europe/Berlin"))["booked"] is None
    status, upcoming = await rep.request("GET", "/api/meetings/upcoming")
    assert upcoming["meetings"] == []
    # Another website cannot read or book the card.
    async with server.http().get(
        f"{server.url}/widget/meetings/{offer_id}",
        params={"site": org.site_key, "tz": "UTC"},
        headers={"Origin": "https://evil.example"},
    ) as response:
        assert response.status == 403
    # Meeting types are checked too.
    status, error = await admin.request(
        "POST",
        "/api/meeting-types",
        {"name": "Odd", "duration_minutes": 7, "member_rep_ids": [rep.rep_id]},
    )
    assert status == 422 and "duration_minutes" in str(error)
    status, error = await admin.request(
        "POST",
        "/api/meeting-types",
        {"name": "Nobody", "duration_minutes": 30, "member_rep_ids": ["0" * 32]},
    )
    assert status == 422 and "not a rep of this org" in error["error"]["message"]
    status, error = await rep.request(
        "POST",
        "/api/meeting-types",
        {"name": "Mine", "duration_minutes": 30, "member_rep_ids": [rep.rep_id]},
    )
    assert status == 403
    status, error = await admin.request(
        "PUT",
        f"/api/reps/{rep.rep_id}/availability",
        {"time_zone": "Europe/Berlin", "weekly_hours": {"mon": [["17:00", "09:00"]]}},
    )
    assert status == 422 and "ends before it starts" in error["error"]["message"]


async def test_one_org_never_sees_another_orgs_meeting_types(clocked: Server) -> None:
    server = clocked
    ours, theirs = await server.create_org(), await server.create_org()
    admin = await server.rep(ours, "admin")
    other_admin = await server.rep(theirs, "admin")
    rep = await server.rep(ours, "rep")
    kind = await meeting_type(admin, [rep.rep_id])
    status, listed = await other_admin.request("GET", "/api/meeting-types")
    assert status == 200 and listed["meeting_types"] == []
    status, _ = await other_admin.request("GET", f"/api/meeting-types/{kind['id']}/members")
    assert status == 404
    status, _ = await other_admin.request("GET", f"/api/reps/{rep.rep_id}/availability")
    assert status == 404


async def test_the_signed_reschedule_link_moves_the_meeting_and_sends_an_updated_invitation(
    smtp_inbox: list[Any], sqlite_memory_backend: Backend
) -> None:
    backend = sqlite_memory_backend
    async with running_server(
        backend.database_url, "memory://", "unused", clock=FrozenClock(NOW)
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, "admin")
        rep = await server.rep(org, "rep", "Dana Reyes")
        await working_hours(admin, rep.rep_id, "Europe/Berlin")
        kind = await meeting_type(admin, [rep.rep_id])
        offer_id = await offer_for(server, org, kind["id"])
        slots = [
            s["start"]
            for d in (await card(server, org, offer_id, "Europe/Berlin"))["days"]
            for s in d["slots"]
        ]
        status, meeting = await book(server, org, offer_id, slots[0])
        assert status == 200
        await server.runtime.sweeper.run_due()
        visitor_mail = next(
            e for e in about(smtp_inbox, meeting["id"]) if e.rcpt_tos == ["vera@customer.example"]
        )
        link = re.search(
            r"(http://\S+/reschedule\?s=\S+)",
            text_part(email.message_from_bytes(visitor_mail.content)),
        )
        assert link is not None
        async with server.http().get(link.group(1)) as response:
            page = await response.text()
            assert response.status == 200 and "Pick a new time" in page
            assert "Times in Europe/Berlin" in page
        smtp_inbox.clear()
        async with server.http().post(
            link.group(1).split("?")[0], data={"s": link.group(1).split("s=")[1], "start": slots[4]}
        ) as response:
            assert response.status == 200, await response.text()
            assert "Meeting moved" in await response.text()
        await server.runtime.sweeper.run_due()
        assert len(about(smtp_inbox, meeting["id"])) == 2
        for envelope in about(smtp_inbox, meeting["id"]):
            invite = calendar_part(email.message_from_bytes(envelope.content))
            assert str(invite["METHOD"]) == "REQUEST"
            event = next(iter(invite.walk("VEVENT")))
            assert str(event["UID"]) == f"{meeting['id']}@frontdesk"
            assert int(event["SEQUENCE"]) == 1
            assert event["DTSTART"].dt == datetime.fromisoformat(slots[4])
        # The old time is free again, the new one taken.
        other = await offer_for(server, org, kind["id"])
        starts = [
            s["start"]
            for d in (await card(server, org, other, "Europe/Berlin"))["days"]
            for s in d["slots"]
        ]
        assert slots[0] in starts and slots[4] not in starts


async def test_a_script_cannot_load_cards_or_book_without_end(backend: Backend) -> None:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        clock=FrozenClock(NOW),
        meeting_card_views_per_ip="4/10 minutes",
        meeting_bookings_per_ip="3/hour",
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, "admin")
        rep = await server.rep(org, "rep", "Dana")
        await working_hours(admin, rep.rep_id)
        kind = await meeting_type(admin, [rep.rep_id])
        offers = [await offer_for(server, org, kind["id"], owner=rep.rep_id) for _ in range(4)]
        slots = await card(server, org, offers[0], "UTC")
        starts = [s["start"] for day in slots["days"] for s in day["slots"]][::8]
        for offer_id in offers[1:]:
            await card(server, org, offer_id, "UTC")
        # The fifth card in ten minutes from this address is refused, with a clear reason.
        async with server.http().get(
            f"{server.url}/widget/meetings/{offers[0]}",
            params={"site": org.site_key, "tz": "UTC"},
            headers={"Origin": org.origin},
        ) as response:
            assert response.status == 429
            assert response.headers["Access-Control-Allow-Origin"] == org.origin
            error = (await response.json())["error"]
            assert error["code"] == "rate_limited" and "booking cards" in error["message"]
        # Three bookings an hour from one address; the fourth is refused and books nothing.
        for index, offer_id in enumerate(offers[:3]):
            status, meeting = await book(
                server, org, offer_id, starts[index], email=f"v{index}@customer.example"
            )
            assert status == 200, meeting
        status, error = await book(server, org, offers[3], starts[3])
        assert status == 429 and "too many bookings" in error["error"]["message"]
        status, upcoming = await rep.request("GET", "/api/meetings/upcoming")
        assert status == 200 and len(upcoming["meetings"]) == 3
        # Another site is counted on its own.
        other = await server.create_org()
        other_admin = await server.rep(other, "admin")
        other_rep = await server.rep(other, "rep", "Eli")
        await working_hours(other_admin, other_rep.rep_id)
        other_kind = await meeting_type(other_admin, [other_rep.rep_id])
        offer_id = await offer_for(server, other, other_kind["id"], owner=other_rep.rep_id)
        assert (await card(server, other, offer_id, "UTC"))["days"]


async def test_one_card_is_booked_at_most_five_times_an_hour(clocked: Server) -> None:
    server = clocked
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org, "rep", "Dana")
    await working_hours(admin, rep.rep_id)
    kind = await meeting_type(admin, [rep.rep_id])
    offer_id = await offer_for(server, org, kind["id"], owner=rep.rep_id)
    data = await card(server, org, offer_id, "UTC")
    starts = [s["start"] for day in data["days"] for s in day["slots"]][::8]
    statuses = [
        (await book(server, org, offer_id, start, email=f"v{i}@customer.example"))[0]
        for i, start in enumerate(starts[:6])
    ]
    # Whatever each try's outcome (an offer may be booked once), the sixth is refused by rate.
    assert statuses[5] == 429, statuses
