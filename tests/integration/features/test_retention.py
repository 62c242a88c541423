"""Retention: an org's policy (Admin -> Privacy, PATCH /api/org/settings) deletes its data older
than N days in the background, in batches, with everything attached, once across processes,
and says so in the audit log; other orgs and newer data are untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from frontdesk.core.clock import as_utc
from frontdesk.core.ids import new_id
from frontdesk.deadlines.models import Deadline
from frontdesk.features import privacy
from frontdesk.features.copilot.models import KnowledgeItem
from frontdesk.features.privacy import KIND_RETENTION
from frontdesk.storage.base import Base
from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server
from tests.integration.features.files.conftest import PDF, png, visitor_upload
from tests.integration.features.test_privacy import chatting_visitor, rows_naming

DAY = 86_400
QUESTION = "How much does the enterprise plan cost per year?"
ANSWER = "The enterprise plan costs ten thousand dollars per year, billed yearly."


async def ended_chat(server: Server, org: OrgInfo, rep: RepClient, email: str) -> tuple[str, str]:
    """A visitor who browsed, identified, chatted (a question the copilot learns from) and
    whose chat the rep ended: their id and the chat's."""
    async with server.visitor(org) as visitor:
        visitor_id, cid = await chatting_visitor(server, org, rep, visitor, email)
        await visitor.send({"type": "message", "client_id": "q", "body": QUESTION})
        await visitor.expect("ack", client_id="q")
        status, _ = await rep.request(
            "POST", f"/api/conversations/{cid}/messages", {"client_id": "a", "body": ANSWER}
        )
        assert status == 200
        status, _ = await rep.request("POST", f"/api/conversations/{cid}/end")
        assert status == 200
    return visitor_id, cid


async def set_policy(admin: RepClient, **retention: int | None) -> dict[str, Any]:
    status, org = await admin.request(
        "PATCH", "/api/org/settings", {"privacy": {"retention": retention}}
    )
    assert status == 200, org
    return org  # type: ignore[no-any-return]


async def count(server: Server, table: str, **where: Any) -> int:
    t = Base.metadata.tables[table]
    query = select(func.count()).select_from(t)
    for column, value in where.items():
        query = query.where(t.c[column] == value)
    async with server.runtime.db.read() as session:
        return int((await session.execute(query)).scalar_one())


async def past_answers(server: Server, conversation_id: str) -> int:
    async with server.runtime.db.read() as session:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(KnowledgeItem)
                    .where(KnowledgeItem.ref_id == conversation_id)
                )
            ).scalar_one()
        )


async def test_visitors_not_seen_for_n_days_go_with_everything_of_theirs(server: Server) -> None:
    org, other_org = await server.create_org(), await server.create_org("Other")
    rep, other_rep = await server.rep(org), await server.rep(other_org)
    old_id, old_cid = await ended_chat(server, org, rep, "old@example.com")
    stranger_id, stranger_cid = await ended_chat(
        server, other_org, other_rep, "stranger@example.com"
    )
    assert await past_answers(server, old_cid) == 1
    before = await rows_naming(server, old_id, old_cid)
    assert before["messages.conversation_id"] >= 4 and before["page_views.visitor_id"] >= 2
    stranger_before = await rows_naming(server, stranger_id, stranger_cid)

    server.clock.advance(40 * DAY)  # type: ignore[attr-defined]
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org)
    recent_id, recent_cid = await ended_chat(server, org, rep, "recent@example.com")
    recent_before = await rows_naming(server, recent_id, recent_cid)

    org_out = await set_policy(admin, visitors_days=30)
    assert org_out["privacy"]["retention"]["visitors_days"] == 30
    await server.runtime.sweeper.run_due()

    after = await rows_naming(server, old_id, old_cid)
    assert after == dict.fromkeys(after, 0), {k: v for k, v in after.items() if v}
    assert await past_answers(server, old_cid) == 0, "the copilot forgot their chat"
    assert await count(server, "contacts", email="old@example.com") == 0
    # Newer visitors and other orgs keep everything.
    assert await rows_naming(server, recent_id, recent_cid) == recent_before
    assert await rows_naming(server, stranger_id, stranger_cid) == stranger_before
    assert await past_answers(server, stranger_cid) == 1
    # One audit entry, by the policy, with what it deleted (and nothing of the visitor's data).
    _, log = await admin.request("GET", "/api/audit")
    purge = [e for e in log["entries"] if e["action"] == "retention.purge"]
    assert len(purge) == 1 and purge[0]["actor_kind"] == "system"
    deleted = purge[0]["details"]["deleted"]
    assert deleted["visitors"] == 1 and deleted["conversations"] == 1
    assert deleted["messages"] == before["messages.conversation_id"]
    assert deleted["copilot_items"] == 1 and deleted["contacts"] == 1
    assert "old@example.com" not in str(log)
    # The timer is set again for the next interval; running again deletes nothing more.
    async with server.runtime.db.read() as session:
        timer = (
            await session.execute(
                select(Deadline).where(
                    Deadline.kind == KIND_RETENTION, Deadline.subject_id == org.id
                )
            )
        ).scalar_one()
    assert timer.done_at is None
    assert (as_utc(timer.due_at) - server.clock.now()).total_seconds() == 3600
    server.clock.advance(3600)  # type: ignore[attr-defined]
    await server.runtime.sweeper.run_due()
    _, log = await admin.request("GET", "/api/audit")
    assert len([e for e in log["entries"] if e["action"] == "retention.purge"]) == 1


