"""Messages as clients see them: the body rules, author names and the MessageOut builders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.formatting import render_markdown
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors.models import Visitor

if TYPE_CHECKING:
    from frontdesk.features.conversations.group_writer import OpenChat

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


def message_out(message: Message, author_name: str) -> MessageOut:
    return MessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        seq=message.seq,
        author_kind=message.author_kind,
        author_name=author_name,
        author_rep_id=message.author_rep_id,
        body=message.body,
        html=message.body_html,
        client_id=message.client_msg_id,
        created_at=message.created_at,
        internal=message.internal,
        meta=dict(message.meta or {}),
    )


def visitor_display_name(visitor: Visitor | None) -> str:
    if visitor is None:
        return "Visitor"
    return visitor.name or visitor.email or "Visitor"


async def author_names(
    session: AsyncSession, messages: list[Message], visitor: Visitor | None
) -> dict[str | None, str]:
    rep_ids = {m.author_rep_id for m in messages if m.author_rep_id}
    names: dict[str | None, str] = {}
    if rep_ids:
        rows = await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(rep_ids)))
        names.update({rid: name for rid, name in rows.all()})
    names[None] = visitor_display_name(visitor)
    return names


def author_name(message: Message, names: dict[str | None, str], org_name: str = "") -> str:
    if message.author_kind == "rep":
        return names.get(message.author_rep_id, "Rep")
    if message.author_kind == "bot":
        return "Assistant"
    if message.author_kind == "system":
        return "Frontdesk"
    return names[None]


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
    html: str | None = None,
) -> tuple[MessageOut, dict[str, Any]]:
    """The message as clients see it, and the row to insert (with _INSERT_MESSAGE)."""
    out = MessageOut(
        id=new_id(),
        conversation_id=conversation.id,
        seq=seq,
        author_kind=author_kind,
        author_name=author_name,
        author_rep_id=author_rep_id,
        body=body,
        html=render_markdown(body, images=author_kind != "visitor") if html is None else html,
        client_id=client_id,
        created_at=now,
        internal=internal,
        meta=dict(meta or {}),
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
