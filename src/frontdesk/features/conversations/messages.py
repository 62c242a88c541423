"""Messages as clients see them: the body rules, author names, and the one MessageOut builder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.conversations.models import Message
from frontdesk.features.formatting import render_markdown, resign_stored
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors.models import Visitor

if TYPE_CHECKING:
    from frontdesk.features.conversations.group_writer import OpenChat
    from frontdesk.features.conversations.models import Conversation

MAX_BODY = 10_000

AuthorKind = Literal["visitor", "rep", "bot", "system"]


def validate_body(body: str) -> str:
    if not body.strip():
        raise ValidationFailed("a message cannot be empty")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            f"a message may have at most {MAX_BODY:,} characters", details={"max": MAX_BODY}
        )
    return body


def visitor_display_name(visitor: Visitor | None) -> str:
    # The group writer's SQL says the same: coalesce(name, email, 'Visitor').
    if visitor is None:
        return "Visitor"
    return visitor.name or visitor.email or "Visitor"


def author_name(author_kind: str, *, rep_name: str | None, visitor_name: str) -> str:
    """The name a message shows: its rep's, the assistant's, Frontdesk's, or the visitor's."""
    if author_kind == "rep":
        return rep_name or "Rep"  # a rep since deleted
    if author_kind == "bot":
        return "Assistant"
    if author_kind == "system":
        return "Frontdesk"
    return visitor_name


def message_out(
    *,
    message_id: str,
    conversation_id: str,
    seq: int,
    author_kind: str,
    author_name: str,
    body: str,
    html: str,
    created_at: datetime,
    author_rep_id: str | None = None,
    client_id: str | None = None,
    internal: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> MessageOut:
    """The one place a MessageOut is built: from a stored row, for a new message, and by the
    group writer (which has no ORM row, only what its statement returned)."""
    return MessageOut(
        id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        author_kind=author_kind,
        author_name=author_name,
        author_rep_id=author_rep_id,
        body=body,
        html=html,
        client_id=client_id,
        created_at=created_at,
        internal=internal,
        meta=dict(meta or {}),
    )


def stored_message_out(
    message: Message, *, rep_names: Mapping[str, str], visitor_name: str
) -> MessageOut:
    """A stored message, its author named from rep names loaded with it."""
    return message_out(
        message_id=message.id,
        conversation_id=message.conversation_id,
        seq=message.seq,
        author_kind=message.author_kind,
        author_name=author_name(
            message.author_kind,
            rep_name=rep_names.get(message.author_rep_id) if message.author_rep_id else None,
            visitor_name=visitor_name,
        ),
        body=message.body,
        html=resign_stored(message.body_html),
        created_at=message.created_at,
        author_rep_id=message.author_rep_id,
        client_id=message.client_msg_id,
        internal=message.internal,
        meta=message.meta,
    )


async def stored_messages_out(
    session: AsyncSession, messages: Sequence[Message], visitor: Visitor | None
) -> list[MessageOut]:
    """Stored messages of one conversation, with their reps' names in one query."""
    rep_ids = {m.author_rep_id for m in messages if m.author_rep_id}
    rep_names: dict[str, str] = {}
    if rep_ids:
        rows = await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids)))
        rep_names = dict(rows.tuples().all())
    visitor_name = visitor_display_name(visitor)
    return [stored_message_out(m, rep_names=rep_names, visitor_name=visitor_name) for m in messages]


def new_message(
    conversation: Conversation | OpenChat,
    *,
    seq: int,
    now: datetime,
    author_kind: AuthorKind,
    author_name: str,
    body: str,
    author_rep_id: str | None = None,
    client_id: str | None = None,
    internal: bool = False,
    meta: dict[str, Any] | None = None,
) -> tuple[MessageOut, dict[str, Any]]:
    """A new message as clients see it, and the row to insert (commands.INSERT_MESSAGE)."""
    out = message_out(
        message_id=new_id(),
        conversation_id=conversation.id,
        seq=seq,
        author_kind=author_kind,
        author_name=author_name,
        body=body,
        html=render_markdown(body, images=author_kind != "visitor"),
        created_at=now,
        author_rep_id=author_rep_id,
        client_id=client_id,
        internal=internal,
        meta=meta,
    )
    row = {
        "id": out.id,
        "org_id": conversation.org_id,
        "conversation_id": conversation.id,
        "seq": seq,
        "author_kind": author_kind,
        "author_rep_id": author_rep_id,
        "body": body,
        "body_html": out.html,
        "client_msg_id": client_id,
        "internal": internal,
        "meta": out.meta,
        "created_at": now,
    }
    return out, row


@dataclass(frozen=True)
class Posted:
    message: MessageOut
    duplicate: bool
    conversation_created: bool
    # no rep owns the chat (it is incoming): known from the write itself, no extra query
    waiting: bool = False
