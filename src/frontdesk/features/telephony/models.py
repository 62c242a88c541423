"""The telephony tables: each org's provider account, and each phone leg (one outbound call
that rings a visitor's phone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class TelephonyAccount(Base):
    """An org's phone settings. Its own table, not a key in `orgs.settings`: the auth token is
    a secret, and org rows are cached by every process and handed to every visitor socket."""

    __tablename__ = "telephony_accounts"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))  # none | twilio
    account_sid: Mapped[str | None] = mapped_column(String(64))
    auth_token: Mapped[str | None] = mapped_column(String(128))
    # A Twilio API key (SK...) and its secret (write-only, like the auth token): they sign the
    # Access Tokens that make the rep's console a Twilio Voice client, so an answered phone is
    # dialled into the rep's browser call. Without them: the org's phone line.
    api_key_sid: Mapped[str | None] = mapped_column(String(64))
    api_key_secret: Mapped[str | None] = mapped_column(String(128))
    # E.164: the number calls come from (a number of the provider account).
    caller_number: Mapped[str | None] = mapped_column(String(20))
    # E.164: who an answered call is connected to (the org's sales line).
    connect_number: Mapped[str | None] = mapped_column(String(20))
    # What the visitor hears when they answer, before the sales line rings.
    greeting: Mapped[str] = mapped_column(Text)
    # ISO 3166 region codes ("US", "GB") whose numbers may be called; empty: none.
    allowed_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Rate rules in the `limits` notation ("3/hour; 5/day").
    visitor_limit: Mapped[str] = mapped_column(String(100))
    org_limit: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class PhoneLeg(Base):
    """One call to a visitor's phone, placed for a conversation (and, when it joins a browser
    call, that call's opaque id)."""

    __tablename__ = "phone_legs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    # The calls feature's call this leg belongs to; null when the visitor asked from the chat.
    call_id: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(20))  # E.164
    provider: Mapped[str] = mapped_column(String(16))
    # The provider's id for the call (Twilio's CallSid); null until the provider accepted it.
    provider_call_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # requested | queued | ringing | in_progress | completed | busy | no_answer | failed | canceled
    status: Mapped[str] = mapped_column(String(16))
    # Why a leg failed (the provider's words), or who hung up.
    end_reason: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    ringing_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_phone_legs_org_created", "org_id", "created_at"),
        Index("ix_phone_legs_conversation", "conversation_id"),
    )
