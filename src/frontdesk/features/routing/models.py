from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_teams_org_name"),)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)


class RoundRobinCursor(Base):
    """Whose turn it is next, per org and pool, shared by every process."""

    __tablename__ = "round_robin_cursors"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    pool: Mapped[str] = mapped_column(String(80), primary_key=True)
    turn: Mapped[int] = mapped_column(Integer, default=0)
