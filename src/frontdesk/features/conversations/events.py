"""Conversation frames. Bus payloads are the exact frames clients receive: serialised once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.core.events import Event
from frontdesk.features.audience import Visibility
from frontdesk.features.conversations.meta import ConversationMeta


class MessageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    conversation_id: str
    seq: int
    author_kind: str
    author_name: str
    author_rep_id: str | None
    body: str
    html: str
    client_id: str | None
    created_at: datetime
    internal: bool
    # Rep-only annotations ({"auto_pounce": true}); always empty in frames sent to visitors.
    meta: dict[str, Any] = Field(default_factory=dict)

    def for_visitor(self) -> MessageOut:
        return self.model_copy(update={"meta": {}}) if self.meta else self


class ConversationSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    visitor_id: str
    status: str
    origin: str
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
    classification: dict[str, Any] = Field(default_factory=dict)


class RepMessage(Event):
    """To rep consoles (org topic): sent at once, not batched."""

    name = "message"
    message: MessageOut
    visibility: Visibility


class VisitorMessage(Event):
    """To the visitor's tabs (visitor topic)."""

    name = "message"
    message: MessageOut


class ConversationUpdated(Event):
    name = "conversation.updated"
    conversation: ConversationSummary
    visibility: Visibility


class RepBrief(BaseModel):
    id: str
    name: str
    avatar_url: str | None = None


class VisitorConversation(BaseModel):
    id: str
    status: str
    origin: str
    rep: RepBrief | None
    # What the messenger should show: the offline form (nobody available), or the name and
    # email form the experience asks for before the chat.
    offline: bool = False
    ask_identity: bool = False
    # Set when the conversation began as a reply to this invitation (its text is seq 1).
    invitation_id: str | None = None


class VisitorConversationChanged(Event):
    name = "conversation"
    conversation: VisitorConversation


class Typing(Event):
    name = "typing"
    conversation_id: str
    is_typing: bool
    rep_name: str | None = None
    visitor_id: str | None = None
