"""Join by phone into the rep's browser call: when the visitor answers, Twilio asks Frontdesk
(signed) what to do, and the answer rings the console of the rep on the visitor's browser call
(`<Dial><Client>`, a Twilio Voice client with a short-lived Access Token minted here), or the
org's phone line when there is no such rep or no API key. Against the local fake of Twilio's
API; the media between Twilio and the console cannot be tested here (no internet)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from tests.harness import RepClient, Server, Socket
from tests.integration.features.test_telephony import (
    CALLER,
    SALES_LINE,
    VISITOR_PHONE,
    chatting_visitor,
    server,
    set_up_phone,
    twilio,
)
from tests.support.fake_twilio import FakeTwilio, twilio_signature

pytestmark = pytest.mark.asyncio
__all__ = ["server", "twilio"]  # the fixtures, used by name

KEY_SID = "SK" + "c3" * 16


class _Any:
    def __eq__(self, other: object) -> bool:
        return True


ANY_BODY: Any = _Any()
KEY_SECRET = "5ecre7" * 6


async def browser_call(admin: RepClient, console: Socket, visitor: Socket) -> tuple[str, str]:
    """The rep accepts the visitor's chat and calls them in the browser, and the visitor joins:
    (conversation, call)."""
    conversation_id = await chatting_visitor(visitor)
    status, _ = await admin.request("POST", f"/api/conversations/{conversation_id}/accept")
    assert status == 200
    status, _ = await admin.request("PATCH", "/api/me/status", {"voice_video_enabled": True})
    assert status == 200
    await console.send(
        {"type": "call_start", "conversation_id": conversation_id, "media": "audio", "leg": "tab"}
    )
    call_id = str((await console.expect("call_ice"))["call_id"])
    await visitor.send({"type": "call_accept", "call_id": call_id, "media": "audio", "tab_id": "t"})
    await console.expect("call", call__state="connecting")
    return conversation_id, call_id


async def join_by_phone(visitor: Socket, call_id: str | None, ref: str = "p") -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "phone_join", "client_id": ref, "number": VISITOR_PHONE}
    if call_id is not None:
        frame["call_id"] = call_id
    await visitor.send(frame)
    return (await visitor.expect("phone_leg", client_id=ref))["leg"]  # type: ignore[no-any-return]


async def test_the_answered_phone_rings_the_console_of_the_rep_on_the_browser_call(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org("Northwind")
    admin = await server.rep(org, role="admin", name="Avery Admin")
    page = await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    assert page["settings"]["browser_bridge"] is True
    async with admin.socket() as console, server.visitor(org) as visitor:
        _, call_id = await browser_call(admin, console, visitor)
        leg = await join_by_phone(visitor, call_id)
        (created,) = twilio.created_calls()
        # What to do once answered is asked for then, not fixed when the call is placed.
        assert created.value("Url") == (
            f"{server.settings.public_url}/api/telephony/twilio/{org.id}/legs/{leg['id']}/answer"
        )
        assert created.value("Method") == "POST" and created.value("Twiml") is None

        # The rep's console gets a short-lived Access Token for the Voice SDK.
        status, out = await admin.request("POST", f"/api/phone-legs/{leg['id']}/voice-token")
        assert status == 200, out
        assert (out["leg_id"], out["call_id"]) == (leg["id"], call_id)
        claims = jwt.decode(out["token"], KEY_SECRET, algorithms=["HS256"])
        assert jwt.get_unverified_header(out["token"]) == {
            "alg": "HS256",
            "typ": "JWT",
            "cty": "twilio-fpa;v=1",
        }
        assert claims["iss"] == KEY_SID
        assert claims["sub"] == created.auth[0] if created.auth else False
        assert claims["exp"] - claims["iat"] == 600
        assert claims["grants"] == {
            "identity": out["identity"],
            "voice": {"incoming": {"allow": True}},
        }
        # The identity is opaque: neither the rep's id, name nor email.
        assert out["identity"].startswith("rep_")
        assert admin.rep_id not in out["identity"] and "avery" not in out["identity"].lower()
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(out["token"], "another secret", algorithms=["HS256"])

        # The visitor answers: Twilio asks, and is told to ring that console, naming the leg.
        (call_sid,) = twilio.calls
        status, twiml = await twilio.answer(call_sid)
        assert status == 200, twiml
        assert "<Say>Hello, this is Northwind" in twiml
        dialed = (
            f"{server.settings.public_url}/api/telephony/twilio/{org.id}/legs/{leg['id']}/dialed"
        )
        assert (
            f'<Dial callerId="{CALLER}" timeout="30" action="{dialed}" method="POST">'
            f"<Client><Identity>{out['identity']}</Identity>"
            f'<Parameter name="frontdesk_leg" value="{leg["id"]}"/></Client></Dial></Response>'
        ) in twiml
        assert "<Number>" not in twiml and "Record" not in twiml
        await visitor.expect("phone_leg", leg__status="in_progress")
        await console.expect("phone_leg.updated", leg__status="in_progress")

        # When the Dial ends, Twilio asks its action (signed): the rep talked and hung up, so
        # the visitor hears no apology; had nobody answered, they would.
        assert await twilio.dial_ended(call_sid, "completed", signed=False) == (403, ANY_BODY)
        assert await twilio.dial_ended(call_sid, "completed") == (
            200,
            "<Response><Hangup/></Response>",
        )
        status, sorry = await twilio.dial_ended(call_sid, "no-answer")
        assert status == 200 and "<Say>Sorry, nobody could take your call." in sorry


async def test_without_a_browser_call_or_an_api_key_the_answered_phone_rings_the_org_line(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org("Northwind")
    admin = await server.rep(org, role="admin")
    page = await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    org_line = f"<Number>{SALES_LINE}</Number></Dial></Response>"  # (no apology after it)
    async with admin.socket() as console, server.visitor(org) as visitor:
        # A phone asked for from the chat, with no browser call: the org's line.
        await chatting_visitor(visitor)
        leg = await join_by_phone(visitor, None)
        status, twiml = await twilio.answer(list(twilio.calls)[-1])
        assert status == 200 and org_line in twiml and "<Client>" not in twiml
        status, _ = await admin.request("POST", f"/api/phone-legs/{leg['id']}/voice-token")
        assert status == 404  # no browser call: no token
        await twilio.send_status(list(twilio.calls)[-1], "completed", duration=3)
        await visitor.expect("phone_leg", leg__status="completed")

        # A browser call, but the API key is removed: the org's line again, and no token.
        page = await set_up_phone(admin, api_key_secret="")
        assert page["settings"]["browser_bridge"] is False
        assert page["settings"]["api_key_secret_set"] is False
        _, call_id = await browser_call(admin, console, visitor)
        leg = await join_by_phone(visitor, call_id, "q")
        status, error = await admin.request("POST", f"/api/phone-legs/{leg['id']}/voice-token")
        assert status == 409 and error["error"]["code"] == "phone_unavailable"
        status, twiml = await twilio.answer(list(twilio.calls)[-1])
        assert status == 200 and org_line in twiml and "<Client>" not in twiml


async def test_a_browser_call_that_ended_falls_back_to_the_org_line(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    async with admin.socket() as console, server.visitor(org) as visitor:
        _, call_id = await browser_call(admin, console, visitor)
        leg = await join_by_phone(visitor, call_id)
        await console.send({"type": "call_hangup", "call_id": call_id})
        await console.expect("call", call__state="ended")
        status, twiml = await twilio.answer(list(twilio.calls)[-1])
        assert status == 200 and f"<Number>{SALES_LINE}</Number>" in twiml
        # And the ended call's rep gets no token for it any more.
        status, _ = await admin.request("POST", f"/api/phone-legs/{leg['id']}/voice-token")
        assert status == 404


async def test_a_browser_call_the_visitor_has_not_joined_yet_gets_no_token(
    server: Server, twilio: FakeTwilio
) -> None:
    """Until both sides are in the call no rep holds it: the org's line, and no token."""
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    async with admin.socket() as console, server.visitor(org) as visitor:
        conversation_id = await chatting_visitor(visitor)
        await admin.request("POST", f"/api/conversations/{conversation_id}/accept")
        await admin.request("PATCH", "/api/me/status", {"voice_video_enabled": True})
        await console.send(
            {"type": "call_start", "conversation_id": conversation_id, "media": "audio", "leg": "t"}
        )
        call_id = (await console.expect("call_ice"))["call_id"]
        leg = await join_by_phone(visitor, call_id)
        status, _ = await admin.request("POST", f"/api/phone-legs/{leg['id']}/voice-token")
        assert status == 404
        status, twiml = await twilio.answer(list(twilio.calls)[-1])
        assert status == 200 and f"<Number>{SALES_LINE}</Number>" in twiml


