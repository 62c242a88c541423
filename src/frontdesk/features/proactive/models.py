from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Invitation(Base):
    """'Invite to live chat': becomes a conversation only when the visitor replies."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(Text)  # as the rep wrote it, with #variables#
    message: Mapped[str] = mapped_column(Text)  # what the visitor sees
    # pending (sent, not yet on screen) | shown | accepted | expired | withdrawn
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    shown_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )

    __table_args__ = (Index("ix_invitations_visitor_status", "visitor_id", "status"),)


class ProactiveEvent(Base):
    """One countable thing: a pounce, an invitation sent/accepted/expired, an auto pounce,
    a visitor reply to any of them, a missed auto-pounce response."""

    __tablename__ = "proactive_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("visitors.id", ondelete="SET NULL"))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    # For reports: the channel it belongs to (pounce | invitation | auto_pounce) and the
    # visitor's segment at the time.
    channel: Mapped[str | None] = mapped_column(String(16))
    segment_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_proactive_events_org_at", "org_id", "at"),)
