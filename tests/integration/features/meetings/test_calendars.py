"""A rep's real CalDAV calendar (Radicale) decides which times the booker offers, and a booking
lands in it; calendars that cannot be read are refused or make the rep unbookable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from frontdesk.core.clock import FrozenClock
from frontdesk.features.meetings.invites import link_signature
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server
from tests.integration.features.meetings.conftest import (
    CALDAV_PASSWORD,
    CALDAV_USER,
    Radicale,
    free_port,
    meeting_type,
    working_hours,
)

pytestmark = pytest.mark.asyncio
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2 March 2026, 07:00 in Berlin.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=ZoneInfo("UTC"))

WEEKLY_WITH_EXCEPTIONS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:weekly-sync@test
DTSTAMP:20260201T000000Z
DTSTART;TZID=Europe/Berlin:20260303T100000
DTEND;TZID=Europe/Berlin:20260303T110000
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=Europe/Berlin:20260310T100000
SUMMARY:Weekly sync
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync@test
DTSTAMP:20260201T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260317T100000
DTSTART;TZID=Europe/Berlin:20260317T140000
DTEND;TZID=Europe/Berlin:20260317T150000
SUMMARY:Weekly sync (moved)
END:VEVENT
END:VCALENDAR
"""

ALL_DAY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:offsite@test
DTSTAMP:20260201T000000Z
DTSTART;VALUE=DATE:20260305
DTEND;VALUE=DATE:20260306
SUMMARY:Offsite
END:VEVENT
END:VCALENDAR
"""

NEW_YORK_CALL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:ny-call@test
DTSTAMP:20260201T000000Z
DTSTART;TZID=America/New_York:20260304T060000
DTEND;TZID=America/New_York:20260304T070000
SUMMARY:Call with the New York office
END:VEVENT
END:VCALENDAR
"""

FREE_TIME = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:focus@test
DTSTAMP:20260201T000000Z
DTSTART;TZID=Europe/Berlin:20260302T150000
DTEND;TZID=Europe/Berlin:20260302T170000
TRANSP:TRANSPARENT
SUMMARY:Focus time (shown as free)
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
async def server(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        clock=FrozenClock(NOW),
        allow_private_targets=True,
    ) as srv:
        yield srv


async def card(server: Server, org: OrgInfo, offer_id: str, tz: str = "Europe/Berlin") -> Any:
    async with server.http().get(
        f"{server.url}/widget/meetings/{offer_id}",
        params={"site": org.site_key, "tz": tz},
        headers={"Origin": org.origin},
    ) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Access-Control-Allow-Origin"] == org.origin
        return await response.json()


async def chat(server: Server, org: OrgInfo) -> tuple[str, Any]:
    """A visitor who asked to chat: their open conversation's id, and the socket context."""
    context = server.visitor(org)
    visitor = await context.__aenter__()
    await visitor.send({"type": "message", "client_id": "c1", "body": "Can we talk next week?"})
    ack = await visitor.expect("ack", client_id="c1")
    return str(ack["message"]["conversation_id"]), context


def berlin_times(data: Any) -> dict[str, list[str]]:
    return {day["date"]: [slot["label"] for slot in day["slots"]] for day in data["days"]}


