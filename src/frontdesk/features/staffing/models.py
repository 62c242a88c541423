from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class BusinessHours(Base):
    """When the org (scope "org") or one team (scope = the team's id) takes chats."""

    __tablename__ = "business_hours"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(32))  # "org" or the team's id
    time_zone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["09:00", "17:00"]], ...}: wall-clock intervals in time_zone; a missing day is closed.
    weekly: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    # What a visitor gets outside hours: "offline_form" or "booker" (with booker_meeting_type_id).
    away_mode: Mapped[str] = mapped_column(String(16), default="offline_form")
    booker_meeting_type_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting_types.id", ondelete="SET NULL")
    )
    away_message: Mapped[str] = mapped_column(Text)
    # The holiday feed last imported (iCal URL), if any.
    holiday_feed_url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("org_id", "scope", name="uq_business_hours_org_scope"),)


class Holiday(Base):
    """A whole local day the hours' team is closed."""

    __tablename__ = "business_holidays"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hours_id: Mapped[str] = mapped_column(ForeignKey("business_hours.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8))  # manual | ical

    __table_args__ = (UniqueConstraint("hours_id", "day", name="uq_business_holidays_day"),)


class ChatCapacity(Base):
    """The org's chat capacity rules. Its row is also the lock that serialises queue changes
    (enqueue, release) across processes."""

    __tablename__ = "chat_capacity"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    # Concurrent chats per rep (None: no limit).
    default_max_chats: Mapped[int | None] = mapped_column(Integer)
    # Beyond everyone's capacity: "queue" (wait, told their place) or "offline" (offline form).
    overflow: Mapped[str] = mapped_column(String(8), default="queue")
    # A queued chat nobody could take within this many minutes is missed.
    queue_timeout_minutes: Mapped[int] = mapped_column(Integer, default=30)


class RepChatLimit(Base):
    """A rep's own limit, overriding the org default."""

    __tablename__ = "rep_chat_limits"

    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    max_chats: Mapped[int] = mapped_column(Integer)


class QueuedChat(Base):
    """An inbound chat waiting for a rep with room; first in, first out per org."""

    __tablename__ = "chat_queue"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    queued_at: Mapped[datetime]

    __table_args__ = (Index("ix_chat_queue_org_queued", "org_id", "queued_at"),)
