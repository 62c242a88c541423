"""Visitor messages to open chats are written in groups (one transaction per group); each is
still stored once, in order, and acknowledged only once stored, whatever else is in its group."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import orjson
import pytest
from sqlalchemy import text

from frontdesk.features import conversations
from frontdesk.features.conversations.group_writer import OpenChatWriter
from tests.conftest import Backend
from tests.harness import Server, Socket
from tests.query_count import counting_queries

pytestmark = pytest.mark.asyncio


async def _open_chat(visitor: Socket) -> tuple[str, str]:
    await visitor.send({"type": "message", "client_id": "first", "body": "hello"})
    ack = await visitor.expect("ack", client_id="first")
    assert visitor.welcome is not None
    return visitor.welcome["visitor_id"], ack["message"]["conversation_id"]


async def test_many_visitors_writing_at_once_each_get_every_message_stored_once_in_order(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with contextlib.AsyncExitStack() as stack:
        visitors = [await stack.enter_async_context(server.visitor(org)) for _ in range(6)]
        chats = [await _open_chat(v) for v in visitors]
        # Every visitor fires five messages without waiting, so they reach the server together.
        for v in visitors:
            for k in range(5):
                await v.send({"type": "message", "client_id": f"m{k}", "body": f"message {k}"})
        await visitors[0].send({"type": "message", "client_id": "m2", "body": "message 2"})
        for v, (_, conversation_id) in zip(visitors, chats, strict=True):
            acks = [await v.expect("ack", client_id=f"m{k}") for k in range(5)]
            assert [a["message"]["seq"] for a in acks] == [2, 3, 4, 5, 6]
            status, body = await rep.request("GET", f"/api/conversations/{conversation_id}")
            assert status == 200
            assert [m["body"] for m in body["messages"]] == ["hello"] + [
                f"message {k}" for k in range(5)
            ]
        again = await visitors[0].expect("ack", client_id="m2")
        assert again["message"]["seq"] == 4  # the retry names the stored message


async def test_a_group_holding_a_retry_and_a_visitor_without_a_chat_still_stores_the_rest(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await server.create_org()
    await server.rep(org)
    async with server.visitor(org) as a, server.visitor(org) as b, server.visitor(org) as c:
        a_id, _ = await _open_chat(a)
        b_id, b_chat = await _open_chat(b)
        assert c.welcome is not None
        c_id = c.welcome["visitor_id"]  # no chat yet: its message opens one
        runtime = server.runtime
        groups: list[int] = []
        writer = OpenChatWriter
        original = writer._write_batch

        async def spy(self: OpenChatWriter, batch: list[object]) -> object:
            groups.append(len(batch))
            return await original(self, batch)  # type: ignore[arg-type]

        monkeypatch.setattr(writer, "_write_batch", spy)
        posted = await asyncio.gather(
            conversations.post_visitor_message(runtime, org.id, a_id, "x1", "one"),
            conversations.post_visitor_message(runtime, org.id, b_id, "first", "retry"),
            conversations.post_visitor_message(runtime, org.id, c_id, "y1", "new chat"),
            conversations.post_visitor_message(runtime, org.id, a_id, "x2", "two"),
        )
        assert [p.message.body for p in posted] == ["one", "hello", "new chat", "two"]
        assert posted[1].duplicate and posted[1].message.conversation_id == b_chat
        assert posted[2].conversation_created
        assert [posted[0].message.seq, posted[3].message.seq] == [2, 3]
        # They were tried as one group, which fell back to one message at a time.
        assert groups[0] == 4 and groups[1:] == [1, 1, 1, 1]


async def test_messages_that_arrive_together_are_committed_as_one_group(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as a, server.visitor(org) as b:
        a_id, a_chat = await _open_chat(a)
        b_id, _ = await _open_chat(b)
        groups: list[int] = []
        original = OpenChatWriter._write_batch

        async def spy(self: OpenChatWriter, batch: list[object]) -> object:
            groups.append(len(batch))
            return await original(self, batch)  # type: ignore[arg-type]

        monkeypatch.setattr(OpenChatWriter, "_write_batch", spy)
        runtime = server.runtime
        posted = await asyncio.gather(
            *(
                conversations.post_visitor_message(runtime, org.id, visitor_id, f"g{k}", f"#{k}")
                for k, visitor_id in enumerate([a_id, b_id, a_id])
            )
        )
        assert groups == [3]
        assert [(p.message.body, p.message.seq) for p in posted] == [
            ("#0", 2),
            ("#1", 2),
            ("#2", 3),
        ]
        await a.expect("message", message__client_id="g2")  # the visitor's tabs hear of it
        status, body = await rep.request("GET", f"/api/conversations/{a_chat}")
        assert status == 200
        assert [m["body"] for m in body["messages"]] == ["hello", "#0", "#2"]


async def test_after_postgresql_drops_every_connection_a_message_fails_at_most_once_and_its_retry_is_stored_once(
    postgres_redis_backend: Backend,
) -> None:
    import asyncpg  # type: ignore[import-untyped]

    from tests.harness import running_server

    b = postgres_redis_backend
    async with running_server(b.database_url, b.bus_url, b.namespace) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        async with server.visitor(org) as visitor:
            _, chat = await _open_chat(visitor)
            await visitor.send({"type": "message", "client_id": "m1", "body": "one"})
            await visitor.expect("ack", client_id="m1")  # written by the group writer
            # Several idle connections in the pool, all about to die.
            async with contextlib.AsyncExitStack() as held:
                for _ in range(4):
                    session = await held.enter_async_context(server.runtime.db.read())
                    await session.execute(text("SELECT 1"))
            admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres")
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    b.database_url.rsplit("/", 1)[1],
                )
            finally:
                await admin.close()
            assert killed >= 4
            await visitor.send({"type": "message", "client_id": "m2", "body": "two"})
            frame = await visitor.next_frame()
            while frame["type"] not in ("ack", "error"):
                frame = await visitor.next_frame()
            if frame["type"] == "error":
                # The dead connection fails this one message, plainly; the widget retries it
                # with the same client id.
                assert frame["code"] == "internal"
                await visitor.send({"type": "message", "client_id": "m2", "body": "two"})
                frame = await visitor.expect("ack", client_id="m2")
            assert frame["message"]["seq"] == 3
            # Every pooled connection died; the pool was replaced, so nothing fails again.
            for k in range(3, 8):
                await visitor.send({"type": "message", "client_id": f"m{k}", "body": f"#{k}"})
                ack = await visitor.expect("ack", client_id=f"m{k}")
                assert ack["message"]["seq"] == k + 1
        status, body = await rep.request("GET", f"/api/conversations/{chat}")
        assert status == 200
        assert [m["body"] for m in body["messages"]] == ["hello", "one", "two"] + [
            f"#{k}" for k in range(3, 8)
        ]


async def test_a_message_written_in_a_group_reads_back_exactly_as_it_was_acknowledged(
    server: Server,
) -> None:
    # The group writer stores rows through the driver itself: what it stored must be what the
    # rest of Frontdesk (the ORM, the API, the transcript) reads.
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        _, chat = await _open_chat(visitor)
        body = "See **this** https://www.customer.example/a?b=c"
        await visitor.send({"type": "message", "client_id": "g1", "body": body})
        acked = (await visitor.expect("ack", client_id="g1"))["message"]
    status, transcript = await rep.request("GET", f"/api/conversations/{chat}")
    assert status == 200
    stored = transcript["messages"][-1]
    for key in ("id", "seq", "author_kind", "author_name", "body", "html", "client_id"):
        assert stored[key] == acked[key], key
    assert datetime.fromisoformat(stored["created_at"]) == datetime.fromisoformat(
        acked["created_at"]
    )
    assert "<strong>this</strong>" in stored["html"]
    assert stored["seq"] == 2 and stored["author_kind"] == "visitor"


async def test_a_message_stored_while_the_bus_cannot_publish_is_still_acknowledged_and_kept(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        _, chat = await _open_chat(visitor)  # the first message opens the chat
        await visitor.send({"type": "message", "client_id": "m1", "body": "one"})
        await visitor.expect("ack", client_id="m1")

        async def bus_down(events: list[tuple[str, bytes]]) -> None:
            raise ConnectionError("the bus is unreachable")

        # Redis going away between the commit and the publish (fault injected in the bus).
        monkeypatch.setattr(server.runtime.bus, "publish_many", bus_down)
        await visitor.send({"type": "message", "client_id": "m2", "body": "two"})
        ack = await visitor.expect("ack", client_id="m2")  # stored, so acknowledged
        assert ack["message"]["seq"] == 3
        async with rep.socket() as console:
            await console.send(
                {"type": "message", "conversation_id": chat, "client_id": "r1", "body": "hi"}
            )
            await console.expect("ack", client_id="r1")  # a unit of work: the same rule
        monkeypatch.undo()
    status, body = await rep.request("GET", f"/api/conversations/{chat}")
    assert status == 200
    written = [m["body"] for m in body["messages"] if m["author_kind"] in ("visitor", "rep")]
    assert written == ["hello", "one", "two", "hi"]


async def test_a_later_message_takes_the_group_writer_and_never_loads_its_conversation(
    server: Server,
) -> None:
    # The hot path of a chat: whatever conversations keep on a chat (its typed meta included),
    # a visitor's later message costs no statement beyond the group writer's own SQL.
    org = await server.create_org()
    await server.rep(org)
    async with server.visitor(org) as visitor:
        visitor_id, chat = await _open_chat(visitor)
        with counting_queries(server.runtime.db) as statements:
            posted = await conversations.post_visitor_message(
                server.runtime, org.id, visitor_id, "later", "again"
            )
        assert (posted.message.conversation_id, posted.message.seq) == (chat, 2)
        assert statements.count == 0, str(statements)


def _file_row(file_id: str, name: str) -> conversations.AttachedRow:
    return conversations.AttachedRow(
        "chat_files",
        (
            "id",
            "sender_kind",
            "rep_id",
            "name",
            "kind",
            "content_type",
            "size",
            "width",
            "height",
            "storage_key",
            "thumb_key",
        ),
        (
            file_id,
            "visitor",
            None,
            name,
            "file",
            "application/octet-stream",
            3,
            None,
            None,
            f"{file_id}.bin",
            None,
        ),
    )


async def test_a_file_a_visitor_sends_in_their_open_chat_is_written_by_the_group_writer_with_its_row(
    server: Server,
) -> None:
    # A file is a message with meta and a row of its own (features/files): in a chat the
    # visitor already wrote in, both go in the group's transaction, no careful path.
    org = await server.create_org()
    await server.rep(org)
    async with server.visitor(org) as visitor:
        visitor_id, chat = await _open_chat(visitor)
        meta = {"file": {"id": "f1", "name": "notes.txt", "kind": "file", "size": 3}}
        with counting_queries(server.runtime.db) as statements:
            posted = await conversations.post_visitor_message(
                server.runtime,
                org.id,
                visitor_id,
                "file-1",
                "File: notes.txt",
                meta=meta,
                attached=_file_row("f1", "notes.txt"),
            )
        assert statements.count == 0, str(statements)
        assert (posted.message.conversation_id, posted.message.seq) == (chat, 2)
        assert posted.message.meta == meta
        # Sent again (the messenger retries after a lost answer): stored once, row and all.
        again = await conversations.post_visitor_message(
            server.runtime,
            org.id,
            visitor_id,
            "file-1",
            "File: notes.txt",
            meta=meta,
            attached=_file_row("f2", "notes.txt"),
        )
        assert again.duplicate and again.message.id == posted.message.id
    async with server.runtime.db.read() as session:
        rows = (
            await session.execute(
                text("SELECT id, message_id, conversation_id, org_id, name FROM chat_files")
            )
        ).all()
        stored_meta = (
            await session.execute(
                text("SELECT meta FROM messages WHERE id = :id"), {"id": posted.message.id}
            )
        ).scalar_one()
    assert [tuple(r) for r in rows if r[3] == org.id] == [
        ("f1", posted.message.id, chat, org.id, "notes.txt")
    ]
    assert (stored_meta if isinstance(stored_meta, dict) else orjson.loads(stored_meta)) == meta


async def test_an_attached_row_names_only_a_mapped_tables_own_columns() -> None:
    # Its names go into SQL text: anything else is refused before a statement is built.
    with pytest.raises(ValueError):
        conversations.AttachedRow("chat_files; DROP TABLE messages", ("id",), ("x",))
    with pytest.raises(ValueError):
        conversations.AttachedRow("chat_files", ("id", "name) VALUES (1); --"), ("x", "y"))