async def test_transcripts_page_views_visits_and_chats_each_have_their_own_period(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    visitor_id, cid = await ended_chat(server, org, rep, "jane.retention@example.com")
    server.clock.advance(10 * DAY)  # type: ignore[attr-defined]
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as fresh:
        fresh_id = fresh.welcome["visitor_id"]  # type: ignore[index]

    # Transcripts after 5 days: the messages and the copilot's past answers go, the chat's
    # row stays (reports count it), marked.
    await set_policy(admin, transcripts_days=5)
    await server.runtime.sweeper.run_due()
    assert await count(server, "messages", conversation_id=cid) == 0
    assert await past_answers(server, cid) == 0
    assert await count(server, "conversations", id=cid) == 1
    status, conversation = await admin.request("GET", f"/api/conversations/{cid}")
    assert status == 200 and conversation["messages"] == []
    assert await count(server, "page_views", visitor_id=visitor_id) >= 2

    # Page views after 5 days: the old visit stays, without its pages; new ones are kept.
    await set_policy(admin, transcripts_days=5, page_views_days=5)
    await server.runtime.sweeper.run_due()
    assert await count(server, "page_views", visitor_id=visitor_id) == 0
    assert await count(server, "visits", visitor_id=visitor_id) == 1
    assert await count(server, "page_views", visitor_id=fresh_id) == 1

    # Visits and chats after 7 days: both go; the visitor (seen 10 days ago) stays.
    await set_policy(admin, page_views_days=5, visits_days=7, conversations_days=7)
    await server.runtime.sweeper.run_due()
    assert await count(server, "visits", visitor_id=visitor_id) == 0
    assert await count(server, "conversations", id=cid) == 0
    assert await count(server, "visitors", id=visitor_id) == 1
    assert await count(server, "visits", visitor_id=fresh_id) == 1


async def test_an_open_chat_and_its_visitor_are_never_purged(server: Server) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        await visitor.send({"type": "message", "client_id": "v1", "body": "Hello?"})
        cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]
        visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
    server.clock.advance(3 * DAY)  # type: ignore[attr-defined]
    # (The purge itself: a sweep would first fire the chat's own timeout, which ends it.)
    policy = privacy.RetentionSettings(conversations_days=1, visitors_days=2)
    await privacy.purge_org(server.runtime, org.id, policy)
    assert await count(server, "conversations", id=cid) == 1
    assert await count(server, "visitors", id=visitor_id) == 1


