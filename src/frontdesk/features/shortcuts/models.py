from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Shortcut(Base):
    __tablename__ = "shortcuts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    # "org" for Org Shortcuts (admins edit them), otherwise the owning rep's id (My Shortcuts).
    scope: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("org_id", "scope", "name", name="uq_shortcuts_org_scope_name"),
    )
