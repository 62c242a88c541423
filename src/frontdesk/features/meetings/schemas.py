"""What the meeting booker's API answers hold."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime

Routing = Literal["round_robin", "account_owner", "everyone"]


class Question(Closed):
    id: str
    label: str
    required: bool


class MemberStatus(Closed):
    """Whether a member can be booked now, and why not (shown to admins)."""

    rep_id: str
    name: str
    bookable: bool
    problem: str | None
    calendar: Literal["none", "caldav", "ical"]
    calendar_status: Literal["none", "pending", "ok", "error"]
    calendar_fetched_at: IsoTime | None


class MeetingTypeOut(Closed):
    id: str
    name: str
    description: str
    duration_minutes: int
    location: str
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_minutes: int
    horizon_days: int
    questions: list[Question]
    member_rep_ids: list[str]
    routing: Routing
    active: bool


class AvailabilityOut(Closed):
    rep_id: str
    time_zone: str
    # {"mon": [["09:00", "17:00"]], ...}
    weekly_hours: dict[str, list[list[str]]]
    days_off: list[str]


class CalendarOut(Closed):
    rep_id: str
    kind: Literal["caldav", "ical"]
    url: str
    username: str | None
    status: Literal["pending", "ok", "error"]
    last_error: str | None
    last_fetched_at: IsoTime | None
    busy_count: int


class NextOwner(Closed):
    """Who a meeting type's routing would pick now (a round robin's next in line)."""

    meeting_type_id: str
    rep_id: str | None
    name: str | None
    reason: str


class OfferOut(Closed):
    id: str
    meeting_type_id: str
    conversation_id: str | None
    owner_rep_id: str
    attendee_rep_ids: list[str]
    title: str
    routing_note: str


class SlotOut(Closed):
    start: IsoTime  # UTC
    end: IsoTime
    # The start as the visitor's clock shows it ("14:30").
    label: str


class DayOut(Closed):
    date: str  # in the visitor's zone, YYYY-MM-DD
    label: str  # "Mon 9 Mar"
    slots: list[SlotOut]


class Answer(Closed):
    question: str
    answer: str


class MeetingOut(Closed):
    id: str
    title: str
    meeting_type_id: str | None
    conversation_id: str | None
    visitor_id: str | None
    owner_rep_id: str | None
    owner_name: str | None
    attendee_rep_ids: list[str]
    start: IsoTime
    end: IsoTime
    location: str
    visitor_name: str
    visitor_email: str
    visitor_time_zone: str
    status: Literal["booked", "cancelled"]
    answers: list[Answer]


class BookingCard(Closed):
    """What the visitor's booking card shows."""

    offer_id: str
    title: str
    description: str
    duration_minutes: int
    location: str
    owner_name: str
    time_zone: str
    days: list[DayOut]
    questions: list[Question]
    name: str | None
    email: str | None
    # Set once the offer is booked: the card shows the confirmation instead.
    booked: MeetingOut | None
    # Why no slots are offered ("Dana's calendar can't be read right now"), if none are.
    problem: str | None