async def test_busy_times_from_caldav_are_not_offered_and_a_booking_lands_in_the_calendar(
    server: Server, radicale: Radicale
) -> None:
    calendar = await radicale.make_calendar("work")
    await radicale.put(calendar, "weekly.ics", WEEKLY_WITH_EXCEPTIONS)
    await radicale.put(calendar, "offsite.ics", ALL_DAY)
    await radicale.put(calendar, "ny.ics", NEW_YORK_CALL)
    await radicale.put(calendar, "focus.ics", FREE_TIME)
    org = await server.create_org()
    admin = await server.rep(org, "admin", "Avery Admin")
    dana = await server.rep(org, "rep", "Dana Reyes")
    await working_hours(admin, dana.rep_id)
    status, connected = await admin.request(
        "PUT",
        f"/api/reps/{dana.rep_id}/calendar",
        {"kind": "caldav", "url": calendar, "username": CALDAV_USER, "password": CALDAV_PASSWORD},
    )
    assert status == 200, connected
    assert connected["status"] == "ok" and "password" not in connected
    kind = await meeting_type(
        admin, [dana.rep_id], horizon_days=21, location="https://meet.example/{meeting_id}"
    )
    conversation_id, visitor_context = await chat(server, org)
    try:
        status, offer = await dana.request(
            "POST",
            "/api/meetings/offers",
            {"meeting_type_id": kind["id"], "conversation_id": conversation_id},
        )
        assert status == 200, offer
        assert offer["owner_rep_id"] == dana.rep_id
        times = berlin_times(await card(server, org, offer["id"]))

        # The weekly Tuesday 10:00 sync is busy ...
        assert "10:00" not in times["2026-03-03"] and "10:30" not in times["2026-03-03"]
        # ... except the cancelled occurrence on the 10th (EXDATE) ...
        assert "10:00" in times["2026-03-10"] and "10:30" in times["2026-03-10"]
        # ... and the 17th's, moved to 14:00 (RECURRENCE-ID).
        assert "10:00" in times["2026-03-17"]
        assert "14:00" not in times["2026-03-17"] and "14:30" not in times["2026-03-17"]
        # The all-day offsite takes the whole Thursday.
        assert "2026-03-05" not in times
        # 06:00 in New York (EST) is 12:00 in Berlin (CET).
        assert "12:00" not in times["2026-03-04"] and "12:30" not in times["2026-03-04"]
        assert "11:30" in times["2026-03-04"] and "13:00" in times["2026-03-04"]
        # Time marked free does not block.
        assert "15:00" in times["2026-03-02"]

        start = next(
            slot["start"]
            for day in (await card(server, org, offer["id"]))["days"]
            if day["date"] == "2026-03-10"
            for slot in day["slots"]
            if slot["label"] == "10:00"
        )
        async with server.http().post(
            f"{server.url}/widget/meetings/{offer['id']}/book",
            params={"site": org.site_key},
            headers={"Origin": org.origin},
            json={
                "start": start,
                "name": "Vera Visitor",
                "email": "vera@customer.example",
                "time_zone": "Europe/Lisbon",
            },
        ) as response:
            assert response.status == 200, await response.text()
            meeting = await response.json()
    finally:
        await visitor_context.__aexit__(None, None, None)

    status, body = await radicale.get(f"{calendar}{meeting['id']}@frontdesk.ics")
    assert status == 200, body
    stored = icalendar.Calendar.from_ical(body)
    event = next(iter(stored.walk("VEVENT")))
    assert event["UID"] == f"{meeting['id']}@frontdesk"
    assert event["DTSTART"].dt == datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].dt == datetime(2026, 3, 10, 10, 30, tzinfo=BERLIN)
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == sorted([f"mailto:{dana.email}", "mailto:vera@customer.example"])
    assert str(event["ORGANIZER"]) == f"mailto:{dana.email}"
    assert str(event["LOCATION"]) == f"https://meet.example/{meeting['id']}"

    # The booked time is no longer offered to anyone else.
    status, other = await dana.request(
        "POST",
        "/api/meetings/offers",
        {"meeting_type_id": kind["id"], "conversation_id": conversation_id},
    )
    assert status == 200
    assert "10:00" not in berlin_times(await card(server, org, other["id"]))["2026-03-10"]

    # Cancelled through the visitor's signed link: the calendar's event says so (same UID,
    # next SEQUENCE), and the time is offered again, also after the calendar is read again.
    signature = link_signature(server.settings.secret_key, meeting["id"], "cancel")
    async with server.http().post(
        f"{server.url}/meetings/{meeting['id']}/cancel", data={"s": signature}
    ) as response:
        assert response.status == 200
    status, body = await radicale.get(f"{calendar}{meeting['id']}@frontdesk.ics")
    cancelled = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    assert str(cancelled["UID"]) == f"{meeting['id']}@frontdesk"
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    status, _ = await dana.request("POST", f"/api/reps/{dana.rep_id}/calendar/refresh")
    assert status == 200
    assert "10:00" in berlin_times(await card(server, org, other["id"]))["2026-03-10"]


async def test_a_wrong_password_or_unreachable_server_is_refused_with_the_reason(
    server: Server, radicale: Radicale
) -> None:
    calendar = await radicale.make_calendar("refused")
    org = await server.create_org()
    rep = await server.rep(org)
    wrong = {"kind": "caldav", "url": calendar, "username": CALDAV_USER, "password": "nope"}
    status, error = await rep.request("PUT", f"/api/reps/{rep.rep_id}/calendar", wrong)
    assert status == 422
    assert "refused the user name or app password (401)" in error["error"]["message"]
    closed = {
        "kind": "caldav",
        "url": f"http://127.0.0.1:{free_port()}/dana/work/",
        "username": CALDAV_USER,
        "password": CALDAV_PASSWORD,
    }
    status, error = await rep.request("PUT", f"/api/reps/{rep.rep_id}/calendar", closed)
    assert status == 422
    assert "cannot be reached" in error["error"]["message"]
    status, state = await rep.request("GET", f"/api/reps/{rep.rep_id}/calendar")
    assert status == 200 and state == {"calendar": None}


