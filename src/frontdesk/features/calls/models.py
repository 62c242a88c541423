from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base

# Kept in step with calls.lifecycle.LIVE_STATES.
LIVE_CONDITION = "state <> 'ended'"


class Call(Base):
    """A voice or video call between the rep and the visitor of one chat.

    Media never passes through the server (WebRTC, peer to peer or through TURN); this row is
    the call's state, who is on it and how it ended. The visitor's side is a leg on a channel:
    `browser` today (the widget's tab, `visitor_leg`); a phone leg (issue 15's join by phone)
    would be another channel with its own leg id, on the same record.
    """

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    # rep | visitor
    initiated_by: Mapped[str] = mapped_column(String(16))
    # What the caller asked for: audio | video (the rep may still share a screen).
    media: Mapped[str] = mapped_column(String(8))
    # requested | ringing | connecting | active | ended
    state: Mapped[str] = mapped_column(String(16))
    # ended_by_rep | ended_by_visitor | declined | blocked | missed | failed
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # Why, in words, when end_reason alone does not say it ("the visitor's browser went away").
    end_detail: Mapped[str | None] = mapped_column(Text)
    # How the visitor takes part: browser (WebRTC in the widget); phone is for later.
    channel: Mapped[str] = mapped_column(String(16), default="browser")
    # The console tab (rep) and the widget tab (visitor) holding the call; null until joined.
    rep_leg: Mapped[str | None] = mapped_column(String(64))
    visitor_leg: Mapped[str | None] = mapped_column(String(64))
    # What the visitor may send: audio | video (visitor-initiated: what the rep allowed).
    visitor_media: Mapped[str | None] = mapped_column(String(8))
    # A call from the messenger's "Call us" (the voice call queue): the reps it rings until
    # one answers (rep_id stays null until then). Null: not a queued call.
    queue_rep_ids: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime]
    # Both sides said yes (connecting), media flowed (active), it ended.
    answered_at: Mapped[datetime | None]
    connected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Each joined side's last sign of life (call_keepalive and every call frame).
    rep_seen_at: Mapped[datetime | None]
    visitor_seen_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_calls_conversation", "conversation_id", "created_at"),
        Index("ix_calls_visitor", "visitor_id", "created_at"),
        # Reports count an org's calls by the day they were placed.
        Index("ix_calls_org_created", "org_id", "created_at"),
        # At most one live call per chat, across processes.
        Index(
            "uq_calls_one_live_per_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text(LIVE_CONDITION),
            postgresql_where=text(LIVE_CONDITION),
        ),
    )
