from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Experience(Base):
    __tablename__ = "experiences"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Seconds routed reps have to join before the bot greets the visitor.
    rep_window_seconds: Mapped[int] = mapped_column(Integer, default=20)
    bot_greeting: Mapped[str] = mapped_column(Text)
    ask_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    identity_prompt: Mapped[str] = mapped_column(Text)
    handoff_message: Mapped[str] = mapped_column(Text)
    # After this many seconds without a rep, the visitor sees the timeout message.
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=300)
    timeout_message: Mapped[str] = mapped_column(Text)
    offline_message: Mapped[str] = mapped_column(Text)
    # When the rep window runs out on an inbound chat, the bot also offers this meeting type's
    # booker (None: it does not). Not for auto pounce or other proactive chats.
    booker_meeting_type_id: Mapped[str | None] = mapped_column(
        ForeignKey("meeting_types.id", ondelete="SET NULL")
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    __table_args__ = (
        Index(
            "uq_experiences_one_default",
            "org_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )


class OfflineMessage(Base):
    """Left by a visitor when no rep was available; emailed to the routed reps."""

    __tablename__ = "offline_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    emailed_at: Mapped[datetime | None]
    email_error: Mapped[str | None] = mapped_column(Text)
