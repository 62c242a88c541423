"""A console's snapshot and every list load in a fixed number of queries: the same for one row
as for thirty (issue 14). The numbers are named so that a new query per row, or any new query,
shows up here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from frontdesk.core.ids import new_id
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.proactive.models import Invitation
from frontdesk.features.routing.models import Team, TeamMember
from frontdesk.features.visitors.models import PageView, Visit, Visitor
from tests.harness import RepClient, Server
from tests.query_count import Statements, counting_queries

pytestmark = pytest.mark.asyncio

MANY = 30


@dataclass
class Population:
    admin: RepClient
    regular_visitor_id: str  # Visitor 360's subject: n visits, page views and chats


async def _org_with(server: Server, n: int) -> Population:
    """An org with n of everything a list shows: incoming, active and ended chats (each with a
    visitor and a rep message, a visitor with a company), visitors on the site, accounts,
    invitations, teams, and one returning visitor with n visits and n chats."""
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    now = server.clock.now()
    live: list[tuple[str, Visit]] = []
    async with server.runtime.db.transaction() as session:
        regular = Visitor(
            id=new_id(), org_id=org.id, created_at=now, last_seen_at=now, name="Regular"
        )
        session.add(regular)
        await session.flush()  # no ORM relationships: rows go in the order they are flushed
        for i in range(n):
            account = Account(
                id=new_id(),
                org_id=org.id,
                name=f"Company {i}",
                domain=f"company{i}.example",
                created_at=now,
                updated_at=now,
            )
            session.add(account)
            team = Team(id=new_id(), org_id=org.id, name=f"Team {i}", created_at=now)
            session.add(team)
            await session.flush()
            session.add(TeamMember(team_id=team.id, rep_id=admin.rep_id))
            regular_visit = Visit(
                id=new_id(),
                org_id=org.id,
                visitor_id=regular.id,
                started_at=now - timedelta(hours=i + 1),
                last_seen_at=now - timedelta(hours=i + 1),
                account_id=account.id,
                enrichment={"company": {"value": f"Company {i}", "source": "ip"}},
            )
            session.add(regular_visit)
            await session.flush()
            session.add(
                PageView(
                    id=new_id(),
                    org_id=org.id,
                    visitor_id=regular.id,
                    visit_id=regular_visit.id,
                    url=f"{org.origin}/page/{i}",
                    title=f"Page {i}",
                    viewed_at=regular_visit.started_at,
                )
            )
            for status, conversation_visitor in (
                ("incoming", None),
                ("active", None),
                ("ended", None),
                ("ended", regular),
            ):
                visitor = conversation_visitor or Visitor(
                    id=new_id(),
                    org_id=org.id,
                    created_at=now,
                    last_seen_at=now,
                    name=f"Visitor {status} {i}",
                )
                if conversation_visitor is None:
                    session.add(visitor)
                    await session.flush()
                    visit = Visit(
                        id=new_id(),
                        org_id=org.id,
                        visitor_id=visitor.id,
                        started_at=now - timedelta(minutes=i),
                        last_seen_at=now,
                        account_id=account.id,
                        enrichment={"company": {"value": f"Company {i}", "source": "ip"}},
                    )
                    session.add(visit)
                    await session.flush()
                    live.append((visitor.id, visit))
                conversation = Conversation(
                    id=new_id(),
                    org_id=org.id,
                    visitor_id=visitor.id,
                    status=status,
                    origin="inbound",
                    owner_rep_id=None if status == "incoming" else admin.rep_id,
                    routed_rep_ids=[admin.rep_id],
                    last_seq=3,
                    created_at=now - timedelta(minutes=i),
                    accepted_at=None if status == "incoming" else now,
                    ended_at=now - timedelta(minutes=i) if status == "ended" else None,
                    last_message_at=now - timedelta(minutes=i),
                    tags=["pricing"],
                )
                session.add(conversation)
                await session.flush()
                # The last message a list shows is the rep's reply, not the internal note.
                for seq, kind, internal in (
                    (1, "visitor", False),
                    (2, "rep", False),
                    (3, "rep", True),
                ):
                    session.add(
                        Message(
                            id=new_id(),
                            org_id=org.id,
                            conversation_id=conversation.id,
                            seq=seq,
                            author_kind=kind,
                            author_rep_id=admin.rep_id if kind == "rep" else None,
                            body=f"{'note' if internal else kind} {i}",
                            body_html=f"<p>{kind} {i}</p>",
                            internal=internal,
                            created_at=now,
                        )
                    )
            session.add(
                Invitation(
                    id=new_id(),
                    org_id=org.id,
                    visitor_id=regular.id,
                    rep_id=admin.rep_id,
                    template="Hi",
                    message="Hi",
                    status="pending",
                    created_at=now - timedelta(minutes=i),
                )
            )
    for visitor_id, visit in live:
        await server.runtime.live.upsert_connection(
            org.id,
            visitor_id,
            new_id(),
            visit_id=visit.id,
            visit_started_at=visit.started_at,
            activity="active",
            url=f"{org.origin}/",
            title="Home",
        )
    return Population(admin, regular.id)


async def test_each_summary_in_a_list_shows_its_own_chats_last_message_owner_and_company(
    server: Server,
) -> None:
    population = await _org_with(server, MANY)
    status, me = await population.admin.request("GET", "/api/me")
    assert status == 200
    admin_name = me["rep"]["name"]
    status, body = await population.admin.request("GET", "/api/conversations?box=recent")
    assert status == 200
    seen = set()
    for summary in body["conversations"]:
        last = summary["last_message"]
        i = int(last["body"].removeprefix("rep "))
        regular = summary["visitor_id"] == population.regular_visitor_id
        assert last["seq"] == 2 and last["author_name"] == admin_name
        assert summary["owner_name"] == admin_name
        assert summary["visitor_name"] == ("Regular" if regular else f"Visitor ended {i}")
        # The regular's company comes from their latest visit (visit 0, an hour ago).
        assert summary["company"] == ("Company 0" if regular else f"Company {i}")
        seen.add((regular, i))
    assert seen == {(regular, i) for regular in (False, True) for i in range(MANY)}


async def _counted_get(server: Server, client: RepClient, path: str) -> tuple[Statements, object]:
    with counting_queries(server.runtime.db) as statements:
        status, body = await client.request("GET", path)
    assert status == 200, body
    return statements, body


async def _same_count_for_one_and_many(
    server: Server, path: str, list_key: str, rows: Callable[[int], int] = lambda n: n
) -> int:
    """Asks for the list in an org with one of everything and in one with thirty; returns the
    number of statements, which must be the same."""
    counts = []
    for n in (1, MANY):
        population = await _org_with(server, n)
        statements, body = await _counted_get(
            server, population.admin, path.format(visitor_id=population.regular_visitor_id)
        )
        assert isinstance(body, dict)
        assert len(body[list_key]) == rows(n), body
        counts.append(statements)
    one, many = counts
    assert one.count == many.count, f"1 row:\n{one}\n{MANY} rows:\n{many}"
    return one.count


async def test_a_consoles_snapshot_takes_the_same_queries_for_one_chat_as_for_thirty(
    server: Server,
) -> None:
    counts = []
    for n in (1, MANY):
        population = await _org_with(server, n)
        async with population.admin.socket():
            pass  # the first snapshot ever also creates the org's catch-all segment
        # A reconnect, as after a network change or a resync:
        with counting_queries(server.runtime.db) as statements:
            async with population.admin.socket() as console:
                snapshot = console.snapshot
        assert snapshot is not None
        # Incoming and active chats, and the 50 most recent ones (the rep's own and the
        # regular's).
        assert len(snapshot["conversations"]) == 2 * n + min(2 * n, 50)
        assert all(c["last_message"]["author_name"] for c in snapshot["conversations"])
        assert len(snapshot["visitors"]) == 3 * n
        counts.append(statements)
    one, many = counts
    assert one.count == many.count, f"1 chat:\n{one}\n{MANY} chats:\n{many}"
    # Hello: the session and its rep, and the rep's calls in progress or ringing them.
    # Snapshot: the segments; the org, visitors, their open chats, visits, accounts and
    # experiences (the cards); the open and the recent chats; their visitors, last messages,
    # rep names and latest visits; the reps.
    assert one.count == 17, str(one)


@pytest.mark.parametrize("box", ["incoming", "active", "recent"])
async def test_an_inbox_box_takes_the_same_queries_for_one_chat_as_for_thirty(
    server: Server, box: str
) -> None:
    count = await _same_count_for_one_and_many(
        server,
        f"/api/conversations?box={box}",
        "conversations",
        (lambda n: 2 * n) if box == "recent" else (lambda n: n),  # the regular's are recent too
    )
    # The session, the chats, then their visitors, last messages, rep names and latest visits.
    assert count == 6


async def test_a_search_of_recent_chats_takes_the_same_queries_for_one_chat_as_for_thirty(
    server: Server,
) -> None:
    count = await _same_count_for_one_and_many(
        server, "/api/conversations?box=recent&q=visitor", "conversations"
    )
    # One more than the plain list: the visitors' names and emails to search.
    assert count == 7


async def test_visitor_360_takes_the_same_queries_for_one_visit_as_for_thirty(
    server: Server,
) -> None:
    count = await _same_count_for_one_and_many(
        server, "/api/visitors/{visitor_id}", "visits", lambda n: min(n, 20)
    )
    # The session, the visitor, visits, page views, chats, the account; the chats' visitors,
    # last messages, rep names and latest visits; the chats' calls (none here: their reps'
    # names would be one more); the visitor's meetings (none here: with some, one more for
    # their owners' names, whatever their number).
    assert count == 12


async def test_the_accounts_list_takes_the_same_queries_for_one_account_as_for_thirty(
    server: Server,
) -> None:
    # The session, the page of accounts, the total.
    assert await _same_count_for_one_and_many(server, "/api/accounts", "accounts") == 3


async def test_the_invitations_list_takes_the_same_queries_for_one_as_for_thirty(
    server: Server,
) -> None:
    # The session and the invitations.
    assert await _same_count_for_one_and_many(server, "/api/invitations", "invitations") == 2


async def test_the_teams_list_takes_the_same_queries_for_one_team_as_for_thirty(
    server: Server,
) -> None:
    # The session, the teams, and all their members at once.
    assert await _same_count_for_one_and_many(server, "/api/teams", "teams") == 3


async def test_a_hello_takes_a_fixed_handful_of_statements_first_time_and_back(
    server: Server,
) -> None:
    """Issue 21: hellos come by the thousand after a restart, so each costs few statements.
    (The org's segments are cached while it has sockets in the process: one stays open.)"""
    org = await server.create_org()
    site = "https://www.customer.example"
    async with server.visitor(org, url=site + "/"):
        with counting_queries(server.runtime.db) as first_time:
            async with server.visitor(org, url=site + "/pricing") as newcomer:
                assert newcomer.welcome is not None
                token = newcomer.welcome["token"]
        # The org's IP blocks (read once, then cached while the org has sockets here); the
        # visitor, their visit (placed before it is written) and its page view.
        assert first_time.count == 4, str(first_time)
        with counting_queries(server.runtime.db) as back:
            async with server.visitor(org, token=token, url=site + "/pricing", resumed=True):
                pass
        # The visitor and their latest visit; their open chat, open invitations and the
        # visit's pages (segment rules read them), each one statement for a group of hellos
        # (live_stream/arrivals.py); the IP blocks are cached now. The clock is frozen, so
        # the last-seen times do not change and nothing is updated.
        assert back.count == 5, str(back)