async def test_a_large_purge_runs_in_batches_and_goes_on_where_it_stopped(server: Server) -> None:
    org = await server.create_org()
    async with server.visitor(org) as visitor:
        visit_id = visitor.welcome["visit_id"]  # type: ignore[index]
        visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
    page_views = Base.metadata.tables["page_views"]
    long_ago = server.clock.now()
    async with server.runtime.db.transaction() as session:
        await session.execute(
            page_views.insert(),
            [
                {
                    "id": new_id(),
                    "org_id": org.id,
                    "visitor_id": visitor_id,
                    "visit_id": visit_id,
                    "url": f"{org.origin}/page/{i}",
                    "title": None,
                    "referrer": None,
                    "viewed_at": long_ago,
                }
                for i in range(249)
            ],
        )
    server.clock.advance(2 * DAY)  # type: ignore[attr-defined]
    async with server.visitor(org, token=visitor.welcome["token"]):  # type: ignore[index]
        pass  # a page view today
    policy = privacy.RetentionSettings(page_views_days=1)

    # One batch of 100 at a time; with no time budget, each run stops after its first batch.
    first = await privacy.purge_org(server.runtime, org.id, policy, batch=100, budget=0)
    assert first.deleted["page_views"] == 100 and not first.done
    second = await privacy.purge_org(server.runtime, org.id, policy, batch=100, budget=0)
    assert second.deleted["page_views"] == 100 and not second.done
    third = await privacy.purge_org(server.runtime, org.id, policy, batch=100, budget=0)
    assert third.deleted["page_views"] == 50 and third.done  # the 50th: the first hello's
    assert await count(server, "page_views", visitor_id=visitor_id) == 1, "today's stays"
    again = await privacy.purge_org(server.runtime, org.id, policy, batch=100)
    assert not +again.deleted and again.done


async def test_the_timer_carries_an_unfinished_purge_over_to_the_next_sweep(
    backend: Any,
) -> None:
    """A purge that runs out of time sets its timer a second later with what it deleted so
    far; the next sweep (on any process) goes on, and one audit entry has the total."""
    from tests.harness import running_server

    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, retention_batch=10
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, role="admin")
        async with server.visitor(org) as visitor:
            visit_id = visitor.welcome["visit_id"]  # type: ignore[index]
            visitor_id = visitor.welcome["visitor_id"]  # type: ignore[index]
        page_views = Base.metadata.tables["page_views"]
        async with server.runtime.db.transaction() as session:
            await session.execute(
                page_views.insert(),
                [
                    {
                        "id": new_id(),
                        "org_id": org.id,
                        "visitor_id": visitor_id,
                        "visit_id": visit_id,
                        "url": f"{org.origin}/p/{i}",
                        "title": None,
                        "referrer": None,
                        "viewed_at": server.clock.now(),
                    }
                    for i in range(29)
                ],
            )
        server.clock.advance(2 * DAY)  # type: ignore[attr-defined]
        admin = await server.rep(org, role="admin")
        original = privacy.retention.RUN_BUDGET_SECONDS
        privacy.retention.RUN_BUDGET_SECONDS = 0.0  # one batch per run
        try:
            await set_policy(admin, page_views_days=1)
            runs = 0
            while await count(server, "page_views", visitor_id=visitor_id):
                await server.runtime.sweeper.run_due()
                server.clock.advance(1)  # type: ignore[attr-defined]
                runs += 1
                assert runs < 10
        finally:
            privacy.retention.RUN_BUDGET_SECONDS = original
        assert runs == 3
        await server.runtime.sweeper.run_due()
        _, log = await admin.request("GET", "/api/audit")
        purge = [e for e in log["entries"] if e["action"] == "retention.purge"]
        assert [e["details"]["deleted"] for e in purge] == [{"page_views": 30}]


