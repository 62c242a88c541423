from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.features.conversations.meta import ConversationMeta, ConversationMetaColumn
from frontdesk.storage.base import Base

# Kept in step with conversations.lifecycle.OPEN_STATUSES.
OPEN_CONDITION = "status IN ('incoming', 'active')"


def _no_meta() -> ConversationMeta:
    return ConversationMeta()


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    # incoming (waiting for a rep) | active (a rep owns it) | ended | missed (nobody accepted)
    status: Mapped[str] = mapped_column(String(16))
    # inbound | pounce | invitation | auto_pounce
    origin: Mapped[str] = mapped_column(String(16))
    owner_rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    routed_rep_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    routing_reason: Mapped[str | None] = mapped_column(Text)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    last_message_at: Mapped[datetime | None]
    # What features note on the chat: a closed, typed record (meta.py), one JSON object here.
    meta: Mapped[ConversationMeta] = mapped_column(ConversationMetaColumn(), default=_no_meta)
    # Classification, during or after the chat.
    qualified: Mapped[bool | None] = mapped_column(Boolean)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    deal_value: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    # For reports (features/reports, docs/reports.md), kept as the chat goes so a report reads
    # one row per chat: the visitor's segment when it started, when the visitor first wrote,
    # whole seconds from then to the first rep message after it, whole seconds from start to
    # end, and why an inbound chat nobody accepted was missed ("inbound_timeout": reps were
    # available; "queue_timeout": nobody was, the offline form showed).
    segment_id: Mapped[str | None] = mapped_column(String(32))
    first_visitor_message_at: Mapped[datetime | None]
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    length_seconds: Mapped[int | None] = mapped_column(Integer)
    missed_kind: Mapped[str | None] = mapped_column(String(16))
    # When the retention policy deleted the chat's messages (features/privacy/retention.py);
    # the row itself stays for reports.
    transcript_deleted_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_conversations_org_status", "org_id", "status"),
        # Reports read an org's chats by start time (docs/reports.md, "Speed").
        Index("ix_conversations_org_created", "org_id", "created_at"),
        Index("ix_conversations_visitor", "visitor_id", "created_at"),
        # At most one open chat per visitor: the database says so across processes, and a
        # visitor's message finds (and locks) its chat with one UPDATE.
        Index(
            "uq_conversations_one_open_per_visitor",
            "visitor_id",
            unique=True,
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    author_kind: Mapped[str] = mapped_column(String(8))  # visitor | rep | bot | system
    author_rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised on the server
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    # Shown to reps only (for example a transfer note); never sent to the visitor.
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"auto_pounce": true} marks text AI wrote on a rep's behalf (shown only to reps).
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        UniqueConstraint(
            "conversation_id", "client_msg_id", name="uq_messages_conversation_client"
        ),
    )
