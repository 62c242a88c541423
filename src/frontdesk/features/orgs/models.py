from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    site_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Exact website origins (scheme://host[:port]) allowed to embed the widget.
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Secret the customer's backend uses to sign identify() calls (HMAC-SHA256 of the email).
    identity_secret: Mapped[str] = mapped_column(String(128))
    # Seconds without input (tab visible) before a visitor counts as idle.
    idle_after_seconds: Mapped[int] = mapped_column(Integer, default=60)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Rep(Base):
    __tablename__ = "reps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    # Unique per org, not globally: creating a rep must not tell an admin that another org
    # has this email. Sign-in finds the one rep whose password matches (features/orgs).
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | rep
    password_hash: Mapped[str] = mapped_column(Text)
    availability: Mapped[str] = mapped_column(String(16), default="away")  # available | away
    auto_pounce_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why auto pounce was switched off for this rep (a missed response), shown in the console.
    auto_pounce_off_reason: Mapped[str | None] = mapped_column(Text)
    voice_video_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Email preferences (features/experiences, features/reports): missed chats routed to the
    # rep (on unless they opt out); the daily summary (admins only, off unless they opt in).
    missed_chat_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    daily_summary_email: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("org_id", "email", name="uq_reps_org_id_email"),)


class RepSession(Base):
    """A signed-in browser. Only a hash of the cookie value is stored; revocable at once."""

    __tablename__ = "rep_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (Index("ix_rep_sessions_org_rep", "org_id", "rep_id"),)
