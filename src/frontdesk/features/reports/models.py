"""Report rollups (docs/reports.md, "Speed"): an org's chats and proactive events summed per
local day, for each UTC offset a report has been read in.

A local day under a fixed offset is one interval of UTC, so a zone's days are the rollup days
of the offsets it uses (two for a zone with daylight saving time); the few days a zone's offset
changes on are read from the chats themselves. Rows are rebuilt a whole day at a time from the
raw rows (features/reports/rollups.py), never incremented, so building twice gives the same
rows. `report_marks` counts the writes to chats and events of each UTC day after the day was
over; a built day remembers the count it saw and is used only while the count is unchanged.

Empty strings stand for "none" in the key columns (owner, routed reps, segment, channel), so
rows group and compare the same on both databases.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class ReportMark(Base):
    """How many times chats or events that started on this UTC day were written after it."""

    __tablename__ = "report_marks"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    utc_day: Mapped[int] = mapped_column(Integer, primary_key=True)  # unix seconds // 86400
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportOffset(Base):
    """An offset (minutes east of UTC) some report of the org was read in: rolled up."""

    __tablename__ = "report_offsets"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)


class ReportBuiltDay(Base):
    """One local day rolled up, with the sum of the marks of the UTC days around it then."""

    __tablename__ = "report_built_days"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # local days since 1970-01-01
    marks: Mapped[int] = mapped_column(BigInteger)
    # The day's first response median and p90 over all its chats (nearest rank, seconds):
    # an unfiltered report's day figures without reading the day's histogram.
    frt_p50: Mapped[int | None] = mapped_column(Integer, nullable=True)
    frt_p90: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReportBuiltBlock(Base):
    """A block of BLOCK_DAYS built days (day // BLOCK_DAYS == block) whose first response
    histograms were summed per owner (report_block_responses), with the sum of its days'
    `marks` then: used only while its days are built with the same marks. -1: unusable."""

    __tablename__ = "report_built_blocks"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    block: Mapped[int] = mapped_column(Integer, primary_key=True)
    marks: Mapped[int] = mapped_column(BigInteger)


class ReportBlockResponses(Base):
    """First response times of a block's chats per owner: how many took exactly `seconds`
    (an unfiltered report's per-rep and total percentiles over long ranges)."""

    __tablename__ = "report_block_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    block: Mapped[int] = mapped_column(Integer)
    owner_rep_id: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_report_block_responses_block", "org_id", "offset_minutes", "block"),
    )


class ReportDayChats(Base):
    """Chats started on one local day, per owner (or routed reps), channel and segment."""

    __tablename__ = "report_day_chats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    owner_rep_id: Mapped[str] = mapped_column(String(32))
    # The routed reps' JSON list as stored, for chats nobody owns or that were missed.
    routed_key: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[str] = mapped_column(String(32))
    started: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    inbound: Mapped[int] = mapped_column(Integer)
    queue: Mapped[int] = mapped_column(Integer)
    qualified: Mapped[int] = mapped_column(Integer)
    deal_value: Mapped[float] = mapped_column(Float)
    length_n: Mapped[int] = mapped_column(Integer)
    length_sum: Mapped[int] = mapped_column(BigInteger)
    csat_n: Mapped[int] = mapped_column(Integer)  # rated chats (features/csat)
    csat_satisfied: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_report_day_chats_day", "org_id", "offset_minutes", "day"),)


class ReportDayResponses(Base):
    """First response times of one local day's chats: how many took exactly `seconds`."""

    __tablename__ = "report_day_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    owner_rep_id: Mapped[str] = mapped_column(String(32))
    routed_key: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_report_day_responses_day", "org_id", "offset_minutes", "day"),)


class ReportDayEvents(Base):
    """Proactive events of one local day per rep, kind, channel and segment."""

    __tablename__ = "report_day_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    rep_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[str] = mapped_column(String(32))
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_report_day_events_day", "org_id", "offset_minutes", "day"),)
