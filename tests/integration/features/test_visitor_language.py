"""What the server writes into a visitor's chat is in the visitor's language: the away message
and when the team is back, the queue's place, the bot's greeting, the hand-off; the org's
language choice and its own wording come first (features/orgs/visitor_texts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import WSMsgType

from tests.harness import Server

pytestmark = pytest.mark.asyncio

EVERY_DAY_9_TO_5 = {
    day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}
GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"}


async def _ask(visitor: object, text: str = "Hallo, ist jemand da?") -> str:
    await visitor.send({"type": "message", "client_id": "first", "body": text})  # type: ignore[attr-defined]
    ack = await visitor.expect("ack", client_id="first")  # type: ignore[attr-defined]
    return str(ack["message"]["conversation_id"])


async def _closed_in_berlin_until_monday_9(server: Server) -> tuple[object, object]:
    # Saturday 9 January 2027, 20:00 in Berlin (CET, UTC+1); closed on Sundays: back Monday.
    server.clock.set(datetime(2027, 1, 9, 19, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin")
    weekdays = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    status, hours = await admin.request(
        "PUT", "/api/business-hours/org", {"time_zone": "Europe/Berlin", "weekly": weekdays}
    )
    assert status == 200, hours
    assert hours["reopens_at"] == "2027-01-11T08:00:00+00:00"
    return org, admin


async def test_a_german_visitor_outside_business_hours_is_told_in_german_when_the_team_is_back(
    server: Server,
) -> None:
    org, admin = await _closed_in_berlin_until_monday_9(server)
    async with server.visitor(org, headers=GERMAN_BROWSER) as visitor:
        cid = await _ask(visitor)
        away = await visitor.expect("message", message__author_kind="bot")
        assert away["message"]["body"] == (
            "Wir sind gerade außerhalb unserer Geschäftszeiten. Hinterlassen Sie uns eine "
            "Nachricht, wir melden uns. Wir sind wieder da: Montag, 09:00 (CET)."
        )
        # The widget gets the instant too (`away_until`; its header says "outside hours" and
        # leaves when to this message, so it is said once).
        state = await visitor.expect("conversation", conversation__id=cid)
        assert state["conversation"]["away_until"] == "2027-01-11T08:00:00Z"
        # The rep's transcript shows what the visitor read.
        status, body = await admin.request("GET", f"/api/conversations/{cid}")
        assert status == 200, body
        assert body["messages"][-1]["body"].endswith("Wir sind wieder da: Montag, 09:00 (CET).")

        # Monday 09:00: the countdown runs, and the bot greets in German when it ends.
        server.clock.set(datetime(2027, 1, 11, 8, 0, tzinfo=UTC))  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        await visitor.expect("conversation", conversation__id=cid, conversation__offline=False)
        server.clock.advance(20)  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        greeting = await visitor.expect("message", message__author_kind="bot", message__seq=3)
        assert greeting["message"]["body"] == (
            "Danke für Ihre Nachricht! Gleich meldet sich jemand aus unserem Team. "
            "Womit können wir Ihnen helfen, während Sie warten?"
        )


async def test_a_japanese_visitor_in_the_queue_is_told_their_place_in_japanese(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Avery Admin", available=False)
    dana = await server.rep(org, name="Dana Reyes")
    status, capacity = await admin.request(
        "PUT", "/api/capacity", {"default_max_chats": 1, "overflow": "queue"}
    )
    assert status == 200, capacity
    async with (
        server.visitor(org) as first,
        server.visitor(org, language="ja") as japanese,
    ):
        busy_cid = await _ask(first, "Hi there")
        status, answer = await dana.request("POST", f"/api/conversations/{busy_cid}/accept")
        assert status == 200, answer

        cid = await _ask(japanese, "こんにちは")
        told = await japanese.expect("message", message__author_kind="bot")
        assert told["message"]["body"] == (
            "ただいま担当者が全員ほかのチャットに対応中です。このままお待ちください。"
            "空き次第おつなぎします。 順番待ち: 1 番目です。"
        )
        await japanese.expect("conversation", conversation__id=cid, conversation__queue_position=1)

        # Dana's chat ends: the queued visitor is next, told so in Japanese, and Dana's
        # hand-off line is in Japanese too.
        status, _ = await dana.request("POST", f"/api/conversations/{busy_cid}/end")
        assert status == 200
        released = await japanese.expect("message", message__author_kind="bot", message__seq=3)
        assert released["message"]["body"] == "お待たせしました。まもなく担当者が対応いたします。"
        status, answer = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200, answer
        joined = await japanese.expect("message", message__author_kind="system")
        assert joined["message"]["body"] == "Danaがチャットに参加しました。"


async def test_the_org_s_language_and_its_own_wording_come_before_the_browser_s(
    server: Server,
) -> None:
    org, admin = await _closed_in_berlin_until_monday_9(server)
    status, body = await admin.request(
        "PATCH",
        "/api/org/settings",
        {
            "messenger": {
                "language": "fr",
                "texts": {"fr": {"serverAway": "Fermé pour la nuit.", "backAt": "Retour {when} !"}},
            }
        },
    )
    assert status == 200, body
    async with server.visitor(org, headers=GERMAN_BROWSER) as visitor:
        await _ask(visitor)
        away = await visitor.expect("message", message__author_kind="bot")
        assert away["message"]["body"] == "Fermé pour la nuit. Retour lundi à 09:00 (CET) !"


async def test_an_admin_s_own_away_message_is_kept_with_when_the_team_is_back_in_the_visitor_s_language(
    server: Server,
) -> None:
    org, admin = await _closed_in_berlin_until_monday_9(server)
    weekdays = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    status, _ = await admin.request(
        "PUT",
        "/api/business-hours/org",
        {"time_zone": "Europe/Berlin", "weekly": weekdays, "away_message": "Feierabend!"},
    )
    assert status == 200
    # A browser whose first language the messenger lacks: the next one it has (Spanish).
    async with server.visitor(org, headers={"Accept-Language": "nl-NL, es;q=0.8"}) as visitor:
        await _ask(visitor)
        away = await visitor.expect("message", message__author_kind="bot")
        assert away["message"]["body"] == "Feierabend! Volvemos el lunes a las 09:00 (CET)."
    # No language known at all: English.
    async with server.visitor(org) as visitor:
        await _ask(visitor)
        away = await visitor.expect("message", message__author_kind="bot")
        assert away["message"]["body"] == "Feierabend! We're back Monday at 09:00 (CET)."


@pytest.mark.parametrize("language", ["de_DE", "x" * 36, "deutsch-sprache-bitte-ja", 7, ""])
async def test_a_hello_with_a_language_that_is_not_a_short_language_tag_is_refused(
    server: Server, language: object
) -> None:
    org = await server.create_org()
    ws = await server.http().ws_connect(  # a client of its own: not the harness hello
        f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin
    )
    try:
        await ws.send_json(
            {
                "type": "hello",
                "page": {"url": org.origin + "/", "title": "Home"},
                "tab_id": "tab",
                "language": language,
            }
        )
        refused = await ws.receive_json(timeout=5)
        assert refused["type"] == "error" and refused["code"] == "invalid_frame"
        assert "language" in refused["message"]
        closing = await ws.receive(timeout=5)
        assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    finally:
        await ws.close()


async def test_a_portuguese_visitor_nobody_can_take_gets_the_offline_line_and_a_transfer_in_portuguese(
    server: Server,
) -> None:
    org = await server.create_org()
    await server.rep(org, role="admin", name="Avery Admin", available=False)
    async with server.visitor(org, headers={"Accept-Language": "pt-BR,pt;q=0.9"}) as visitor:
        await _ask(visitor, "Olá")
        offline = await visitor.expect("message", message__author_kind="bot")
        assert offline["message"]["body"] == (
            "Estamos offline agora. Deixe uma mensagem e seu e-mail, e responderemos."
        )
    dana = await server.rep(org, name="Dana Reyes")
    sam = await server.rep(org, name="Sam Okafor")
    async with server.visitor(org, language="pt-BR") as visitor:
        cid = await _ask(visitor, "Olá de novo")
        status, answer = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200, answer
        status, moved = await dana.request(
            "POST", f"/api/conversations/{cid}/transfer", {"to_rep_id": sam.rep_id}
        )
        assert status == 200, moved
        joined = await visitor.expect("message", message__author_kind="system", message__seq=2)
        assert joined["message"]["body"] == "Dana, da nossa equipe, entrou no chat."
        told = await visitor.expect("message", message__author_kind="system", message__seq=3)
        assert told["message"]["body"] == "Agora você está conversando com Sam Okafor."


async def test_a_german_visitor_reads_the_call_line_and_the_inactivity_end_in_german(
    server: Server,
) -> None:
    org = await server.create_org()
    dana = await server.rep(org, name="Dana Reyes")
    async with server.visitor(org, headers=GERMAN_BROWSER) as visitor, dana.socket() as console:
        cid = await _ask(visitor)
        status, _ = await dana.request("POST", f"/api/conversations/{cid}/accept")
        assert status == 200
        await console.send(
            {"type": "call_start", "conversation_id": cid, "media": "video", "leg": "c1"}
        )
        call_id = (await console.expect("call_ice"))["call_id"]
        await visitor.expect("call", call__state="requested")
        await visitor.send({"type": "call_decline", "call_id": call_id})
        line = await visitor.expect("message", message__author_kind="system", message__seq=3)
        assert line["message"]["body"] == "Videoanruf mit Dana Reyes: abgelehnt."
        # The rep's transcript shows what the visitor read; the call's details are in its meta.
        status, body = await dana.request("GET", f"/api/conversations/{cid}")
        assert body["messages"][-1]["body"] == "Videoanruf mit Dana Reyes: abgelehnt."
        assert body["messages"][-1]["meta"]["call"]["end_reason"] == "declined"

        await visitor.send({"type": "activity", "state": "idle"})
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        server.clock.advance(10 * 60)  # type: ignore[attr-defined]
        await server.runtime.sweeper.run_due()
        await visitor.expect("conversation", conversation__status="ended")
    status, body = await dana.request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["ended_reason"] == "visitor_idle"
    assert body["messages"][-1]["body"] == (
        "Dieser Chat wurde beendet, weil der Besucher 10 Minuten lang inaktiv war."
    )
