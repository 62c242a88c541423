from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class ApiToken(Base):
    """An org's token for scripts and CRMs. Only a hash of the token is stored; the token is
    shown once, when it is made. It acts for the admin who made it, within its scopes."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Any of "read", "write", "admin" (features/api_tokens/service.py: what each allows).
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token ("fd_Ab3x"), so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_api_tokens_org_created", "org_id", "created_at"),)