async def test_a_policy_is_validated_and_only_admins_set_it(server: Server) -> None:
    org = await server.create_org()
    admin, rep = await server.rep(org, role="admin"), await server.rep(org)
    for retention, message in (
        ({"page_views_days": 0}, "greater than or equal to 1"),
        ({"visits_days": 3651}, "less than or equal to 3650"),
        ({"page_views_days": 30, "visits_days": 7}, "page views go with their visit"),
        ({"transcripts_days": 90, "conversations_days": 30}, "a transcript goes with its chat"),
        ({"conversations_days": 400, "visitors_days": 365}, "chats go with their visitor"),
        ({"keep_days": 3}, "keep_days"),
        ({"visits_days": "30"}, "visits_days"),
    ):
        status, error = await admin.request(
            "PATCH", "/api/org/settings", {"privacy": {"retention": retention}}
        )
        assert status == 422, (retention, error)
        assert message in str(error), (message, error)
    status, _ = await rep.request(
        "PATCH", "/api/org/settings", {"privacy": {"retention": {"visits_days": 30}}}
    )
    assert status == 403
    org_out = await set_policy(admin, page_views_days=30, visits_days=90)
    assert org_out["privacy"]["retention"] == {
        "page_views_days": 30,
        "visits_days": 90,
        "transcripts_days": None,
        "conversations_days": None,
        "visitors_days": None,
    }
    # Other settings leave the policy alone; an empty policy keeps everything again and
    # stops the timer.
    status, org_out = await admin.request("PATCH", "/api/org/settings", {"idle_after_seconds": 90})
    assert status == 200 and org_out["privacy"]["retention"]["visits_days"] == 90
    org_out = await set_policy(admin)
    assert org_out["privacy"]["retention"]["visits_days"] is None
    async with server.runtime.db.read() as session:
        timer = (
            await session.execute(select(Deadline).where(Deadline.subject_id == org.id))
        ).scalar_one()
    assert timer.outcome == "cancelled"
    _, log = await admin.request("GET", "/api/audit")
    assert [e["details"] for e in log["entries"] if e["action"] == "PATCH /api/org/settings"][
        -1
    ] == {"privacy": {"retention": {"page_views_days": 30, "visits_days": 90}}}


async def test_erasing_a_visitor_also_forgets_what_the_copilot_learnt_from_their_chats(
    server: Server,
) -> None:
    org = await server.create_org()
    admin, rep = await server.rep(org, role="admin"), await server.rep(org)
    visitor_id, cid = await ended_chat(server, org, rep, "jane.retention@example.com")
    assert await past_answers(server, cid) == 1
    status, export = await admin.request("GET", f"/api/visitors/{visitor_id}/export")
    assert status == 200 and export["tables"]["copilot_items"][0]["body"] == ANSWER
    status, erased = await admin.request("POST", f"/api/visitors/{visitor_id}/erase")
    assert status == 200 and erased["deleted"]["copilot_items"] == 1
    assert erased["deleted"]["copilot_passages"] == len(export["tables"]["copilot_passages"])
    assert await past_answers(server, cid) == 0


async def test_a_purged_transcript_takes_its_files_and_their_bytes_along(
    backend: Backend, tmp_path: Path
) -> None:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, files_dir=tmp_path
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        admin = await server.rep(org, role="admin")
        async with server.visitor(org) as visitor:
            token = visitor.welcome["token"]  # type: ignore[index]
            _, cid = await chatting_visitor(server, org, rep, visitor, "jo.files@example.com")
            status, sent = await visitor_upload(server, org, token, "photo.png", png())
            assert status == 200 and sent["message"]["conversation_id"] == cid
            status, _ = await rep.request("POST", f"/api/conversations/{cid}/end")
            assert status == 200
        old_file = sent["message"]["meta"]["file"]["id"]
        server.clock.advance(10 * DAY)  # type: ignore[attr-defined]
        async with server.visitor(org) as newer:
            _, kept = await visitor_upload(server, org, newer.welcome["token"], "new.pdf", PDF)  # type: ignore[index]
        stored = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
        assert len(stored) == 3  # the image, its thumbnail, the newer PDF

        await set_policy(admin, transcripts_days=5)
        await server.runtime.sweeper.run_due()
        assert await count(server, "chat_files", conversation_id=cid) == 0
        remaining = [p.name for p in tmp_path.rglob("*") if p.is_file()]
        assert remaining == [kept["message"]["meta"]["file"]["id"] + ".bin"]
        status, _ = await admin.request("GET", f"/api/files/links?ids={old_file}")
        assert status == 404