async def test_the_answer_url_needs_twilios_signature(server: Server, twilio: FakeTwilio) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    async with admin.socket() as console, server.visitor(org) as visitor:
        conversation_id, call_id = await browser_call(admin, console, visitor)
        await join_by_phone(visitor, call_id)
        (call_sid,) = twilio.calls
        call = twilio.calls[call_sid]
        assert call.answer_url is not None
        status, body = await twilio.answer(call_sid, signed=False)
        assert status == 403 and "<Client>" not in body
        params = twilio.callback_params(call, "in-progress")
        for signature in (
            twilio_signature("0" * 32, call.answer_url, params),
            twilio_signature(KEY_SECRET, call.answer_url, params),  # the API key is not the token
            twilio_signature(
                "f00d" * 8, call.answer_url.replace("/answer", "/status"), params
            ),  # signed for another URL
        ):
            assert await twilio.post_callback(call.answer_url, params, signature) == 403
        # Nothing moved: the leg is still queued.
        _, legs = await admin.request("GET", f"/api/conversations/{conversation_id}/phone-legs")
        assert legs["phone_legs"][0]["status"] == "queued"
        # Another org's URL for this leg: not found there.
        other = await server.create_org("Globex")
        other_admin = await server.rep(other, role="admin")
        await set_up_phone(other_admin)
        elsewhere = call.answer_url.replace(f"/{org.id}/", f"/{other.id}/")
        assert (
            await twilio.post_callback(
                elsewhere, params, twilio_signature("f00d" * 8, elsewhere, params)
            )
            == 404
        )


