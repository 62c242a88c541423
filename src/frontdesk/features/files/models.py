"""The chat_files table: one row per file sent in a chat (the bytes live in a FileStore)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class ChatFile(Base):
    __tablename__ = "chat_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The message that carries it (its meta names the file): gone with the message.
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    # Who sent it: "visitor" or "rep" (then rep_id).
    sender_kind: Mapped[str] = mapped_column(String(8))
    rep_id: Mapped[str | None] = mapped_column(ForeignKey("reps.id", ondelete="SET NULL"))
    # The name as the sender's computer called it (cleaned), shown and offered on download.
    name: Mapped[str] = mapped_column(String(255))
    # "image" (a safe raster image, re-encoded without metadata, with a thumbnail) or "file".
    kind: Mapped[str] = mapped_column(String(8))
    # What it is served as: image/png|jpeg|gif|webp for images, else application/octet-stream.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # Keys in the FileStore (stores.py): the file, and an image's thumbnail.
    storage_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_chat_files_conversation", "conversation_id"),)
