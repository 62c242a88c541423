"""What the reports API answers (docs/reports.md defines every figure)."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed

Channel = Literal["inbound", "pounce", "invitation", "auto_pounce"]


class Figures(Closed):
    """The figures of one day, one rep, or the whole range."""

    conversations_started: int
    started_inbound: int
    started_pounce: int
    started_invitation: int
    started_auto_pounce: int
    conversations_answered: int
    missed: int
    inbound_timeouts: int
    queue_timeouts: int
    missed_responses: int
    first_response_median_seconds: int | None
    first_response_p90_seconds: int | None
    average_length_seconds: float | None
    pounces_sent: int
    pounce_replies: int
    pounce_reply_rate: float | None
    invitations_sent: int
    invitation_replies: int
    invitation_reply_rate: float | None
    auto_pounces_sent: int
    auto_pounce_replies: int
    auto_pounce_reply_rate: float | None
    qualified: int
    deal_value: float
    # Calls (features/calls), by the day they were placed and the rep on them.
    calls: int
    calls_connected: int
    call_average_seconds: float | None
    calls_ended_by_rep: int
    calls_ended_by_visitor: int
    calls_declined: int
    calls_missed: int
    calls_failed: int
    # Meetings (features/meetings), by the day they were booked and their owner.
    meetings_booked: int
    meetings_cancelled: int
    # CSAT (features/csat): chats started in the period that the visitor rated, how many of
    # those were satisfied (good of three, 4-5 of five), and that share (null: no ratings).
    csat_ratings: int
    csat_satisfied: int
    csat_rate: float | None


class DayFigures(Figures):
    date: str  # the day in the report's time zone, YYYY-MM-DD


class RepFigures(Figures):
    rep_id: str
    rep_name: str


class ReportColumn(Closed):
    """One figure as the console's tables and the CSV export show it."""

    key: str
    label: str
    description: str


class Report(Closed):
    start: str
    end: str
    zone: str
    rep_id: str | None
    team_id: str | None
    segment_id: str | None
    channel: Channel | None
    columns: list[ReportColumn]
    days: list[DayFigures]
    totals: Figures
    reps: list[RepFigures]