async def test_only_the_rep_on_the_call_gets_a_token_and_not_too_often(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    colleague = await server.rep(org)
    await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    other = await server.create_org("Globex")
    outsider = await server.rep(other, role="admin")
    async with admin.socket() as console, server.visitor(org) as visitor:
        _, call_id = await browser_call(admin, console, visitor)
        leg = await join_by_phone(visitor, call_id)
        path = f"/api/phone-legs/{leg['id']}/voice-token"
        # A colleague who is not on the call, and another org's admin: not found.
        assert (await colleague.request("POST", path))[0] == 404
        assert (await outsider.request("POST", path))[0] == 404
        assert (await admin.request("POST", "/api/phone-legs/" + "0" * 32 + "/voice-token"))[
            0
        ] == 404
        # The rep on the call: yes, ten times a minute (the console asks once, and again
        # before the token expires), then 429.
        statuses = [(await admin.request("POST", path))[0] for _ in range(11)]
        # (the unknown leg above counted: 9 more)
        assert statuses.count(200) == 9 and statuses[-1] == 429


async def test_the_answer_url_is_rate_limited_per_leg(server: Server, twilio: FakeTwilio) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin)
    async with server.visitor(org) as visitor:
        await chatting_visitor(visitor)
        await join_by_phone(visitor, None)
        (call_sid,) = twilio.calls
        statuses = [(await twilio.answer(call_sid))[0] for _ in range(11)]
        assert statuses[:10] == [200] * 10 and statuses[10] == 429


async def test_the_api_key_secret_is_write_only_and_checked(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    page = await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    assert KEY_SECRET not in str(page)
    settings = page["settings"]
    assert (settings["api_key_sid"], settings["api_key_secret_set"]) == (KEY_SID, True)
    assert settings["api_key_secret_hint"] == "…" + KEY_SECRET[-4:]
    status, error = await admin.request(
        "PUT",
        "/api/telephony/settings",
        {"api_key_sid": "AC" + "0" * 32, "api_key_secret": "short"},
    )
    assert status == 422
    assert {d["field"] for d in error["error"]["details"]} == {"api_key_sid", "api_key_secret"}


async def test_the_answer_url_takes_only_small_form_encoded_requests(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin)
    async with server.visitor(org) as visitor:
        await chatting_visitor(visitor)
        await join_by_phone(visitor, None)
    (call_sid,) = twilio.calls
    url = twilio.calls[call_sid].answer_url
    assert url is not None
    http = server.http()
    big = [("AccountSid", "x"), ("Padding", "p" * 17_000)]
    async with http.post(url, data=big) as response:
        assert response.status == 422  # over 16 KB: refused before any signature is checked
    async with http.post(url, json={"CallSid": call_sid}) as response:
        assert response.status == 415  # not form-encoded


async def test_when_the_browser_call_ends_the_visitors_phone_is_hung_up_too(
    server: Server, twilio: FakeTwilio
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await set_up_phone(admin, api_key_sid=KEY_SID, api_key_secret=KEY_SECRET)
    async with admin.socket() as console, server.visitor(org) as visitor:
        _, call_id = await browser_call(admin, console, visitor)
        await join_by_phone(visitor, call_id)
        (call_sid,) = twilio.calls
        assert (await twilio.answer(call_sid))[0] == 200
        await visitor.expect("phone_leg", leg__status="in_progress")
        await console.send({"type": "call_hangup", "call_id": call_id})
        await console.expect("call", call__state="ended")
        # After the commit, once (the sweeper, on whichever process): Twilio completes it.
        await server.runtime.sweeper.run_due()
        ended = await visitor.expect("phone_leg", leg__status="completed")
        assert ended["leg"]["end_reason"] == "the browser call ended"
        await server.runtime.sweeper.run_due()
        # (the database may hold other tests' deadlines: only this call's requests count)
        updates = [r for r in twilio.requests if r.path.endswith(f"/Calls/{call_sid}.json")]
        assert [r.form for r in updates] == [[("Status", "completed")]]  # once
