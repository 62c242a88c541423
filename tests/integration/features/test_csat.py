"""CSAT: a visitor rates a chat once it ended; the rating reaches the console, Visitor 360,
the webhook and reports, and only the chat's own visitor may give it, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import orjson
import pytest

from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, Socket, running_server
from tests.integration.features.test_webhooks import Receiver, free_port

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def local_targets(backend: Backend) -> AsyncIterator[Server]:
    """The webhook receiver runs on 127.0.0.1, so this server allows private targets."""
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, allow_private_targets=True
    ) as server:
        yield server


async def ask_for_ratings(admin: RepClient, scale: str) -> None:
    status, org = await admin.request("PATCH", "/api/org/settings", {"messenger": {"csat": scale}})
    assert status == 200 and org["messenger"]["csat"] == scale


async def ended_chat(visitor: Socket, admin: RepClient, client_id: str = "v1") -> str:
    """A chat the visitor started, a rep answered and ended; its id."""
    await visitor.send({"type": "message", "client_id": client_id, "body": "Do you do SSO?"})
    cid: str = (await visitor.expect("ack", client_id=client_id))["message"]["conversation_id"]
    status, _ = await admin.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "r1", "body": "Yes, SAML."}
    )
    assert status == 200
    status, _ = await admin.request("POST", f"/api/conversations/{cid}/end")
    assert status == 200
    await visitor.expect("conversation", conversation__id=cid, conversation__status="ended")
    return cid


async def test_a_rating_from_the_widget_reaches_the_console_visitor_360_webhook_and_reports(
    local_targets: Server,
) -> None:
    server = local_targets
    org = await server.create_org()
    admin = await server.rep(org, role="admin", name="Dana Reyes")
    await ask_for_ratings(admin, "faces")
    receiver = Receiver(free_port())
    await receiver.start()
    try:
        status, _ = await admin.request(
            "POST", "/api/webhooks", {"url": f"http://127.0.0.1:{receiver.port}/hook"}
        )
        assert status == 200
        async with admin.socket() as console, server.visitor(org) as visitor:
            assert visitor.welcome is not None
            assert visitor.welcome["config"]["messenger"]["csat"] == "faces"
            cid = await ended_chat(visitor, admin)
            async with server.visitor(org, token=visitor.welcome["token"]) as other_tab:
                await visitor.send(
                    {
                        "type": "rate",
                        "client_id": "rate-1",
                        "conversation_id": cid,
                        "score": 3,
                        "comment": "  Quick and clear, thanks!  ",
                    }
                )
                # Every tab of the visitor hears it (the messenger then thanks them)...
                rated = await visitor.expect("conversation", conversation__rating=3)
                assert rated["conversation"]["id"] == cid
                await other_tab.expect("conversation", conversation__rating=3)
            # ... and so does the console, on the chat's summary.
            update = await console.expect(
                "conversation.updated", conversation__id=cid, conversation__meta__csat__score=3
            )
            csat = update["conversation"]["meta"]["csat"]
            assert (csat["score"], csat["scale"], csat["comment"]) == (
                3,
                3,
                "Quick and clear, thanks!",
            )

        status, chat = await admin.request("GET", f"/api/conversations/{cid}")
        assert status == 200 and chat["conversation"]["meta"]["csat"]["score"] == 3
        status, profile = await admin.request("GET", f"/api/visitors/{rated_visitor(chat)}")
        assert status == 200
        assert [c["meta"].get("csat", {}).get("score") for c in profile["conversations"]] == [3]

        await server.runtime.sweeper.run_due()
        # (both were due at once: delivered in either order)
        events = {e["type"]: e for e in (orjson.loads(body) for _, body in receiver.received)}
        assert sorted(events) == ["conversation.ended", "conversation.rated"]
        assert len(receiver.received) == 2
        ended, rated_event = events["conversation.ended"], events["conversation.rated"]
        assert ended["data"]["conversation"]["csat"] is None  # rated after it ended
        webhook_csat = rated_event["data"]["conversation"]["csat"]
        assert webhook_csat["score"] == 3 and webhook_csat["scale"] == 3
        assert webhook_csat["satisfied"] is True
        assert webhook_csat["comment"] == "Quick and clear, thanks!"
        assert rated_event["data"]["conversation"]["id"] == cid
        assert rated_event["data"]["rep"]["name"] == "Dana Reyes"
    finally:
        await receiver.stop()

    today = date.today().isoformat()
    status, report = await admin.request(
        "GET", f"/api/reports/summary?start={today}&end={today}&zone=UTC"
    )
    assert status == 200
    assert (report["totals"]["csat_ratings"], report["totals"]["csat_rate"]) == (1, 1.0)
    assert [(r["rep_name"], r["csat_ratings"]) for r in report["reps"]] == [("Dana Reyes", 1)]
    assert "csat_rate" in [c["key"] for c in report["columns"]]


def rated_visitor(chat: dict[str, Any]) -> str:
    visitor_id: str = chat["conversation"]["visitor_id"]
    return visitor_id


async def test_satisfied_means_4_or_5_of_five_stars_in_reports(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await ask_for_ratings(admin, "stars")
    for n, score in enumerate((5, 4, 3, 1)):
        async with server.visitor(org) as visitor:
            cid = await ended_chat(visitor, admin, f"v{n}")
            await visitor.send({"type": "rate", "conversation_id": cid, "score": score})
            await visitor.expect("conversation", conversation__rating=score)
    today = date.today().isoformat()
    status, report = await admin.request(
        "GET", f"/api/reports/summary?start={today}&end={today}&zone=UTC"
    )
    assert status == 200
    totals = report["totals"]
    assert (totals["csat_ratings"], totals["csat_satisfied"], totals["csat_rate"]) == (4, 2, 0.5)
    assert [d["csat_ratings"] for d in report["days"]] == [4]


async def error_for(visitor: Socket, frame: dict[str, Any]) -> dict[str, Any]:
    await visitor.send({"type": "rate", "client_id": "r", **frame})
    error = await visitor.expect("error", ref="r")
    visitor.received.clear()
    return error


async def test_only_the_chats_own_visitor_rates_an_ended_chat_once_when_the_org_asks(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as visitor:
        cid = await ended_chat(visitor, admin)
        # The org asks for no ratings (the default).
        error = await error_for(visitor, {"conversation_id": cid, "score": 3})
        assert (error["code"], error["message"]) == (
            "forbidden",
            "this website does not ask for ratings",
        )
        await ask_for_ratings(admin, "faces")
        # bad/neutral/good is 1-3
        error = await error_for(visitor, {"conversation_id": cid, "score": 4})
        assert error["code"] == "invalid" and "from 1 to 3" in error["message"]
        # a comment is at most 1,000 characters
        error = await error_for(
            visitor, {"conversation_id": cid, "score": 3, "comment": "x" * 1001}
        )
        assert error["code"] == "invalid_frame" and "comment" in error["message"]
        # a score must be a whole number from 1 to 5
        error = await error_for(visitor, {"conversation_id": cid, "score": "3"})
        assert error["code"] == "invalid_frame" and "score" in error["message"]

        await visitor.send({"type": "rate", "conversation_id": cid, "score": 1, "comment": "Slow"})
        await visitor.expect("conversation", conversation__rating=1)
        # Final: a second rating is refused and the first one stands.
        error = await error_for(visitor, {"conversation_id": cid, "score": 3})
        assert (error["code"], error["message"]) == ("conflict", "this chat has been rated already")
        status, chat = await admin.request("GET", f"/api/conversations/{cid}")
        assert chat["conversation"]["meta"]["csat"]["score"] == 1

        # An open chat cannot be rated yet.
        await visitor.send({"type": "message", "client_id": "v2", "body": "One more thing"})
        open_cid = (await visitor.expect("ack", client_id="v2"))["message"]["conversation_id"]
        error = await error_for(visitor, {"conversation_id": open_cid, "score": 3})
        assert (error["code"], error["message"]) == (
            "invalid",
            "only a chat that has ended can be rated",
        )

    # Another visitor of the org cannot rate this visitor's chat...
    async with server.visitor(org) as stranger:
        error = await error_for(stranger, {"conversation_id": open_cid, "score": 3})
        assert error["code"] == "not_found"
    # ... nor can a visitor of another org, which asks for ratings too.
    other: OrgInfo = await server.create_org()
    other_admin = await server.rep(other, role="admin")
    await ask_for_ratings(other_admin, "faces")
    async with server.visitor(other) as foreigner:
        error = await error_for(foreigner, {"conversation_id": cid, "score": 3})
        assert error["code"] == "not_found"


async def test_a_chat_is_rated_within_a_day_of_its_end(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await ask_for_ratings(admin, "stars")
    async with server.visitor(org) as visitor:
        cid = await ended_chat(visitor, admin)
        assert visitor.welcome is not None
        token = visitor.welcome["token"]
    server.clock.advance(24 * 3600 + 1)  # type: ignore[attr-defined]
    async with server.visitor(org, token=token) as visitor:
        error = await error_for(visitor, {"conversation_id": cid, "score": 5})
        assert error["message"] == "this chat ended too long ago to be rated"


async def test_the_csat_setting_is_validated(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"csat": "thumbs"}}
    )
    assert status == 422 and "csat" in orjson.dumps(body).decode()
    rep = await server.rep(org, role="rep")
    status, _ = await rep.request("PATCH", "/api/org/settings", {"messenger": {"csat": "faces"}})
    assert status == 403
