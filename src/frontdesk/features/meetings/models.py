"""The meeting booker's tables: meeting types, reps' hours and calendars, offers, meetings, and
the claims that make booking a slot atomic across processes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class MeetingType(Base):
    __tablename__ = "meeting_types"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # A video link template ("https://meet.example/{meeting_id}") or a phone/office text.
    location: Mapped[str] = mapped_column(Text, default="")
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=240)
    horizon_days: Mapped[int] = mapped_column(Integer, default=30)
    # [{"id": "q1", "label": "...", "required": bool}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Rep ids, in round-robin order.
    member_rep_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # round_robin | account_owner | everyone
    routing: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_meeting_types_org_name"),)


class RepAvailability(Base):
    """A rep's working hours (per weekday, in their own time zone) and days off."""

    __tablename__ = "rep_availability"

    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["09:00", "17:00"]], ..., "sun": []}
    weekly_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    # ["2026-12-24", ...] in the rep's time zone
    days_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class CalendarConnection(Base):
    """A rep's calendar (CalDAV, read and write; or a private iCal feed, read only), with the
    busy times of its last fetch: the cache slots are computed from."""

    __tablename__ = "calendar_connections"

    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # caldav | ical
    url: Mapped[str] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(String(320))
    # The app password, encrypted with a key derived from the server secret (Fernet).
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    # pending (never fetched) | ok | error
    status: Mapped[str] = mapped_column(String(8), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None]
    # Busy intervals as [[start, end], ...] in Unix seconds, sorted and merged.
    busy: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    busy_from: Mapped[datetime | None]
    busy_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class MeetingOffer(Base):
    """A booker a rep sent in a chat (or the bot offered): one meeting type, its owner and who
    must be free. Its id is the capability the visitor's booking card uses."""

    __tablename__ = "meeting_offers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    meeting_type_id: Mapped[str] = mapped_column(ForeignKey("meeting_types.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("visitors.id", ondelete="SET NULL"))
    owner_rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    # Every rep who must be free and is invited (the owner first).
    attendee_rep_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    routing_note: Mapped[str] = mapped_column(Text, default="")
    created_by_rep_id: Mapped[str | None] = mapped_column(
        ForeignKey("reps.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    offer_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting_offers.id", ondelete="SET NULL")
    )
    meeting_type_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting_types.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    visitor_id: Mapped[str | None] = mapped_column(
        ForeignKey("visitors.id", ondelete="SET NULL"), index=True
    )
    owner_rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    attendee_rep_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    visitor_name: Mapped[str] = mapped_column(String(200))
    visitor_email: Mapped[str] = mapped_column(String(320))
    visitor_time_zone: Mapped[str] = mapped_column(String(64))
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # booked | cancelled
    # The iCalendar UID (the same in every email and the CalDAV event) and its SEQUENCE.
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Where the event was written in the owner's CalDAV calendar, if connected.
    caldav_href: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_meetings_org_start", "org_id", "start_at"),
        # Reports count an org's meetings by the day they were booked.
        Index("ix_meetings_org_created", "org_id", "created_at"),
        # One booked meeting per offer (a cancelled one may be booked again).
        Index(
            "uq_meetings_one_booked_per_offer",
            "offer_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )


class MeetingClaim(Base):
    """One 5-minute block of one rep's time taken by a booked meeting (its buffers included).
    The primary key is the lock: two bookings that overlap for any rep cannot both insert,
    whichever process they run in."""

    __tablename__ = "meeting_claims"

    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    block_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix seconds
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
