from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str] = mapped_column(String(16))
    cold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Left to right = priority; the catch-all ("Everyone else") has no rules and sorts last.
    position: Mapped[int] = mapped_column(Integer)
    # {"match": "all" | "any", "conditions": [{"field", "op", "value"}]}
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Routing for visitors in this segment: ordered steps (see features/routing).
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    experience_id: Mapped[str | None] = mapped_column(
        ForeignKey("experiences.id", ondelete="SET NULL")
    )
    is_catch_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    __table_args__ = (
        # Exactly one catch-all per org, even when two processes create it at once.
        Index(
            "uq_segments_one_catch_all",
            "org_id",
            unique=True,
            sqlite_where=text("is_catch_all"),
            postgresql_where=text("is_catch_all"),
        ),
    )
