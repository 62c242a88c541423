"""Conversation frames. Bus payloads are the exact frames clients receive: serialised once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from frontdesk.core.events import Event
from frontdesk.core.schemas import Closed
from frontdesk.features.audience import Visibility
from frontdesk.features.conversations.meta import ConversationMeta

AuthorKind = Literal["visitor", "rep", "bot", "system"]
ConversationStatus = Literal["incoming", "active", "ended", "missed"]
ConversationOrigin = Literal["inbound", "pounce", "invitation", "auto_pounce"]


class MessageOut(Closed):
    id: str
    conversation_id: str
    seq: int
    author_kind: AuthorKind
    author_name: str
    author_rep_id: str | None
    body: str
    html: str
    client_id: str | None
    created_at: datetime
    internal: bool
    # Annotations: {"auto_pounce": true} (rep-only); {"meeting_offer": id} on a booker the
    # visitor books from and {"meeting_booked": id} on its confirmation (both sides see them);
    # {"file": MessageFile} on a file sent in the chat (features/files/schemas.py).
    meta: dict[str, Any] = Field(default_factory=dict)

    def for_visitor(self) -> MessageOut:
        if not self.meta:
            return self
        shown = {k: v for k, v in self.meta.items() if k in VISITOR_META_KEYS}
        return self.model_copy(update={"meta": shown})


# The only message annotations a visitor's frames carry (the booker's card and confirmation,
# a file sent in the chat: features/files, and the bot's answer from the knowledge with its
# source: features/copilot, under which the messenger offers "Talk to a person").
VISITOR_META_KEYS = frozenset({"meeting_offer", "meeting_booked", "file", "bot_answer"})


class Classification(Closed):
    qualified: bool | None
    tags: list[str]
    deal_value: float | None
    notes: str | None


class ConversationSummary(Closed):
    id: str
    visitor_id: str
    status: ConversationStatus
    origin: ConversationOrigin
    owner_rep_id: str | None
    owner_name: str | None
    routed_rep_ids: list[str]
    routing_reason: str | None
    created_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    ended_reason: str | None
    last_seq: int
    last_message: MessageOut | None
    visitor_name: str | None
    company: str | None
    meta: ConversationMeta
    classification: Classification


class RepMessage(Event):
    """To rep consoles (org topic): sent at once, not batched."""

    type: Literal["message"] = "message"
    message: MessageOut
    visibility: Visibility


class VisitorMessage(Event):
    """To the visitor's tabs (visitor topic)."""

    type: Literal["message"] = "message"
    message: MessageOut


class ConversationUpdated(Event):
    """To consoles (batched): a conversation summary changed (status, owner, meta, classification)."""

    type: Literal["conversation.updated"] = "conversation.updated"
    conversation: ConversationSummary
    visibility: Visibility


class RepBrief(Closed):
    id: str
    name: str
    avatar_url: str | None = None


class VisitorConversation(Closed):
    id: str
    status: ConversationStatus
    origin: ConversationOrigin
    rep: RepBrief | None
    # What the messenger should show: the offline form (nobody available), or the name and
    # email form the experience asks for before the chat.
    offline: bool = False
    ask_identity: bool = False
    # Outside business hours: when the team is back (the messenger says it in the visitor's
    # own time zone). In the queue: the visitor's place (1 = next).
    away_until: datetime | None = None
    queue_position: int | None = None
    # Set when the conversation began as a reply to this invitation (its text is seq 1).
    invitation_id: str | None = None
    # The visitor's rating once they gave one (features/csat): the messenger thanks them
    # instead of asking again.
    rating: int | None = None


class VisitorConversationChanged(Event):
    """To the visitor's tabs: the open conversation's state changed."""

    type: Literal["conversation"] = "conversation"
    conversation: VisitorConversation


class Typing(Event):
    """Someone is typing: a rep (to the visitor, with `rep_name`) or the visitor (to consoles, with `visitor_id`)."""

    type: Literal["typing"] = "typing"
    conversation_id: str
    is_typing: bool
    rep_name: str | None = None
    visitor_id: str | None = None
