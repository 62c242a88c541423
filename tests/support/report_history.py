"""A seeded history for the reports tests: months of chats on every channel, several reps,
teams and segments, written as the product writes them (conversations with their messages,
proactive events), deterministic for a given seed.

Each chat's report columns (first_response_seconds, length_seconds, missed_kind, ...) are
filled as the live code fills them; the tests recompute every figure from the raw messages,
statuses and events instead, so a wrong column or a wrong query shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.ids import new_id
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.meetings.models import Meeting
from frontdesk.features.proactive.models import ProactiveEvent
from frontdesk.features.routing.models import Team, TeamMember
from frontdesk.features.segments.models import Segment
from frontdesk.features.visitors.models import Visit, Visitor


@dataclass
class History:
    org_id: str
    rep_ids: list[str]
    team_ids: dict[str, list[str]]  # team id -> its members
    segment_ids: list[str]
    start: datetime
    days: int
    counts: dict[str, int] = field(default_factory=dict)


def _message(
    org_id: str,
    conversation_id: str,
    seq: int,
    kind: str,
    at: datetime,
    *,
    rep_id: str | None = None,
    meta: dict[str, Any] | None = None,
    internal: bool = False,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "org_id": org_id,
        "conversation_id": conversation_id,
        "seq": seq,
        "author_kind": kind,
        "author_rep_id": rep_id,
        "body": f"{kind} {seq}",
        "body_html": f"<p>{kind} {seq}</p>",
        "client_msg_id": None,
        "internal": internal,
        "meta": meta or {},
        "created_at": at,
    }


async def seed_history(
    session: AsyncSession,
    org_id: str,
    rep_ids: list[str],
    *,
    seed: int = 18,
    start: datetime = datetime(2026, 8, 1, tzinfo=UTC),
    days: int = 120,
    chats_per_day: tuple[int, int] = (8, 30),
) -> History:
    """Writes the history for these reps of the org and returns what it made."""
    rng = random.Random(seed)
    # Ratings (CSAT) draw from their own generator, so the rest of the history stays as it was.
    ratings = random.Random(seed + 1)
    now = start
    teams: dict[str, list[str]] = {}
    for name, members in (("East", rep_ids[0:2]), ("West", rep_ids[2:4])):
        team_id = new_id()
        teams[team_id] = list(members)
        session.add(Team(id=team_id, org_id=org_id, name=f"{name} {team_id[:6]}", created_at=now))
    await session.flush()
    for team_id, members in teams.items():
        for rep_id in members:
            session.add(TeamMember(team_id=team_id, rep_id=rep_id))
    segments = []
    for position, name in enumerate(("Target accounts", "Paid ads", "Job seekers")):
        segment_id = new_id()
        segments.append(segment_id)
        session.add(
            Segment(
                id=segment_id,
                org_id=org_id,
                name=name,
                color="#336699",
                cold=name == "Job seekers",
                position=position,
                rules={"match": "all", "conditions": []},
                routing={},
                experience_id=None,
                is_catch_all=False,
                created_at=now,
            )
        )
    await session.flush()

    visitors: list[tuple[str, str | None]] = []
    visitor_rows, visit_rows = [], []
    for _ in range(300):
        visitor_id = new_id()
        segment_id = rng.choice([*segments, None])
        visitors.append((visitor_id, segment_id))
        visitor_rows.append(
            {
                "id": visitor_id,
                "org_id": org_id,
                "created_at": now,
                "last_seen_at": now,
                "identity_status": "anonymous",
                "visit_count": 1,
            }
        )
        visit_rows.append(
            {
                "id": new_id(),
                "org_id": org_id,
                "visitor_id": visitor_id,
                "started_at": now,
                "last_seen_at": now,
                "page_view_count": 1,
                "segment_id": segment_id,
                "routed_rep_ids": [],
                "enrichment": {},
            }
        )
    await session.execute(insert(Visitor), visitor_rows)
    await session.execute(insert(Visit), visit_rows)

    conversations: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def event(
        kind: str,
        at: datetime,
        rep_id: str | None,
        visitor: tuple[str, str | None],
        *,
        channel: str,
        conversation_id: str | None = None,
    ) -> None:
        events.append(
            {
                "id": new_id(),
                "org_id": org_id,
                "rep_id": rep_id,
                "visitor_id": visitor[0],
                "conversation_id": conversation_id,
                "kind": kind,
                "at": at,
                "channel": channel,
                "segment_id": visitor[1],
            }
        )

    for day in range(days):
        day_start = start + timedelta(days=day)
        for _ in range(rng.randint(*chats_per_day)):
            at = day_start + timedelta(seconds=rng.randrange(86_400))
            visitor = rng.choice(visitors)
            origin = rng.choices(
                ["inbound", "pounce", "invitation", "auto_pounce", "invitation_unanswered"],
                weights=[5, 2, 1, 2, 1],
            )[0]
            rep_id = rng.choice(rep_ids)
            if origin == "invitation_unanswered":
                event("invitation_sent", at, rep_id, visitor, channel="invitation")
                if rng.random() < 0.7:
                    event(
                        "invitation_expired",
                        at + timedelta(minutes=2),
                        rep_id,
                        visitor,
                        channel="invitation",
                    )
                continue
            chat_id = new_id()
            chat: dict[str, Any] = {
                "id": chat_id,
                "org_id": org_id,
                "visitor_id": visitor[0],
                "origin": origin,
                "created_at": at,
                "segment_id": visitor[1],
                "meta": {},
                "routed_rep_ids": [],
                "tags": [],
                "status": "ended",
                "owner_rep_id": None,
                "accepted_at": None,
                "ended_at": None,
                "ended_reason": None,
                "first_visitor_message_at": None,
                "first_response_seconds": None,
                "length_seconds": None,
                "missed_kind": None,
                "qualified": None,
                "deal_value": None,
            }
            chat_messages: list[tuple[str, datetime, dict[str, Any]]] = []
            first_visitor: datetime | None = None
            response_at: datetime | None = None
            if origin == "inbound":
                chat["routed_rep_ids"] = (
                    rng.sample(rep_ids, rng.randint(1, min(3, len(rep_ids))))
                    if rng.random() < 0.85
                    else []
                )
                first_visitor = at
                chat_messages.append(("visitor", at, {}))
                fate = rng.random()
                if fate < 0.25:
                    offline = rng.random() < 0.4
                    chat["meta"] = (
                        {"visitor_replied": True, "offline": True}
                        if offline
                        else {"visitor_replied": True}
                    )
                    chat["status"] = "missed"
                    chat["missed_kind"] = "queue_timeout" if offline else "inbound_timeout"
                    chat["ended_reason"] = "no_rep_accepted"
                    chat["ended_at"] = at + timedelta(minutes=5)
                    chat_messages.append(("bot", at + timedelta(seconds=20), {}))
                else:
                    owner = rng.choice(chat["routed_rep_ids"] or rep_ids)
                    chat["owner_rep_id"] = owner
                    chat["meta"] = {"visitor_replied": True}
                    chat["accepted_at"] = at + timedelta(seconds=rng.randint(3, 200))
                    chat_messages.append(("system", chat["accepted_at"], {}))
                    if fate < 0.9:  # the rep wrote (else accepted and never wrote)
                        response_at = chat["accepted_at"] + timedelta(
                            seconds=rng.randint(0, 40), milliseconds=rng.randrange(1000)
                        )
                        chat_messages.append(("rep", response_at, {}))
            else:
                chat["owner_rep_id"] = rep_id
                chat["routed_rep_ids"] = [rep_id]
                chat["accepted_at"] = at
                kind = "invitation_sent" if origin == "invitation" else origin
                sent_at = (
                    at - timedelta(seconds=rng.randint(5, 100)) if origin == "invitation" else at
                )
                event(kind, sent_at, rep_id, visitor, channel=origin, conversation_id=chat_id)
                auto = {"auto_pounce": True} if origin == "auto_pounce" else {}
                chat_messages.append(("rep", at, auto))
                replied = origin == "invitation" or rng.random() < 0.5
                if replied:
                    first_visitor = (
                        at
                        if origin == "invitation"
                        else at + timedelta(seconds=rng.randint(5, 900))
                    )
                    chat_messages.append(("visitor", first_visitor, {}))
                    chat["meta"] = {"visitor_replied": True, **auto}
                    if origin == "invitation":
                        event(
                            "invitation_accepted",
                            at,
                            rep_id,
                            visitor,
                            channel="invitation",
                            conversation_id=chat_id,
                        )
                    event(
                        "reply",
                        first_visitor,
                        rep_id,
                        visitor,
                        channel=origin,
                        conversation_id=chat_id,
                    )
                    if origin == "auto_pounce" and rng.random() < 0.3:
                        event(
                            "missed_response",
                            first_visitor + timedelta(seconds=60),
                            rep_id,
                            visitor,
                            channel="auto_pounce",
                            conversation_id=chat_id,
                        )
                        chat_messages.append(("system", first_visitor + timedelta(seconds=60), {}))
                    elif rng.random() < 0.85:
                        response_at = first_visitor + timedelta(
                            seconds=rng.randint(1, 300), milliseconds=rng.randrange(1000)
                        )
                        chat_messages.append(("rep", response_at, {}))
            if first_visitor is not None:
                chat["first_visitor_message_at"] = first_visitor
            if response_at is not None and first_visitor is not None:
                chat["first_response_seconds"] = int((response_at - first_visitor).total_seconds())
                if rng.random() < 0.4:
                    chat["qualified"] = rng.random() < 0.6
                    if chat["qualified"]:
                        chat["deal_value"] = float(rng.randint(1, 40) * 500)
            if chat["status"] != "missed":
                if day >= days - 2 and rng.random() < 0.3:
                    chat["status"] = "active"  # still open at the end of the history
                else:
                    last = max(m[1] for m in chat_messages)
                    chat["ended_at"] = last + timedelta(seconds=rng.randint(30, 1800))
                    chat["ended_reason"] = "ended_by_rep"
            if chat["ended_at"] is not None:
                chat["length_seconds"] = int((chat["ended_at"] - at).total_seconds())
                if ratings.random() < 0.35:  # the visitor rated it (features/csat)
                    scale = ratings.choice((3, 5))
                    chat["meta"] = {
                        **chat["meta"],
                        "csat": {
                            "score": ratings.randint(1, scale),
                            "scale": scale,
                            "comment": None,
                            "at": (chat["ended_at"] + timedelta(minutes=2)).isoformat(),
                        },
                    }
            # One row per message, in the order they were written.
            chat_messages.sort(key=lambda m: m[1])
            for seq, (kind, when, meta) in enumerate(chat_messages, start=1):
                messages.append(
                    _message(
                        org_id,
                        chat_id,
                        seq,
                        kind,
                        when,
                        rep_id=chat["owner_rep_id"] if kind == "rep" else None,
                        meta=meta,
                        internal=kind == "system" and rng.random() < 0.5,
                    )
                )
            chat["last_seq"] = len(chat_messages)
            chat["last_message_at"] = chat_messages[-1][1]
            conversations.append(chat)
    for offset in range(0, len(conversations), 2000):
        await session.execute(insert(Conversation), conversations[offset : offset + 2000])
    for offset in range(0, len(messages), 2000):
        await session.execute(insert(Message), messages[offset : offset + 2000])
    for offset in range(0, len(events), 2000):
        await session.execute(insert(ProactiveEvent), events[offset : offset + 2000])
    calls, meetings = _calls_and_meetings(random.Random(seed + 1), org_id, rep_ids, conversations)
    if calls:
        await session.execute(insert(Call), calls)
    if meetings:
        await session.execute(insert(Meeting), meetings)
    return History(
        org_id=org_id,
        rep_ids=list(rep_ids),
        team_ids=teams,
        segment_ids=segments,
        start=start,
        days=days,
        counts={
            "conversations": len(conversations),
            "messages": len(messages),
            "events": len(events),
            "calls": len(calls),
            "meetings": len(meetings),
        },
    )


def _calls_and_meetings(
    rng: random.Random, org_id: str, rep_ids: list[str], chats: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Calls in about one answered chat in six (every way a call ends), and meetings booked
    from about one chat in twelve, plus some booked from the booking page with no chat."""
    calls: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []

    def meeting(
        owner: str, at: datetime, chat: dict[str, Any] | None, visitor_id: str | None
    ) -> None:
        start = at + timedelta(days=rng.randint(1, 10))
        cancelled = rng.random() < 0.2
        meetings.append(
            {
                "id": new_id(),
                "org_id": org_id,
                "conversation_id": chat["id"] if chat else None,
                "visitor_id": visitor_id,
                "owner_rep_id": owner,
                "attendee_rep_ids": [],
                "title": "Demo",
                "location": "",
                "start_at": start,
                "end_at": start + timedelta(minutes=30),
                "visitor_name": "Visitor",
                "visitor_email": "visitor@example.com",
                "visitor_time_zone": "UTC",
                "answers": [],
                "status": "cancelled" if cancelled else "booked",
                "uid": new_id() + "@frontdesk",
                "sequence": 0,
                "created_at": at,
                "cancelled_at": at + timedelta(hours=1) if cancelled else None,
            }
        )

    for chat in chats:
        owner = chat["owner_rep_id"]
        if owner is None:
            continue
        if chat["accepted_at"] is not None and rng.random() < 0.16:
            at = chat["accepted_at"] + timedelta(seconds=rng.randint(5, 600))
            end = rng.choice(
                ["ended_by_rep", "ended_by_visitor", "declined", "missed", "failed", "blocked"]
            )
            connected = end in ("ended_by_rep", "ended_by_visitor") or (
                end == "failed" and rng.random() < 0.5
            )
            connected_at = at + timedelta(seconds=rng.randint(2, 30)) if connected else None
            ended_at = (connected_at or at) + timedelta(
                seconds=rng.randint(10, 1800), milliseconds=rng.randrange(1000)
            )
            calls.append(
                {
                    "id": new_id(),
                    "org_id": org_id,
                    "conversation_id": chat["id"],
                    "visitor_id": chat["visitor_id"],
                    "rep_id": rng.choice([owner, owner, owner, None]),
                    "initiated_by": rng.choice(["rep", "visitor"]),
                    "media": rng.choice(["audio", "video"]),
                    "state": "ended",
                    "end_reason": end,
                    "channel": "browser",
                    "created_at": at,
                    "answered_at": connected_at,
                    "connected_at": connected_at,
                    "ended_at": ended_at,
                }
            )
        if rng.random() < 0.08:
            meeting(
                owner,
                chat["created_at"] + timedelta(minutes=rng.randint(1, 90)),
                chat,
                chat["visitor_id"],
            )
        elif rng.random() < 0.02:
            meeting(rng.choice(rep_ids), chat["created_at"] + timedelta(hours=3), None, None)
    return calls, meetings
