"""Business hours through HTTP and the sockets: the away experience outside hours, the
countdown again at the hour's start (across a DST change), teams, holidays, validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import Server

pytestmark = pytest.mark.asyncio

EVERY_DAY_9_TO_5 = {
    day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


async def _ask(visitor: object, text: str = "Hi, is anyone there?") -> str:
    await visitor.send({"type": "message", "client_id": "first", "body": text})  # type: ignore[attr-defined]
    ack = await visitor.expect("ack", client_id="first")  # type: ignore[attr-defined]
    return str(ack["message"]["conversation_id"])


async def test_outside_hours_the_visitor_gets_the_away_experience_and_at_the_hour_the_countdown_runs(
    server: Server,
) -> None:
    # Saturday 27 March 2027, 21:00 in Berlin (CET, UTC+1); the clocks go forward that night,
    # so Sunday's 09:00 is 07:00 UTC, not 08:00.
    server.clock.set(datetime(2027, 3, 27, 20, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin")
    status, hours = await admin.request(
        "PUT",
        "/api/business-hours/org",
        {
            "time_zone": "Europe/Berlin",
            "weekly": EVERY_DAY_9_TO_5,
            "away_message": "We're closed for the night.",
        },
    )
    assert status == 200, hours
    assert hours["open_now"] is False
    assert hours["reopens_at"] == "2027-03-28T07:00:00+00:00"
    async with admin.socket() as console, server.visitor(org) as visitor:
        cid = await _ask(visitor)
        away = await visitor.expect("message", message__author_kind="bot")
        # With when the team is back, in the team's time zone (the visitor's language: English).
        assert away["message"]["body"] == (
            "We're closed for the night. We're back Sunday at 09:00 (CEST)."
        )
        state = await visitor.expect("conversation", conversation__id=cid)
        assert state["conversation"]["offline"] is True  # the offline form
        assert state["conversation"]["away_until"] == "2027-03-28T07:00:00Z"
        alert = await console.expect("conversation.updated", conversation__id=cid)
        assert alert["conversation"]["meta"].get("rep_window_ends_at") is None
        assert alert["conversation"]["meta"]["away_until"] == "2027-03-28T07:00:00+00:00"

        # The night passes: nothing times out, nobody is greeted by the bot.
        server.clock.set(datetime(2027, 3, 28, 6, 59, 59, tzinfo=UTC))  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        status, body = await admin.request("GET", f"/api/conversations/{cid}")
        assert body["conversation"]["status"] == "incoming"
        assert body["conversation"]["meta"]["away_until"] is not None

        server.clock.set(datetime(2027, 3, 28, 7, 0, tzinfo=UTC))  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        again = await console.expect(
            "conversation.updated",
            conversation__id=cid,
            conversation__meta__rep_window_ends_at="2027-03-28T07:00:20+00:00",
        )
        assert "away_until" not in again["conversation"]["meta"]
        back = await visitor.expect(
            "conversation", conversation__id=cid, conversation__offline=False
        )
        assert back["conversation"]["away_until"] is None
        # And the countdown is the real one: the bot greets when the rep window ends.
        server.clock.advance(20)
        await server.runtime.sweeper.run_due()
        greeting = await visitor.expect("message", message__author_kind="bot", message__seq=3)
        assert "A member of our team will be with you shortly" in greeting["message"]["body"]


async def test_inside_hours_nothing_changes_and_the_live_stream_status_says_who_is_open(
    server: Server,
) -> None:
    server.clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=UTC))  # type: ignore[attr-defined]  Monday 11:00 Berlin
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, team = await admin.request("POST", "/api/teams", {"name": "Tokyo", "rep_ids": []})
    assert status == 200
    status, _ = await admin.request(
        "PUT", "/api/business-hours/org", {"time_zone": "Europe/Berlin", "weekly": EVERY_DAY_9_TO_5}
    )
    assert status == 200
    status, _ = await admin.request(
        "PUT",
        f"/api/business-hours/{team['id']}",
        {"time_zone": "Asia/Tokyo", "weekly": {"mon": [["09:00", "17:00"]]}},
    )
    assert status == 200
    status, listing = await admin.request("GET", "/api/business-hours/status")
    assert [(s["name"], s["open_now"], s["reopens_at"]) for s in listing["scopes"]] == [
        ("Everyone", True, None),
        # Monday 19:00 in Tokyo: back next Monday 09:00 JST (00:00 UTC).
        ("Tokyo", False, "2027-01-11T00:00:00+00:00"),
    ]
    async with server.visitor(org) as visitor:
        await _ask(visitor)
        state = await visitor.expect("conversation")
        assert state["conversation"]["offline"] is False
        assert state["conversation"]["away_until"] is None


async def test_a_team_outside_hours_is_skipped_by_routing_and_its_reps_get_no_chat(
    server: Server,
) -> None:
    server.clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin")
    tokyo_rep = await server.rep(org, name="Kenji Tokyo")
    berlin_rep = await server.rep(org, name="Berta Berlin")
    _, tokyo = await admin.request(
        "POST", "/api/teams", {"name": "Tokyo", "rep_ids": [tokyo_rep.rep_id]}
    )
    _, berlin = await admin.request(
        "POST", "/api/teams", {"name": "Berlin", "rep_ids": [berlin_rep.rep_id]}
    )
    await admin.request(
        "PUT",
        f"/api/business-hours/{tokyo['id']}",
        {"time_zone": "Asia/Tokyo", "weekly": EVERY_DAY_9_TO_5},
    )
    await admin.request(
        "PUT",
        f"/api/business-hours/{berlin['id']}",
        {"time_zone": "Europe/Berlin", "weekly": EVERY_DAY_9_TO_5},
    )
    status, listing = await admin.request("GET", "/api/segments")
    catch_all = next(s for s in listing["segments"] if s["name"] == "Everyone else")
    status, saved = await admin.request(
        "PATCH",
        f"/api/segments/{catch_all['id']}",
        {
            "routing": {
                "steps": [
                    {"kind": "team", "team_id": tokyo["id"]},
                    {"kind": "team", "team_id": berlin["id"]},
                ]
            },
        },
    )
    assert status == 200, saved
    async with server.visitor(org) as visitor:
        cid = await _ask(visitor)
        state = await visitor.expect("conversation")
        assert state["conversation"]["offline"] is False
    status, body = await admin.request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["routed_rep_ids"] == [berlin_rep.rep_id]
    status, _ = await tokyo_rep.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 404  # not routed to them: they do not even see it


async def test_holidays_by_hand_and_from_an_ical_feed_close_the_day(server: Server) -> None:
    server.clock.set(datetime(2027, 12, 23, 10, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, hours = await admin.request(
        "PUT",
        "/api/business-hours/org",
        {
            "time_zone": "Europe/Berlin",
            "weekly": EVERY_DAY_9_TO_5,
            "holidays": [{"day": "2027-12-23", "name": "Team day"}],
        },
    )
    assert status == 200
    assert hours["open_now"] is False
    assert hours["reopens_at"] == "2027-12-24T08:00:00+00:00"
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:xmas@test\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART;VALUE=DATE:20271224\r\nDTEND;VALUE=DATE:20271227\r\nSUMMARY:Christmas\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ny@test\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:New Year\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    status, hours = await admin.request(
        "POST", "/api/business-hours/org/holiday-feed", {"ics": feed}
    )
    assert status == 200, hours
    days = {(h["day"], h["name"], h["source"]) for h in hours["holidays"]}
    assert ("2027-12-23", "Team day", "manual") in days
    assert {("2027-12-24", "Christmas", "ical"), ("2027-12-26", "Christmas", "ical")} <= days
    assert ("2028-01-01", "New Year", "ical") in days  # a yearly event, expanded
    assert hours["reopens_at"] == "2027-12-27T08:00:00+00:00"
    status, refused = await admin.request(
        "POST", "/api/business-hours/org/holiday-feed", {"ics": "this is not a calendar"}
    )
    assert status == 422 and "iCalendar" in refused["error"]["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"time_zone": "Mars/Olympus", "weekly": {}}, "unknown time zone"),
        ({"time_zone": "UTC", "weekly": {"moon": [["09:00", "17:00"]]}}, "unknown weekday"),
        ({"time_zone": "UTC", "weekly": {"mon": [["17:00", "09:00"]]}}, "ends before it starts"),
        ({"time_zone": "UTC", "weekly": {"mon": [["25:00", "26:00"]]}}, "not a time of day"),
        (
            {"time_zone": "UTC", "weekly": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}},
            "overlap",
        ),
        ({"time_zone": "UTC", "weekly": {}, "away_mode": "booker"}, "booker_meeting_type_id"),
        ({"time_zone": "UTC", "weekly": {}, "surprise": 1}, "surprise"),
    ],
)
async def test_hours_are_validated_with_a_clear_error(
    sqlite_server: Server, body: dict[str, object], words: str
) -> None:
    org = await sqlite_server.create_org()
    admin = await sqlite_server.rep(org, role="admin")
    status, answer = await admin.request("PUT", "/api/business-hours/org", body)
    assert status in (400, 422), answer
    assert words in str(answer)


async def test_only_admins_set_hours_and_one_org_never_sees_another_orgs(
    sqlite_server: Server,
) -> None:
    server = sqlite_server
    org, other = await server.create_org(), await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    other_admin = await server.rep(other, role="admin")
    status, _ = await rep.request(
        "PUT", "/api/business-hours/org", {"time_zone": "UTC", "weekly": {}}
    )
    assert status == 403
    _, team = await admin.request("POST", "/api/teams", {"name": "Sales", "rep_ids": []})
    status, _ = await admin.request(
        "PUT", f"/api/business-hours/{team['id']}", {"time_zone": "UTC", "weekly": {}}
    )
    assert status == 200
    status, _ = await other_admin.request(
        "PUT", f"/api/business-hours/{team['id']}", {"time_zone": "UTC", "weekly": {}}
    )
    assert status == 404
    status, listing = await other_admin.request("GET", "/api/business-hours")
    assert listing["hours"] == []
    status, _ = await other_admin.request("DELETE", f"/api/business-hours/{team['id']}")
    assert status == 404


HOLIDAY_FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:may@test\r\nDTSTAMP:20270101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20270501\r\nSUMMARY:Labour Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_a_holiday_feed_is_read_from_its_url_and_a_private_address_is_refused(
    sqlite_memory_backend: object,
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from tests.harness import running_server

    async def feed(_: web.Request) -> web.Response:
        return web.Response(text=HOLIDAY_FEED, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/holidays.ics", feed)
    calendar = TestServer(app, host="127.0.0.1")
    await calendar.start_server()
    url = f"http://127.0.0.1:{calendar.port}/holidays.ics"
    backend = sqlite_memory_backend
    try:
        async with running_server(
            backend.database_url,  # type: ignore[attr-defined]
            "memory://",
            "unused",
            allow_private_targets=True,
        ) as server:
            server.clock.set(datetime(2027, 4, 1, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
            org = await server.create_org()
            admin = await server.rep(org, role="admin")
            await admin.request(
                "PUT", "/api/business-hours/org", {"time_zone": "UTC", "weekly": EVERY_DAY_9_TO_5}
            )
            status, hours = await admin.request(
                "POST", "/api/business-hours/org/holiday-feed", {"url": url}
            )
            assert status == 200, hours
            assert hours["holiday_feed_url"] == url
            assert [(h["day"], h["name"]) for h in hours["holidays"]] == [
                ("2027-05-01", "Labour Day")
            ]
        async with running_server(
            backend.database_url,  # type: ignore[attr-defined]
            "memory://",
            "unused",
            allow_private_targets=False,
        ) as server:
            org = await server.create_org()
            admin = await server.rep(org, role="admin")
            await admin.request(
                "PUT", "/api/business-hours/org", {"time_zone": "UTC", "weekly": EVERY_DAY_9_TO_5}
            )
            status, refused = await admin.request(
                "POST", "/api/business-hours/org/holiday-feed", {"url": url}
            )
            assert status == 422
            assert "FRONTDESK_ALLOW_PRIVATE_TARGETS" in refused["error"]["message"]
    finally:
        await calendar.close()


async def test_outside_hours_the_away_experience_can_be_the_meeting_booker(server: Server) -> None:
    server.clock.set(datetime(2027, 1, 2, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]  a Saturday
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin")
    status, kind = await admin.request(
        "POST",
        "/api/meeting-types",
        {"name": "Intro call", "duration_minutes": 30, "member_rep_ids": [admin.rep_id]},
    )
    assert status == 200, kind
    status, hours = await admin.request(
        "PUT",
        "/api/business-hours/org",
        {
            "time_zone": "UTC",
            "weekly": {"mon": [["09:00", "17:00"]]},
            "away_mode": "booker",
            "booker_meeting_type_id": kind["id"],
        },
    )
    assert status == 200, hours
    async with server.visitor(org) as visitor:
        await _ask(visitor)
        state = await visitor.expect("conversation")
        assert state["conversation"]["offline"] is False  # the booker, not the offline form
        assert state["conversation"]["away_until"] == "2027-01-04T09:00:00Z"
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        offers = [
            f["message"]["meta"]["meeting_offer"]
            for f in visitor.received
            if f["type"] == "message" and f["message"]["meta"].get("meeting_offer")
        ]
        assert len(offers) == 1, visitor.received


def _feed(uid: str, day: str, name: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}@test\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART;VALUE=DATE:{day}\r\nSUMMARY:{name}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


async def test_a_holiday_feed_url_is_read_again_every_day_and_a_broken_read_keeps_the_holidays(
    sqlite_memory_backend: object,
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from tests.harness import running_server

    served: dict[str, object] = {"status": 200, "text": _feed("may", "20270501", "Labour Day")}
    reads: list[str] = []

    async def feed(_: web.Request) -> web.Response:
        reads.append("read")
        return web.Response(
            status=int(served["status"]),  # type: ignore[call-overload]
            text=str(served["text"]),
            content_type="text/calendar",
        )

    app = web.Application()
    app.router.add_get("/holidays.ics", feed)
    calendar = TestServer(app, host="127.0.0.1")
    await calendar.start_server()
    url = f"http://127.0.0.1:{calendar.port}/holidays.ics"
    try:
        async with running_server(
            sqlite_memory_backend.database_url,  # type: ignore[attr-defined]
            "memory://",
            "unused",
            allow_private_targets=True,
        ) as server:
            server.clock.set(datetime(2027, 4, 1, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
            org = await server.create_org()
            admin = await server.rep(org, role="admin")
            await admin.request(
                "PUT",
                "/api/business-hours/org",
                {
                    "time_zone": "UTC",
                    "weekly": EVERY_DAY_9_TO_5,
                    "holidays": [{"day": "2027-12-23", "name": "Team day"}],
                },
            )
            status, hours = await admin.request(
                "POST", "/api/business-hours/org/holiday-feed", {"url": url}
            )
            assert status == 200, hours

            async def holidays() -> list[tuple[str, str, str]]:
                _, listed = await admin.request("GET", "/api/business-hours")
                org_hours = next(h for h in listed["hours"] if h["scope"] == "org")
                return [(h["day"], h["name"], h["source"]) for h in org_hours["holidays"]]

            # The publisher moves the holiday; nothing changes until a day has passed.
            served["text"] = _feed("june", "20270601", "Founders Day")
            server.clock.advance(23 * 3600)  # type: ignore[attr-defined]
            await server.runtime.sweeper.run_due()
            assert len(reads) == 1
            assert ("2027-05-01", "Labour Day", "ical") in await holidays()

            server.clock.advance(3600)  # type: ignore[attr-defined]
            await server.runtime.sweeper.run_due()
            assert len(reads) == 2
            assert await holidays() == [
                ("2027-06-01", "Founders Day", "ical"),
                ("2027-12-23", "Team day", "manual"),
            ]

            # The next day the feed is broken: the holidays stay, and it is tried again.
            served["status"] = 500
            server.clock.advance(24 * 3600)  # type: ignore[attr-defined]
            await server.runtime.sweeper.run_due()
            assert len(reads) == 3
            assert ("2027-06-01", "Founders Day", "ical") in await holidays()
            served["status"] = 200
            served["text"] = _feed("july", "20270704", "Summer Day")
            server.clock.advance(24 * 3600)  # type: ignore[attr-defined]
            await server.runtime.sweeper.run_due()
            assert len(reads) == 4
            assert ("2027-07-04", "Summer Day", "ical") in await holidays()

            # An uploaded file replaces the feed: the URL is no longer read.
            status, hours = await admin.request(
                "POST",
                "/api/business-hours/org/holiday-feed",
                {"ics": _feed("aug", "20270801", "Harvest Day")},
            )
            assert status == 200, hours
            assert hours["holiday_feed_url"] is None
            server.clock.advance(3 * 24 * 3600)  # type: ignore[attr-defined]
            await server.runtime.sweeper.run_due()
            assert len(reads) == 4
            assert ("2027-08-01", "Harvest Day", "ical") in await holidays()
    finally:
        await calendar.close()
