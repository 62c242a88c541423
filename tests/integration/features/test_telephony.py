"""Join by phone through a local fake of Twilio's API: the visitor's phone rings, the leg
follows Twilio's signed status callbacks, and toll fraud, forged callbacks and other orgs are
kept out. Runs on SQLite + memory and on PostgreSQL + Redis (the limits then live in Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, Socket, running_server
from tests.support.fake_twilio import FakeTwilio, twilio_signature
from tests.support.ports import ReservedPort

pytestmark = pytest.mark.asyncio

SID = "AC" + "a1" * 16
TOKEN = "f00d" * 8
OTHER_SID = "AC" + "b2" * 16
OTHER_TOKEN = "beef" * 8
CALLER = "+12125550100"  # the org's Twilio number (US)
SALES_LINE = "+442079460958"  # where answered calls are connected (GB)
VISITOR_PHONE = "+44 7400 123456"  # a UK mobile
VISITOR_E164 = "+447400123456"


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio({SID: TOKEN, OTHER_SID: OTHER_TOKEN})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def server(backend: Backend, twilio: FakeTwilio) -> AsyncIterator[Server]:
    """Frontdesk at a public URL Twilio can call back (here: 127.0.0.1 on a chosen port)."""
    port = ReservedPort()
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        port=port,
        public_url=f"http://127.0.0.1:{port.port}",
        twilio_api_url=twilio.url,
    ) as srv:
        yield srv


async def set_up_phone(
    admin: RepClient, *, sid: str = SID, token: str = TOKEN, **changes: Any
) -> dict[str, Any]:
    body = {
        "provider": "twilio",
        "account_sid": sid,
        "auth_token": token,
        "caller_number": CALLER,
        "connect_number": SALES_LINE,
        "allowed_regions": ["GB", "US"],
        **changes,
    }
    status, page = await admin.request("PUT", "/api/telephony/settings", body)
    assert status == 200, page
    assert page["settings"]["phone_join_available"] is True, page
    return page  # type: ignore[no-any-return]


async def chatting_visitor(visitor: Socket) -> str:
    await visitor.send({"type": "message", "client_id": "hi", "body": "Can someone call me?"})
    return str((await visitor.expect("ack", client_id="hi"))["message"]["conversation_id"])


async def phone_org(server: Server, name: str = "Acme") -> tuple[OrgInfo, RepClient]:
    org = await server.create_org(name)
    admin = await server.rep(org, role="admin", name="Avery Admin")
    await set_up_phone(admin)
    return org, admin


async def test_an_allowed_number_rings_and_the_leg_follows_twilios_signed_callbacks(
    server: Server, twilio: FakeTwilio
) -> None:
    org, admin = await phone_org(server, "Northwind")
    async with admin.socket() as console, server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["phone_join_available"] is True
        conversation_id = await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p1", "number": VISITOR_PHONE})
        placed = await visitor.expect("phone_leg", client_id="p1")
        leg = placed["leg"]
        assert (leg["status"], leg["number"], leg["conversation_id"]) == (
            "queued",
            VISITOR_E164,
            conversation_id,
        )

        # Twilio got exactly the call Frontdesk means to place.
        (created,) = twilio.created_calls()
        assert created.path == f"/2010-04-01/Accounts/{SID}/Calls.json"
        assert created.auth == (SID, TOKEN)
        assert created.value("To") == VISITOR_E164
        assert created.value("From") == CALLER
        assert created.value("StatusCallback") == (
            f"{server.settings.public_url}/api/telephony/twilio/{org.id}/legs/{leg['id']}/status"
        )
        assert created.value("StatusCallbackMethod") == "POST"
        assert created.values("StatusCallbackEvent") == [
            "initiated",
            "ringing",
            "answered",
            "completed",
        ]
        # What to do once answered is asked for then (the answer URL), not sent now.
        assert created.value("Url") == (
            f"{server.settings.public_url}/api/telephony/twilio/{org.id}/legs/{leg['id']}/answer"
        )
        assert created.value("Twiml") is None
        (call_sid,) = twilio.calls

        # The phone rings, is answered, and hung up after 42 seconds.
        assert await twilio.send_status(call_sid, "ringing") == 200
        assert (await visitor.expect("phone_leg", leg__status="ringing"))["client_id"] is None
        await console.expect("phone_leg.updated", leg__status="ringing")
        # Answered: Twilio asks what to do (signed); no browser call, so the org's line.
        status, twiml = await twilio.answer(call_sid)
        assert status == 200, twiml
        assert "<Say>Hello, this is Northwind" in twiml
        assert f'<Dial callerId="{CALLER}"' in twiml and f"<Number>{SALES_LINE}</Number>" in twiml
        assert "Record" not in twiml  # calls are not recorded
        await visitor.expect("phone_leg", leg__status="in_progress")
        await console.expect("phone_leg.updated", leg__status="in_progress")
        assert await twilio.send_status(call_sid, "in-progress") == 200
        assert await twilio.send_status(call_sid, "completed", duration=42) == 200
        await visitor.expect("phone_leg", leg__status="completed")
        ended = await console.expect("phone_leg.updated", leg__status="completed")
        assert ended["leg"]["duration_seconds"] == 42

        # Twilio retries callbacks and may send them late: nothing moves a second time.
        assert await twilio.send_status(call_sid, "completed", duration=42) == 200
        assert await twilio.send_status(call_sid, "ringing") == 200
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert [f["leg"]["status"] for f in visitor.received if f["type"] == "phone_leg"] == [
            "queued",
            "ringing",
            "in_progress",
            "completed",
        ]

    status, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert status == 200
    (stored,) = legs["phone_legs"]
    assert (stored["status"], stored["duration_seconds"], stored["call_id"]) == (
        "completed",
        42,
        None,
    )
    assert stored["ringing_at"] and stored["answered_at"] and stored["ended_at"]


async def test_refused_countries_premium_and_malformed_numbers_get_a_clear_error(
    server: Server, twilio: FakeTwilio
) -> None:
    org, _admin = await phone_org(server)
    async with server.visitor(org) as visitor:
        await chatting_visitor(visitor)
        cases = [
            (
                "fr",
                "+33 1 23 45 67 89",
                "phone_country_refused",
                "Calls to France (+33) are not allowed.",
            ),
            # +44 7911 is Guernsey, not the UK: allowing "+44" would have let it through.
            (
                "gg",
                "+44 7911 123456",
                "phone_country_refused",
                "Calls to Guernsey (+44) are not allowed.",
            ),
            ("premium", "+44 909 879 0000", "phone_number_type_refused", "premium-rate"),
            ("us-900", "+1 900 555 0100", "phone_number_type_refused", "premium-rate"),
            ("personal", "+44 70 1234 5678", "phone_number_type_refused", "personal"),
            ("local", "020 7946 0958", "phone_number_invalid", "international form"),
            ("short", "+44 12", "phone_number_invalid", "not a valid phone number"),
            ("letters", "+44 call me", "phone_number_invalid", "not a phone number"),
        ]
        for ref, number, code, says in cases:
            await visitor.send({"type": "phone_join", "client_id": ref, "number": number})
            error = await visitor.expect("error", ref=ref)
            assert error["code"] == code, (number, error)
            assert says in error["message"], (number, error)
        # A number too long to be one is refused by the frame's own limits.
        await visitor.send({"type": "phone_join", "client_id": "long", "number": "+" + "4" * 40})
        assert (await visitor.expect("error", ref="long"))["code"] == "invalid_frame"
    assert twilio.created_calls() == []


async def test_a_visitor_over_the_limit_is_told_when_to_try_again(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, visitor_limit="2/hour")
    async with server.visitor(org) as visitor:
        await chatting_visitor(visitor)
        for attempt in range(2):
            await visitor.send(
                {"type": "phone_join", "client_id": f"a{attempt}", "number": VISITOR_PHONE}
            )
            await visitor.expect("phone_leg", client_id=f"a{attempt}")
            # Busy: the leg ends, so the next attempt is not "already calling".
            sid = list(twilio.calls)[-1]
            assert await twilio.send_status(sid, "busy") == 200
            await visitor.expect("phone_leg", leg__status="busy")
        await visitor.send({"type": "phone_join", "client_id": "a2", "number": VISITOR_PHONE})
        refused = await visitor.expect("error", ref="a2")
        assert refused["code"] == "rate_limited"
        assert refused["message"].startswith("Too many call attempts; try again in ")
        assert refused["message"].endswith(" minutes.")
    assert len(twilio.created_calls()) == 2


async def test_the_org_limit_holds_across_visitors(server: Server, twilio: FakeTwilio) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, org_limit="1/day")
    async with server.visitor(org) as first, server.visitor(org) as second:
        await chatting_visitor(first)
        await chatting_visitor(second)
        await first.send({"type": "phone_join", "client_id": "f", "number": VISITOR_PHONE})
        await first.expect("phone_leg", client_id="f")
        await second.send({"type": "phone_join", "client_id": "s", "number": "+1 202 555 0147"})
        refused = await second.expect("error", ref="s")
        assert refused["code"] == "rate_limited"
        assert refused["message"].startswith("We can't place more calls right now; try again in")
    assert len(twilio.created_calls()) == 1


async def test_a_mis_signed_or_unsigned_callback_is_refused_and_changes_nothing(
    server: Server, twilio: FakeTwilio
) -> None:
    org, admin = await phone_org(server)
    async with server.visitor(org) as visitor:
        conversation_id = await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        await visitor.expect("phone_leg", client_id="p")
    (call_sid,) = twilio.calls
    call = twilio.calls[call_sid]
    url = call.status_callback
    assert url is not None
    params = twilio.callback_params(call, "in-progress")
    good = twilio_signature(TOKEN, url, params)
    forged = [
        None,  # unsigned
        "",
        twilio_signature("0" * 32, url, params),  # another token
        twilio_signature(TOKEN, url + "&x=1", params),  # another URL
        twilio_signature(TOKEN, url, [*params, ("Extra", "1")]),  # other parameters
        good[:5] + ("B" if good[5] == "A" else "A") + good[6:],  # one character changed
    ]
    for signature in forged:
        assert await twilio.post_callback(url, params, signature) == 403, signature
    # The right signature over tampered parameters fails too.
    tampered = [(k, "completed" if k == "CallStatus" else v) for k, v in params]
    assert await twilio.post_callback(url, tampered, good) == 403
    _, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert legs["phone_legs"][0]["status"] == "queued"
    # And the genuine one is taken.
    assert await twilio.post_callback(url, params, good) == 200
    _, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert legs["phone_legs"][0]["status"] == "in_progress"


async def test_another_org_cannot_see_or_drive_the_leg(server: Server, twilio: FakeTwilio) -> None:
    org, admin = await phone_org(server, "Acme")
    other = await server.create_org("Globex")
    other_admin = await server.rep(other, role="admin")
    await set_up_phone(other_admin, sid=OTHER_SID, token=OTHER_TOKEN)
    async with server.visitor(org) as visitor:
        conversation_id = await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        leg = (await visitor.expect("phone_leg", client_id="p"))["leg"]

        # Globex's admin can neither list Acme's legs nor hang one up.
        status, _ = await other_admin.request(
            "GET", f"/api/conversations/{conversation_id}/phone-legs"
        )
        assert status == 404
        status, _ = await other_admin.request("POST", f"/api/phone-legs/{leg['id']}/hang-up")
        assert status == 404

        # Callbacks signed with Globex's own credentials cannot move Acme's leg: not at Acme's
        # URL (wrong token), and not at Globex's URL (no such leg there).
        (call_sid,) = twilio.calls
        call = twilio.calls[call_sid]
        assert call.status_callback is not None
        params = [
            (k, OTHER_SID if k == "AccountSid" else v)
            for k, v in twilio.callback_params(call, "completed", 5)
        ]
        acme_url = call.status_callback
        assert (
            await twilio.post_callback(
                acme_url, params, twilio_signature(OTHER_TOKEN, acme_url, params)
            )
            == 403
        )
        globex_url = acme_url.replace(f"/{org.id}/", f"/{other.id}/")
        assert (
            await twilio.post_callback(
                globex_url, params, twilio_signature(OTHER_TOKEN, globex_url, params)
            )
            == 404
        )
        # A visitor of Globex cannot hang it up either (a visitor frame names only their own).
        async with server.visitor(other) as outsider:
            await outsider.send({"type": "phone_hang_up", "leg_id": leg["id"]})
            assert (await outsider.expect("error"))["code"] == "not_found"

        # Acme's admin can: Twilio is told to cancel the ringing call.
        status, hung_up = await admin.request("POST", f"/api/phone-legs/{leg['id']}/hang-up")
        assert status == 200 and hung_up["status"] == "canceled"
        await visitor.expect("phone_leg", leg__status="canceled")
    update = twilio.requests[-1]
    assert update.path == f"/2010-04-01/Accounts/{SID}/Calls/{call_sid}.json"
    assert (update.form, update.auth) == ([("Status", "canceled")], (SID, TOKEN))


async def test_the_visitor_hangs_up_an_answered_call(server: Server, twilio: FakeTwilio) -> None:
    org, _admin = await phone_org(server)
    async with server.visitor(org) as visitor:
        await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        leg = (await visitor.expect("phone_leg", client_id="p"))["leg"]
        (call_sid,) = twilio.calls
        await twilio.send_status(call_sid, "in-progress")
        await visitor.expect("phone_leg", leg__status="in_progress")
        await visitor.send({"type": "phone_hang_up", "leg_id": leg["id"]})
        ended = await visitor.expect("phone_leg", leg__status="completed")
        assert ended["leg"]["end_reason"] == "hung up by the visitor"
    assert twilio.requests[-1].form == [("Status", "completed")]


async def test_without_a_provider_the_phone_option_does_not_appear(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["phone_join_available"] is False
        await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        error = await visitor.expect("error", ref="p")
        assert error["code"] == "phone_unavailable"
    # Half set up (no country allowed yet) is still off, and says why.
    status, page = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {
            "provider": "twilio",
            "account_sid": SID,
            "auth_token": TOKEN,
            "caller_number": CALLER,
            "connect_number": SALES_LINE,
        },
    )
    assert status == 200
    assert page["settings"]["phone_join_available"] is False
    assert "No country is allowed" in page["settings"]["unavailable_reason"]
    # Completed, the next visitor is offered it; switched off again, not.
    await set_up_phone(admin)
    async with server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["phone_join_available"] is True
    status, page = await admin.request("PUT", "/api/telephony/settings", {"provider": "none"})
    assert status == 200 and page["settings"]["phone_join_available"] is False
    async with server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["phone_join_available"] is False
    assert twilio.created_calls() == []


async def test_a_visitor_must_be_chatting_and_may_not_name_a_browser_call_that_does_not_exist(
    server: Server, twilio: FakeTwilio
) -> None:
    org, _admin = await phone_org(server)
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        assert (await visitor.expect("error", ref="p"))["code"] == "no_conversation"
        await chatting_visitor(visitor)
        await visitor.send(
            {"type": "phone_join", "client_id": "c", "number": VISITOR_PHONE, "call_id": "call-1"}
        )
        error = await visitor.expect("error", ref="c")
        # (features/calls checks the id: another visitor's call, or none, is not found)
        assert (error["code"], error["message"]) == ("not_found", "call not found")
    assert twilio.created_calls() == []


async def test_twilio_refusing_the_call_fails_the_leg_with_a_plain_message(
    server: Server, twilio: FakeTwilio
) -> None:
    org, admin = await phone_org(server)
    twilio.fail_next = (400, 21215, "Account not authorized to call +447400123456.")
    async with server.visitor(org) as visitor:
        conversation_id = await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        failed = await visitor.expect("phone_leg", client_id="p")
        assert failed["leg"]["status"] == "failed"
        error = await visitor.expect("error", ref="p")
        assert (error["code"], error["message"]) == (
            "phone_provider_error",
            "The phone service could not place this call.",
        )
    _, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert legs["phone_legs"][0]["status"] == "failed"


async def test_admins_set_it_up_with_clear_errors_and_never_see_the_token_again(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    status, page = await admin.request("GET", "/api/telephony/settings")
    assert status == 200
    assert page["settings"]["provider"] == "none"
    assert page["settings"]["allowed_regions"] == []  # phone join is off until an admin says
    assert {"code": "GB", "name": "United Kingdom", "calling_code": 44} in page["regions"]

    status, error = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {
            "provider": "twilio",
            "account_sid": "not-a-sid",
            "caller_number": "555-0100",
            "connect_number": "+44 12",
            "allowed_regions": ["GB", "XX"],
            "visitor_limit": "lots",
            "org_limit": "1000000/day",
            "greeting": "",
        },
    )
    assert status == 422
    fields = {d["field"] for d in error["error"]["details"]}
    assert fields == {
        "account_sid",
        "caller_number",
        "connect_number",
        "allowed_regions",
        "visitor_limit",
        "org_limit",
        "greeting",
    }
    # Nothing of a refused change was stored.
    _, page = await admin.request("GET", "/api/telephony/settings")
    assert page["settings"]["provider"] == "none"

    # Twilio is asked whether the account SID and auth token work before they are stored.
    status, error = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {"provider": "twilio", "account_sid": SID, "auth_token": "0" * 32},
    )
    assert status == 422
    assert error["error"]["details"] == [
        {"field": "auth_token", "problem": "Twilio refused this account SID and auth token"}
    ]
    page = await set_up_phone(admin)
    assert TOKEN not in str(page)
    assert page["settings"]["auth_token_set"] is True
    assert page["settings"]["auth_token_hint"] == "…" + TOKEN[-4:]
    # Saving other fields keeps the token; "" forgets it.
    status, page = await admin.request(
        "PUT", "/api/telephony/settings", {"greeting": "Hi from {company}."}
    )
    assert status == 200 and page["settings"]["auth_token_set"] is True
    status, page = await admin.request("PUT", "/api/telephony/settings", {"auth_token": ""})
    assert page["settings"]["auth_token_set"] is False
    assert page["settings"]["phone_join_available"] is False

    # Reps cannot read or change it.
    assert (await rep.request("GET", "/api/telephony/settings"))[0] == 403
    assert (await rep.request("PUT", "/api/telephony/settings", {"provider": "none"}))[0] == 403


async def test_a_browser_call_the_calls_feature_vouches_for_gets_its_phone_leg(
    server: Server, twilio: FakeTwilio
) -> None:
    """The seam for browser calls: the calls feature's CALL_CHECK_HOOK refuses a call id that
    is not the visitor's live call in that chat; the leg then carries the call's id."""
    org, admin = await phone_org(server)
    async with server.visitor(org) as visitor, admin.socket() as console:
        assert visitor.welcome is not None
        conversation_id = await chatting_visitor(visitor)
        status, _ = await admin.request("POST", f"/api/conversations/{conversation_id}/accept")
        assert status == 200
        status, _ = await admin.request("PATCH", "/api/me/status", {"voice_video_enabled": True})
        assert status == 200
        await console.send(
            {
                "type": "call_start",
                "conversation_id": conversation_id,
                "media": "audio",
                "leg": "console",
            }
        )
        call_id = (await console.expect("call_ice"))["call_id"]
        await visitor.send(
            {"type": "phone_join", "client_id": "x", "number": VISITOR_PHONE, "call_id": "other"}
        )
        refused = await visitor.expect("error", ref="x")
        assert (refused["code"], refused["message"]) == ("not_found", "call not found")
        await visitor.send(
            {"type": "phone_join", "client_id": "c", "number": VISITOR_PHONE, "call_id": call_id}
        )
        leg = (await visitor.expect("phone_leg", client_id="c"))["leg"]
        assert leg["call_id"] == call_id
    _, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert [item["call_id"] for item in legs["phone_legs"]] == [call_id]
    assert len(twilio.created_calls()) == 1


async def test_a_visitors_phone_numbers_are_in_their_export_and_gone_after_erasure(
    server: Server, twilio: FakeTwilio
) -> None:
    org, admin = await phone_org(server)
    async with server.visitor(org) as visitor:
        assert visitor.welcome is not None
        visitor_id = visitor.welcome["visitor_id"]
        conversation_id = await chatting_visitor(visitor)
        await visitor.send({"type": "phone_join", "client_id": "p", "number": VISITOR_PHONE})
        await visitor.expect("phone_leg", client_id="p")
        status, export = await admin.request("GET", f"/api/visitors/{visitor_id}/export")
        assert status == 200
        assert [leg["number"] for leg in export["tables"]["phone_legs"]] == [VISITOR_E164]
        status, erased = await admin.request("POST", f"/api/visitors/{visitor_id}/erase")
        assert status == 200 and erased["deleted"]["phone_legs"] == 1
    status, _ = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
    assert status == 404
