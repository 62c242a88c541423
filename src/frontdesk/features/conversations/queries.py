"""Reading conversations: one for a rep or a visitor, inbox boxes, summaries, transcripts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal, TypedDict, Unpack

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from frontdesk.core.errors import NotFound
from frontdesk.features import audience
from frontdesk.features.conversations.events import ConversationSummary, MessageOut
from frontdesk.features.conversations.lifecycle import OPEN_STATUSES
from frontdesk.features.conversations.messages import (
    stored_message_out,
    stored_messages_out,
    visitor_display_name,
)
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors import latest_visits
from frontdesk.features.visitors.models import Visit, Visitor

Box = Literal["incoming", "active", "recent"]


async def open_conversation_for_visitor(
    session: AsyncSession, visitor_id: str
) -> Conversation | None:
    return (
        await session.execute(
            select(Conversation)
            .where(Conversation.visitor_id == visitor_id, Conversation.status.in_(OPEN_STATUSES))
            .order_by(Conversation.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def open_conversations_for_visitors(
    session: AsyncSession, visitor_ids: Collection[str]
) -> dict[str, Conversation]:
    """open_conversation_for_visitor for a group of visitors, in one statement (arrivals
    written together, issue 21): visitor id -> their latest open chat."""
    if not visitor_ids:
        return {}
    found: dict[str, Conversation] = {}
    for conversation in (
        await session.execute(
            select(Conversation)
            .where(
                Conversation.visitor_id.in_(set(visitor_ids)),
                Conversation.status.in_(OPEN_STATUSES),
            )
            .order_by(Conversation.created_at)
        )
    ).scalars():
        found[conversation.visitor_id] = conversation  # the latest wins
    return found


async def get_conversation(
    session: AsyncSession, actor: Authenticated, conversation_id: str
) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.org_id != actor.org_id:
        raise NotFound("conversation not found")
    if not audience.rep_sees_conversation(actor, conversation):
        raise NotFound("conversation not found")
    return conversation


async def stored_with_client_id(
    session: AsyncSession, conversation_id: str, client_id: str, visitor: Visitor | None
) -> MessageOut | None:
    """The message already stored under this client id (a retry), as it was acknowledged."""
    existing = (
        await session.execute(
            select(Message).where(
                Message.conversation_id == conversation_id, Message.client_msg_id == client_id
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        return None
    return (await stored_messages_out(session, [existing], visitor))[0]


async def summary(session: AsyncSession, conversation: Conversation) -> ConversationSummary:
    return (await summaries(session, [conversation]))[0]


async def summaries(
    session: AsyncSession, rows: Sequence[Conversation]
) -> list[ConversationSummary]:
    """The summaries of a page of conversations, in order, in four queries however many
    there are (visitors, last messages, rep names, latest visits): a console's snapshot and
    every list go through here, never through a query per row."""
    if not rows:
        return []
    conversation_ids = [c.id for c in rows]
    visitor_ids = {c.visitor_id for c in rows}
    visitors = {
        v.id: v
        for v in (
            await session.execute(select(Visitor).where(Visitor.id.in_(visitor_ids)))
        ).scalars()
    }
    # The last message each conversation shows: the highest seq that is not internal, found
    # per conversation by walking the (conversation_id, seq) index backwards, so a long chat
    # costs no more than a short one.
    earlier = aliased(Message)
    newest_seq = (
        select(earlier.seq)
        .where(earlier.conversation_id == Conversation.id, earlier.internal.is_(False))
        .order_by(earlier.seq.desc())
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    last_messages = {
        m.conversation_id: m
        for m in (
            await session.execute(
                select(Message)
                .join(
                    Conversation,
                    (Message.conversation_id == Conversation.id) & (Message.seq == newest_seq),
                )
                .where(Conversation.id.in_(conversation_ids))
            )
        ).scalars()
    }
    rep_ids = {c.owner_rep_id for c in rows if c.owner_rep_id} | {
        m.author_rep_id for m in last_messages.values() if m.author_rep_id
    }
    rep_names: dict[str, str] = {}
    if rep_ids:
        rep_names = dict(
            (await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids))))
            .tuples()
            .all()
        )
    latest = await latest_visits(session, visitor_ids)
    return [
        _summary_of(
            c,
            visitors.get(c.visitor_id),
            last_messages.get(c.id),
            rep_names,
            latest.get(c.visitor_id),
        )
        for c in rows
    ]


def _summary_of(
    conversation: Conversation,
    visitor: Visitor | None,
    last: Message | None,
    rep_names: dict[str, str],
    latest_visit: Visit | None,
) -> ConversationSummary:
    last_out = None
    if last is not None:
        last_out = stored_message_out(
            last, rep_names=rep_names, visitor_name=visitor_display_name(visitor)
        )
    enrichment = (latest_visit.enrichment if latest_visit else None) or {}
    return ConversationSummary(
        id=conversation.id,
        visitor_id=conversation.visitor_id,
        status=conversation.status,
        origin=conversation.origin,
        owner_rep_id=conversation.owner_rep_id,
        owner_name=rep_names.get(conversation.owner_rep_id) if conversation.owner_rep_id else None,
        routed_rep_ids=list(conversation.routed_rep_ids or []),
        routing_reason=conversation.routing_reason,
        created_at=conversation.created_at,
        accepted_at=conversation.accepted_at,
        ended_at=conversation.ended_at,
        ended_reason=conversation.ended_reason,
        last_seq=conversation.last_seq,
        last_message=last_out,
        visitor_name=(visitor.name or visitor.email) if visitor else None,
        company=(enrichment.get("company") or {}).get("value"),
        meta=conversation.meta,
        classification={
            "qualified": conversation.qualified,
            "tags": list(conversation.tags or []),
            "deal_value": conversation.deal_value,
            "notes": conversation.notes,
        },
    )


# The messages one socket answer carries at most, in bytes (about what their frames take): a
# visitor's welcome (its latest messages) and each answer to a visitor's or a rep's `resume`
# (the next ones from where the client's copy stops). A long chat comes in pieces, the client
# asking again while a gap remains, so no answer nears a socket's send queue limit (1 MB,
# transport/sockets.py): a whole chat of 500 long messages (up to ~15 MB) went into one frame
# before, and the socket was cut off for it, again on every reconnect.
ANSWER_BYTES = 256 * 1024


async def messages_after(
    session: AsyncSession,
    conversation: Conversation,
    after_seq: int,
    *,
    include_internal: bool,
    limit: int = 500,
    max_bytes: int | None = None,
    newest: bool = False,
) -> list[MessageOut]:
    """The conversation's messages after `after_seq`, in order: the first `limit` of them, or
    with `newest` the last `limit`. `max_bytes` bounds them by size too (about what their
    frames take), cut from the same end, and always lets one through: a socket's answer stays
    within what its send queue holds (transport/sockets.py), and the client asks again for
    what it still misses (the messenger sees a gap in the sequence numbers)."""
    query = select(Message).where(
        Message.conversation_id == conversation.id, Message.seq > after_seq
    )
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    query = query.order_by(Message.seq.desc() if newest else Message.seq).limit(limit)
    rows = list((await session.execute(query)).scalars())
    if max_bytes is not None:
        rows = _within_bytes(rows, max_bytes)
    if newest:
        rows.reverse()
    visitor = await session.get(Visitor, conversation.visitor_id)
    out = await stored_messages_out(session, rows, visitor)
    return out if include_internal else [m.for_visitor() for m in out]


# A message's frame beyond its texts: ids, names, times, the frame's own keys.
_FRAME_OVERHEAD = 400


def _within_bytes(rows: list[Message], max_bytes: int) -> list[Message]:
    """The leading rows whose frames together take about `max_bytes` at most (one at least)."""
    total = 0
    for count, row in enumerate(rows):
        total += len(row.body.encode()) + len(row.body_html.encode()) + _FRAME_OVERHEAD
        if row.meta:
            total += len(orjson.dumps(row.meta))
        if total > max_bytes and count > 0:
            return rows[:count]
    return rows


class BoxFilters(TypedDict, total=False):
    """Narrowing an inbox box: Recent by qualification; any box by tag or by text."""

    qualified: bool | None
    tag: str | None
    search: str | None


async def list_for_rep(
    session: AsyncSession,
    actor: Authenticated,
    box: Box,
    limit: int = 200,
    **filters: Unpack[BoxFilters],
) -> list[ConversationSummary]:
    return await summaries(session, await find_for_rep(session, actor, box, limit, **filters))


async def find_for_rep(
    session: AsyncSession,
    actor: Authenticated,
    box: Box,
    limit: int = 200,
    **filters: Unpack[BoxFilters],
) -> list[Conversation]:
    """The conversations of one inbox box this rep may see, without their summaries (a
    snapshot summarises several boxes together)."""
    qualified, tag, search = filters.get("qualified"), filters.get("tag"), filters.get("search")
    query = select(Conversation).where(Conversation.org_id == actor.org_id)
    if box == "incoming":
        query = query.where(Conversation.status == "incoming").order_by(Conversation.created_at)
    elif box == "active":
        query = query.where(
            Conversation.status == "active", Conversation.owner_rep_id == actor.rep.id
        ).order_by(Conversation.last_message_at.desc())
    else:
        query = query.where(Conversation.status.in_(("ended", "missed")))
        if not actor.is_admin:
            query = query.where(
                (Conversation.owner_rep_id == actor.rep.id) | (Conversation.owner_rep_id.is_(None))
            )
        if qualified is not None:
            query = query.where(Conversation.qualified.is_(qualified))
        query = query.order_by(Conversation.ended_at.desc())
    rows = [
        c
        for c in (
            await session.execute(query.limit(limit * 5 if tag or search else limit))
        ).scalars()
        if audience.rep_sees_conversation(actor, c)
    ]
    if tag:
        rows = [c for c in rows if tag.lower() in (c.tags or [])]
    if search:
        needle = search.lower()
        visitors = (
            {
                v.id: v
                for v in (
                    await session.execute(
                        select(Visitor).where(Visitor.id.in_([c.visitor_id for c in rows]))
                    )
                ).scalars()
            }
            if rows
            else {}
        )

        def matches(c: Conversation) -> bool:
            visitor = visitors.get(c.visitor_id)
            haystack = " ".join(
                [
                    c.notes or "",
                    " ".join(c.tags or []),
                    (visitor.name or "") if visitor else "",
                    (visitor.email or "") if visitor else "",
                ]
            ).lower()
            return needle in haystack

        rows = [c for c in rows if matches(c)]
    return rows[:limit]