async def test_a_malformed_ical_feed_is_refused_and_a_good_one_is_read(server: Server) -> None:
    feeds = {
        "/garbage.ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:not-a-date\nEND:VEVENT\nEND:VCALENDAR\n",
        "/page.ics": "<html><body>Sign in to see this calendar</body></html>",
        "/good.ics": ALL_DAY,
    }

    async def serve(request: web.Request) -> web.Response:
        return web.Response(text=feeds[request.path], content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    feed_server = TestServer(app, host="127.0.0.1")
    await feed_server.start_server()
    try:
        org = await server.create_org()
        rep = await server.rep(org)
        base = f"http://127.0.0.1:{feed_server.port}"
        status, error = await rep.request(
            "PUT",
            f"/api/reps/{rep.rep_id}/calendar",
            {"kind": "ical", "url": base + "/garbage.ics"},
        )
        assert status == 422 and "not valid iCalendar" in error["error"]["message"]
        status, error = await rep.request(
            "PUT", f"/api/reps/{rep.rep_id}/calendar", {"kind": "ical", "url": base + "/page.ics"}
        )
        assert status == 422 and "not an iCalendar file" in error["error"]["message"]
        status, good = await rep.request(
            "PUT", f"/api/reps/{rep.rep_id}/calendar", {"kind": "ical", "url": base + "/good.ics"}
        )
        assert status == 200 and good["status"] == "ok" and good["busy_count"] == 1
    finally:
        await feed_server.close()


async def test_a_calendar_that_stops_answering_makes_the_rep_unbookable(
    server: Server, radicale: Radicale
) -> None:
    calendar = await radicale.make_calendar("flaky")
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org)
    await working_hours(admin, rep.rep_id)
    status, _ = await admin.request(
        "PUT",
        f"/api/reps/{rep.rep_id}/calendar",
        {"kind": "caldav", "url": calendar, "username": CALDAV_USER, "password": CALDAV_PASSWORD},
    )
    assert status == 200
    kind = await meeting_type(admin, [rep.rep_id])
    status, members = await admin.request("GET", f"/api/meeting-types/{kind['id']}/members")
    assert members["members"][0]["bookable"] is True

    # The calendar's server goes away (here: the URL now points at a closed port).
    from frontdesk.features.meetings.models import CalendarConnection

    async with server.runtime.db.transaction() as session:
        row = await session.get(CalendarConnection, rep.rep_id)
        assert row is not None
        row.url = f"http://127.0.0.1:{free_port()}/dana/flaky/"
    status, state = await admin.request("POST", f"/api/reps/{rep.rep_id}/calendar/refresh")
    assert status == 200 and state["calendar"]["status"] == "error"
    status, members = await admin.request("GET", f"/api/meeting-types/{kind['id']}/members")
    member = members["members"][0]
    assert member["bookable"] is False
    assert "calendar cannot be read" in member["problem"]
    conversation_id, visitor_context = await chat(server, org)
    try:
        status, offer = await rep.request(
            "POST",
            "/api/meetings/offers",
            {"meeting_type_id": kind["id"], "conversation_id": conversation_id},
        )
        assert status == 200
        shown = await card(server, org, offer["id"])
        assert shown["days"] == [] and shown["problem"]
    finally:
        await visitor_context.__aexit__(None, None, None)


async def test_private_addresses_are_refused_unless_the_operator_allows_them(
    sqlite_memory_backend: Backend, radicale: Radicale
) -> None:
    async with running_server(
        sqlite_memory_backend.database_url, "memory://", "unused", allow_private_targets=False
    ) as strict:
        org = await strict.create_org()
        rep = await strict.rep(org)
        status, error = await rep.request(
            "PUT",
            f"/api/reps/{rep.rep_id}/calendar",
            {"kind": "ical", "url": radicale.url + "/dana/work/"},
        )
        assert status == 422
        assert "FRONTDESK_ALLOW_PRIVATE_TARGETS" in error["error"]["message"]
