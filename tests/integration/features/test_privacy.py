"""A visitor's data on request: export shows everything stored about them; erase leaves nothing
of them in any table or in the live state, and touches no one else."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from frontdesk.features.visitors.tokens import identity_hash
from frontdesk.storage.base import Base
from tests.harness import OrgInfo, RepClient, Server, Socket


async def chatting_visitor(
    server: Server, org: OrgInfo, rep: RepClient, visitor: Socket, email: str
) -> tuple[str, str]:
    """The visitor identifies, writes, gets an answer: their id and conversation's id."""
    visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
    await visitor.send(
        {
            "type": "identify",
            "email": email,
            "name": "Jane Doe",
            "hash": identity_hash(org.identity_secret, email),
        }
    )
    await visitor.expect("identified")
    await visitor.send(
        {"type": "page_view", "page": {"url": org.origin + "/pricing", "title": "Pricing"}}
    )
    await visitor.send({"type": "message", "client_id": "v1", "body": "Call me at 555-0100"})
    cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
    status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    status, _ = await rep.request(
        "POST", f"/api/conversations/{cid}/messages", {"client_id": "r1", "body": "Sure"}
    )
    assert status == 200
    await visitor.expect("message", message__client_id="r1")
    return visitor_id, cid


async def rows_naming(server: Server, visitor_id: str, conversation_id: str) -> dict[str, int]:
    """Every table with a visitor_id or conversation_id column: rows naming them."""
    counts: dict[str, int] = {}
    async with server.runtime.db.read() as session:
        for table in Base.metadata.sorted_tables:
            for column, value in (("visitor_id", visitor_id), ("conversation_id", conversation_id)):
                if column in table.c:
                    found = (
                        await session.execute(
                            select(func.count()).select_from(table).where(table.c[column] == value)
                        )
                    ).scalar_one()
                    counts[f"{table.name}.{column}"] = (
                        counts.get(f"{table.name}.{column}", 0) + found
                    )
        for table, column, value in (
            ("visitors", "id", visitor_id),
            ("conversations", "id", conversation_id),
            ("deadlines", "subject_id", conversation_id),
        ):
            t = Base.metadata.tables[table]
            counts[f"{table}.{column}"] = (
                await session.execute(
                    select(func.count()).select_from(t).where(t.c[column] == value)
                )
            ).scalar_one()
    return counts


async def test_erasing_a_visitor_leaves_nothing_of_them_and_export_had_every_row_it_removed(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    async with server.visitor(org) as other:
        other_id, other_cid = await chatting_visitor(server, org, rep, other, "sam@example.com")
    others_before = await rows_naming(server, other_id, other_cid)
    async with server.visitor(org) as visitor:
        visitor_id, cid = await chatting_visitor(server, org, rep, visitor, "jane@example.com")
        # A call the visitor declined: its record, its transcript line and its timers.
        async with rep.socket() as console:
            await console.send(
                {"type": "call_start", "conversation_id": cid, "media": "audio", "leg": "c"}
            )
            call_id = (await console.expect("call_ice"))["call_id"]
            await visitor.send({"type": "call_decline", "call_id": call_id})
            await console.expect("call", call__state="ended")
        before = await rows_naming(server, visitor_id, cid)
        assert before["calls.visitor_id"] == 1
        assert before["visitors.id"] == 1 and before["messages.conversation_id"] >= 2
        assert before["visits.visitor_id"] == 1 and before["page_views.visitor_id"] >= 1
        assert await server.runtime.live.get(org.id, visitor_id) is not None

        status, export = await admin.request("GET", f"/api/visitors/{visitor_id}/export")
        assert status == 200
        tables: dict[str, list[dict[str, Any]]] = export["tables"]
        assert {"Call me at 555-0100", "Sure"} <= {m["body"] for m in tables["messages"]}
        assert len(tables["messages"]) == before["messages.conversation_id"]
        assert tables["visitors"][0]["email"] == "jane@example.com"
        assert [c["email"] for c in tables["contacts"]] == ["jane@example.com"]

        status, erased = await admin.request("POST", f"/api/visitors/{visitor_id}/erase")
        assert status == 200
        assert await visitor.closed_code() == 4410, "their open tab is closed"
    # Export listed exactly what erase removed, table by table.
    assert erased["deleted"] == {name: len(rows) for name, rows in tables.items()}
    after = await rows_naming(server, visitor_id, cid)
    assert after == dict.fromkeys(after, 0), {k: v for k, v in after.items() if v}
    async with server.runtime.db.read() as session:
        contacts = Base.metadata.tables["contacts"]
        emails = (await session.execute(select(contacts.c.email))).scalars().all()
    assert "jane@example.com" not in emails and "sam@example.com" in emails
    assert await server.runtime.live.get(org.id, visitor_id) is None
    assert visitor_id not in {v.visitor_id for v in await server.runtime.live.list_org(org.id)}
    # Nobody else lost anything.
    assert await rows_naming(server, other_id, other_cid) == others_before
    # Both requests are in the audit log; neither carries the visitor's data.
    _, log = await admin.request("GET", "/api/audit")
    assert [e["action"] for e in log["entries"]] == [
        "POST /api/visitors/{visitor_id}/erase",
        "GET /api/visitors/{visitor_id}/export",
    ]
    assert "jane" not in str(log)


async def test_only_an_admin_of_the_visitors_org_may_export_or_erase(server: Server) -> None:
    org, other_org = await server.create_org(), await server.create_org("Other")
    rep = await server.rep(org)
    stranger = await server.rep(other_org, role="admin")
    async with server.visitor(org) as visitor:
        visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
    assert (await rep.request("GET", f"/api/visitors/{visitor_id}/export"))[0] == 403
    assert (await rep.request("POST", f"/api/visitors/{visitor_id}/erase"))[0] == 403
    assert (await stranger.request("GET", f"/api/visitors/{visitor_id}/export"))[0] == 404
    assert (await stranger.request("POST", f"/api/visitors/{visitor_id}/erase"))[0] == 404
    admin = await server.rep(org, role="admin")
    status, export = await admin.request("GET", f"/api/visitors/{visitor_id}/export")
    assert status == 200 and len(export["tables"]["visitors"]) == 1
