from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class AuditEntry(Base):
    """One change an admin (or an API token) made to an org's setup: who, what, when."""

    __tablename__ = "audit_entries"

    # Sorts in the order entries were written (service.new_entry_id): pages are id ranges.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    # Kept when the rep is deleted: the name below still says who it was.
    actor_rep_id: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    # session (signed in to the console) | api_token
    actor_kind: Mapped[str] = mapped_column(String(16))
    api_token_id: Mapped[str | None] = mapped_column(String(32))
    # The operation: "PATCH /api/segments/{segment_id}"
    action: Mapped[str] = mapped_column(String(200))
    # What it does, in words: "Change a segment"
    summary: Mapped[str] = mapped_column(Text)
    # The ids in the path: {"segment_id": "..."}
    target: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The request's body, secrets and passwords replaced by "[redacted]".
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index("ix_audit_entries_org_id", "org_id", "id"),)
