"""One org never sees another org's data, through any endpoint or socket."""

from __future__ import annotations

import pytest

from tests.harness import Server

pytestmark = pytest.mark.asyncio


async def test_a_rep_of_one_org_reads_and_writes_nothing_of_another(server: Server) -> None:
    acme, globex = (
        await server.create_org("Acme"),
        await server.create_org("Globex", origins=("https://globex.example",)),
    )
    acme_rep = await server.rep(acme, role="admin")
    globex_rep = await server.rep(globex, role="admin")
    async with (
        acme_rep.socket() as acme_console,
        server.visitor(globex, url="https://globex.example/secret-pricing") as visitor,
    ):
        await visitor.send({"type": "message", "client_id": "g1", "body": "Globex secret"})
        ack = await visitor.expect("ack")
        cid = ack["message"]["conversation_id"]
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]

        for method, path, body in [
            ("GET", f"/api/conversations/{cid}", None),
            ("POST", f"/api/conversations/{cid}/accept", None),
            ("POST", f"/api/conversations/{cid}/end", None),
            ("POST", f"/api/conversations/{cid}/messages", {"client_id": "x", "body": "hi"}),
            ("GET", f"/api/visitors/{vid}", None),
            ("POST", f"/api/visitors/{vid}/conversations", {"client_id": "y", "body": "hi"}),
        ]:
            status, _ = await acme_rep.request(method, path, body)
            assert status == 404, (method, path)
        status, globex_reps = await globex_rep.request("GET", "/api/reps")
        globex_rep_id = globex_reps["reps"][0]["id"]
        status, _ = await acme_rep.request("PATCH", f"/api/reps/{globex_rep_id}", {"active": False})
        assert status == 404
        for box in ("incoming", "active", "recent"):
            status, listing = await acme_rep.request("GET", f"/api/conversations?box={box}")
            assert cid not in {c["id"] for c in listing["conversations"]}

        await acme_console.send(
            {"type": "message", "conversation_id": cid, "client_id": "z", "body": "sneaky"}
        )
        assert (await acme_console.expect("error", ref="z"))["code"] == "not_found"
        await acme_console.send({"type": "resume", "conversation_id": cid, "after_seq": 0})
        assert (await acme_console.expect("error"))["code"] == "not_found"
        # Nothing of Globex's visitor ever reached Acme's console.
        await acme_console.send({"type": "ping"})
        await acme_console.expect("pong")
        assert "Globex secret" not in str(acme_console.received)
        assert vid not in str(acme_console.received)
        assert acme_console.snapshot is not None and acme_console.snapshot["visitors"] == []

    # And the other way round: Globex's admin sees its own visitor's conversation.
    status, body = await globex_rep.request("GET", f"/api/conversations/{cid}")
    assert status == 200 and body["messages"][0]["body"] == "Globex secret"


async def test_a_visitor_token_from_one_org_does_not_open_a_visitor_of_another(
    server: Server,
) -> None:
    acme, globex = (
        await server.create_org("Acme"),
        await server.create_org("Globex", origins=("https://globex.example",)),
    )
    async with server.visitor(acme) as visitor:
        acme_token = visitor.welcome["token"]  # type: ignore[index]
        acme_visitor = visitor.welcome["visitor_id"]  # type: ignore[index]
    async with server.visitor(globex, token=acme_token) as visitor:
        assert visitor.welcome["visitor_id"] != acme_visitor  # type: ignore[index]
