"""Setting the booker up: meeting types (admins), reps' working hours and calendars, and
whether each member can be booked right now (what the admin sees)."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines.service import DueDeadline, schedule
from frontdesk.deadlines.service import cancel as cancel_deadline
from frontdesk.features.meetings.calendars import (
    CalendarError,
    Source,
    decrypt_secret,
    encrypt_secret,
    normalise_url,
    read_busy,
)
from frontdesk.features.meetings.models import CalendarConnection, MeetingType, RepAvailability
from frontdesk.features.meetings.schemas import (
    AvailabilityOut,
    CalendarOut,
    MeetingTypeOut,
    MemberStatus,
    Question,
)
from frontdesk.features.meetings.slots import WEEKDAYS, Interval
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.runtime import Runtime

KIND_CALENDAR_REFRESH = "meetings.calendar_refresh"
# Calendars are read in the background this often, and slots come from that copy.
REFRESH_SECONDS = 300
# A copy older than this (the refresh keeps failing, or no process sweeps deadlines) no longer
# counts: that rep is not bookable until their calendar is read again.
STALE_AFTER = timedelta(minutes=30)
# How far ahead calendars are read (and so the longest booking horizon).
CALENDAR_DAYS = 120
HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
LOCATION_FIELDS = re.compile(r"\{([^{}]*)\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionBody(Strict):
    label: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    required: StrictBool = False


class MeetingTypeBody(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    description: Annotated[StrictStr, Field(max_length=2000)] = ""
    duration_minutes: Annotated[StrictInt, Field(ge=5, le=480, multiple_of=5)]
    # A video link template (https://meet.example.com/{meeting_id}) or a phone/office text.
    location: Annotated[StrictStr, Field(max_length=500)] = ""
    buffer_before_minutes: Annotated[StrictInt, Field(ge=0, le=240, multiple_of=5)] = 0
    buffer_after_minutes: Annotated[StrictInt, Field(ge=0, le=240, multiple_of=5)] = 0
    min_notice_minutes: Annotated[StrictInt, Field(ge=0, le=60 * 24 * 60)] = 240
    horizon_days: Annotated[StrictInt, Field(ge=1, le=CALENDAR_DAYS)] = 30
    questions: Annotated[list[QuestionBody], Field(max_length=10)] = Field(default_factory=list)
    member_rep_ids: Annotated[list[StrictStr], Field(min_length=1, max_length=50)]
    routing: Literal["round_robin", "account_owner", "everyone"] = "round_robin"
    active: StrictBool = True


class AvailabilityBody(Strict):
    time_zone: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    weekly_hours: dict[str, Annotated[list[list[StrictStr]], Field(max_length=6)]]
    days_off: Annotated[list[StrictStr], Field(max_length=366)] = Field(default_factory=list)


class CalendarBody(Strict):
    kind: Literal["caldav", "ical"]
    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)]
    username: Annotated[StrictStr, Field(min_length=1, max_length=320)] | None = None
    # CalDAV: an app password (stored encrypted, never shown again).
    password: Annotated[StrictStr, Field(min_length=1, max_length=500)] | None = None


# ---- meeting types -------------------------------------------------------------------------


def meeting_type_out(row: MeetingType) -> MeetingTypeOut:
    return MeetingTypeOut(
        id=row.id,
        name=row.name,
        description=row.description,
        duration_minutes=row.duration_minutes,
        location=row.location,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        min_notice_minutes=row.min_notice_minutes,
        horizon_days=row.horizon_days,
        questions=[Question(**q) for q in row.questions],
        member_rep_ids=list(row.member_rep_ids),
        routing=row.routing,
        active=row.active,
    )


async def _org_reps(session: AsyncSession, org_id: str, rep_ids: Sequence[str]) -> dict[str, Rep]:
    rows = await session.execute(select(Rep).where(Rep.org_id == org_id, Rep.id.in_(rep_ids)))
    return {rep.id: rep for rep in rows.scalars()}


async def _check_type(session: AsyncSession, org_id: str, body: MeetingTypeBody) -> None:
    if len(set(body.member_rep_ids)) != len(body.member_rep_ids):
        raise ValidationFailed("a rep is listed twice in the meeting type's members")
    reps = await _org_reps(session, org_id, body.member_rep_ids)
    for rep_id in body.member_rep_ids:
        rep = reps.get(rep_id)
        if rep is None:
            raise ValidationFailed(f"member {rep_id} is not a rep of this org")
        if not rep.active:
            raise ValidationFailed(f"{rep.name} is deactivated and cannot take meetings")
    for field in LOCATION_FIELDS.findall(body.location):
        if field != "meeting_id":
            raise ValidationFailed(
                f"the location may use {{meeting_id}} only, not {{{field}}} "
                "(for example https://meet.example.com/{meeting_id})"
            )
    if body.routing == "everyone" and len(body.member_rep_ids) < 2:
        raise ValidationFailed("'schedule with everyone' needs at least two members")


def _apply(row: MeetingType, body: MeetingTypeBody, now: datetime) -> None:
    row.name = body.name.strip()
    row.description = body.description
    row.duration_minutes = body.duration_minutes
    row.location = body.location.strip()
    row.buffer_before_minutes = body.buffer_before_minutes
    row.buffer_after_minutes = body.buffer_after_minutes
    row.min_notice_minutes = body.min_notice_minutes
    row.horizon_days = body.horizon_days
    row.questions = [
        {"id": f"q{index + 1}", "label": q.label.strip(), "required": q.required}
        for index, q in enumerate(body.questions)
    ]
    row.member_rep_ids = list(body.member_rep_ids)
    row.routing = body.routing
    row.active = body.active
    row.updated_at = now


async def list_meeting_types(session: AsyncSession, actor: Authenticated) -> list[MeetingType]:
    rows = await session.execute(
        select(MeetingType).where(MeetingType.org_id == actor.org_id).order_by(MeetingType.name)
    )
    return list(rows.scalars())


async def get_meeting_type(session: AsyncSession, org_id: str, type_id: str) -> MeetingType:
    row = await session.get(MeetingType, type_id)
    if row is None or row.org_id != org_id:
        raise NotFound("meeting type not found")
    return row


async def create_meeting_type(
    session: AsyncSession, actor: Authenticated, body: MeetingTypeBody, now: datetime
) -> MeetingType:
    actor.require_admin()
    await _check_type(session, actor.org_id, body)
    row = MeetingType(id=new_id(), org_id=actor.org_id, created_at=now)
    _apply(row, body, now)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"a meeting type named {body.name!r} already exists") from None
    return row


async def update_meeting_type(
    session: AsyncSession, actor: Authenticated, type_id: str, body: MeetingTypeBody, now: datetime
) -> MeetingType:
    actor.require_admin()
    row = await get_meeting_type(session, actor.org_id, type_id)
    await _check_type(session, actor.org_id, body)
    _apply(row, body, now)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"a meeting type named {body.name!r} already exists") from None
    return row


async def delete_meeting_type(session: AsyncSession, actor: Authenticated, type_id: str) -> None:
    """Booked meetings stay (their type becomes empty); open offers of it stop working."""
    actor.require_admin()
    row = await get_meeting_type(session, actor.org_id, type_id)
    await session.delete(row)


# ---- working hours -------------------------------------------------------------------------


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(name: str) -> str:
    if name not in _zones():
        raise ValidationFailed(
            f"{name!r} is not a time zone; use an IANA name such as Europe/Berlin"
        )
    return name


def _check_hours(body: AvailabilityBody) -> None:
    check_time_zone(body.time_zone)
    for day, ranges in body.weekly_hours.items():
        if day not in WEEKDAYS:
            raise ValidationFailed(f"weekly_hours: {day!r} is not one of {', '.join(WEEKDAYS)}")
        previous_end = ""
        for pair in sorted(ranges):
            if len(pair) != 2 or not all(HHMM.match(value) for value in pair):
                raise ValidationFailed(
                    f"weekly_hours.{day}: each range is two times HH:MM, like ['09:00', '17:00']"
                )
            start, end = pair
            if start >= end or start == "24:00":
                raise ValidationFailed(f"weekly_hours.{day}: {start}-{end} ends before it starts")
            if previous_end and start < previous_end:
                raise ValidationFailed(f"weekly_hours.{day}: the ranges overlap")
            previous_end = end
    for value in body.days_off:
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise ValidationFailed(f"days_off: {value!r} is not a date (YYYY-MM-DD)") from None


async def _rep_for(session: AsyncSession, actor: Authenticated, rep_id: str) -> Rep:
    """A rep sets their own hours and calendar; an admin sets anyone's in the org."""
    if rep_id != actor.rep.id and not actor.is_admin:
        raise Forbidden("only admins set other reps' hours and calendars")
    rep = await session.get(Rep, rep_id)
    if rep is None or rep.org_id != actor.org_id:
        raise NotFound("rep not found")
    return rep


def availability_out(rep_id: str, row: RepAvailability | None) -> AvailabilityOut:
    if row is None:
        return AvailabilityOut(rep_id=rep_id, time_zone="UTC", weekly_hours={}, days_off=[])
    return AvailabilityOut(
        rep_id=rep_id,
        time_zone=row.time_zone,
        weekly_hours=row.weekly_hours,
        days_off=list(row.days_off),
    )


async def get_availability(
    session: AsyncSession, actor: Authenticated, rep_id: str
) -> AvailabilityOut:
    await _rep_for(session, actor, rep_id)
    return availability_out(rep_id, await session.get(RepAvailability, rep_id))


async def set_availability(
    session: AsyncSession, actor: Authenticated, rep_id: str, body: AvailabilityBody, now: datetime
) -> AvailabilityOut:
    rep = await _rep_for(session, actor, rep_id)
    _check_hours(body)
    row = await session.get(RepAvailability, rep_id)
    if row is None:
        row = RepAvailability(rep_id=rep.id, org_id=rep.org_id)
        session.add(row)
    row.time_zone = body.time_zone
    row.weekly_hours = {day: sorted(ranges) for day, ranges in body.weekly_hours.items()}
    row.days_off = sorted(set(body.days_off))
    row.updated_at = now
    return availability_out(rep_id, row)


# ---- calendars -----------------------------------------------------------------------------


def calendar_out(row: CalendarConnection) -> CalendarOut:
    return CalendarOut(
        rep_id=row.rep_id,
        kind=row.kind,
        url=row.url,
        username=row.username,
        status=row.status,
        last_error=row.last_error,
        last_fetched_at=row.last_fetched_at.isoformat() if row.last_fetched_at else None,
        busy_count=len(row.busy),
    )


def _source(runtime: Runtime, row: CalendarConnection) -> Source:
    password = (
        decrypt_secret(runtime.settings.secret_keys, row.secret_encrypted)
        if row.secret_encrypted
        else None
    )
    return Source(kind=row.kind, url=row.url, username=row.username, password=password)


def calendar_source(runtime: Runtime, row: CalendarConnection) -> Source:
    return _source(runtime, row)


async def _time_zone_of(session: AsyncSession, rep_id: str) -> str:
    row = await session.get(RepAvailability, rep_id)
    return row.time_zone if row is not None else "UTC"


def _window(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=1), now + timedelta(days=CALENDAR_DAYS + 1)


async def get_calendar(
    session: AsyncSession, actor: Authenticated, rep_id: str
) -> CalendarConnection | None:
    await _rep_for(session, actor, rep_id)
    return await session.get(CalendarConnection, rep_id)


async def connect_calendar(
    runtime: Runtime, actor: Authenticated, rep_id: str, body: CalendarBody
) -> CalendarOut:
    """Read the calendar once now: a wrong URL, password or file is refused with the reason
    and nothing is stored. Then it is read again every REFRESH_SECONDS in the background."""
    if body.kind == "caldav" and (not body.username or not body.password):
        raise ValidationFailed("a CalDAV calendar needs a user name and an app password")
    if body.kind == "ical" and (body.username or body.password):
        raise ValidationFailed(
            "a private iCal feed URL carries its own secret: give no user name or password"
        )
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        await _rep_for(session, actor, rep_id)
        time_zone = await _time_zone_of(session, rep_id)
    try:
        url = normalise_url(body.kind, body.url)
        source = Source(body.kind, url, body.username, body.password)
        start, end = _window(now)
        busy = await read_busy(
            source, time_zone, start, end, allow_private=runtime.settings.allow_private_targets
        )
    except CalendarError as error:
        raise ValidationFailed(f"the calendar could not be read: {error}") from None
    async with runtime.db.transaction() as session:
        rep = await _rep_for(session, actor, rep_id)
        row = await session.get(CalendarConnection, rep_id)
        if row is None:
            row = CalendarConnection(rep_id=rep.id, org_id=rep.org_id, created_at=now)
            session.add(row)
        row.kind = body.kind
        row.url = url
        row.username = body.username
        row.secret_encrypted = (
            encrypt_secret(runtime.settings.secret_keys, body.password) if body.password else None
        )
        _store_busy(row, busy, now)
        await schedule(
            session,
            kind=KIND_CALENDAR_REFRESH,
            subject_id=rep_id,
            due_at=now + timedelta(seconds=REFRESH_SECONDS),
            now=now,
            org_id=rep.org_id,
        )
        return calendar_out(row)


def _store_busy(row: CalendarConnection, busy: list[Interval], now: datetime) -> None:
    start, end = _window(now)
    row.busy = [[s, e] for s, e in busy]
    row.busy_from, row.busy_until = start, end
    row.status = "ok"
    row.last_error = None
    row.last_fetched_at = now


async def disconnect_calendar(runtime: Runtime, actor: Authenticated, rep_id: str) -> None:
    async with runtime.db.transaction() as session:
        await _rep_for(session, actor, rep_id)
        await session.execute(delete(CalendarConnection).where(CalendarConnection.rep_id == rep_id))
        await cancel_deadline(
            session, kind=KIND_CALENDAR_REFRESH, subject_id=rep_id, now=runtime.clock.now()
        )


async def refresh_calendar(runtime: Runtime, rep_id: str) -> CalendarConnection | None:
    """Read one rep's calendar again and store the busy times, or the error (which makes the
    rep unbookable until a later read succeeds)."""
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        row = await session.get(CalendarConnection, rep_id)
        if row is None:
            return None
        time_zone = await _time_zone_of(session, rep_id)
        problem = ""
        try:
            source: Source | None = _source(runtime, row)
        except CalendarError as error:
            source, problem = None, str(error)
    busy: list[Interval] | None = None
    if source is not None:
        start, end = _window(now)
        try:
            busy = await read_busy(
                source, time_zone, start, end, allow_private=runtime.settings.allow_private_targets
            )
        except CalendarError as error:
            problem = str(error)
    async with runtime.db.transaction() as session:
        row = await session.get(CalendarConnection, rep_id)
        if row is None:
            return None
        if busy is not None:
            _store_busy(row, busy, now)
        else:
            row.status = "error"
            row.last_error = problem
        return row


async def on_calendar_refresh(runtime: Runtime, deadline: DueDeadline) -> None:
    row = await refresh_calendar(runtime, deadline.subject_id)
    if row is None:
        return
    async with runtime.db.transaction() as session:
        now = runtime.clock.now()
        await schedule(
            session,
            kind=KIND_CALENDAR_REFRESH,
            subject_id=deadline.subject_id,
            due_at=now + timedelta(seconds=REFRESH_SECONDS),
            now=now,
            org_id=deadline.org_id,
        )


# ---- who can be booked ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    """What slot computation needs of one rep, or why they cannot be booked."""

    rep_id: str
    name: str
    email: str
    time_zone: str
    weekly_hours: dict[str, list[list[str]]]
    days_off: list[str]
    busy: list[Interval]
    busy_until: int | None  # Unix seconds: no busy times are known after this
    calendar: CalendarConnection | None
    problem: str | None


async def member_inputs(
    session: AsyncSession, org_id: str, rep_ids: Sequence[str], now: datetime
) -> dict[str, MemberInput]:
    """Three queries whatever the number of reps."""
    reps = await _org_reps(session, org_id, rep_ids)
    hours = {
        row.rep_id: row
        for row in (
            await session.execute(
                select(RepAvailability).where(RepAvailability.rep_id.in_(rep_ids))
            )
        ).scalars()
    }
    calendars = {
        row.rep_id: row
        for row in (
            await session.execute(
                select(CalendarConnection).where(CalendarConnection.rep_id.in_(rep_ids))
            )
        ).scalars()
    }
    out: dict[str, MemberInput] = {}
    for rep_id in rep_ids:
        rep = reps.get(rep_id)
        if rep is None:
            continue
        availability = hours.get(rep_id)
        calendar = calendars.get(rep_id)
        problem = None
        if not rep.active:
            problem = "deactivated"
        elif availability is None or not any(availability.weekly_hours.values()):
            problem = "no working hours set"
        elif calendar is not None and calendar.status != "ok":
            problem = f"calendar cannot be read: {calendar.last_error or 'not read yet'}"
        elif (
            calendar is not None
            and calendar.last_fetched_at is not None
            and calendar.last_fetched_at < now - STALE_AFTER
        ):
            problem = (
                f"calendar not read since {calendar.last_fetched_at:%Y-%m-%d %H:%M} UTC "
                "(is the server's deadline sweeper running?)"
            )
        out[rep_id] = MemberInput(
            rep_id=rep_id,
            name=rep.name,
            email=rep.email,
            time_zone=availability.time_zone if availability else "UTC",
            weekly_hours=availability.weekly_hours if availability else {},
            days_off=list(availability.days_off) if availability else [],
            busy=[(s, e) for s, e in calendar.busy] if calendar else [],
            busy_until=int(calendar.busy_until.timestamp())
            if calendar and calendar.busy_until
            else None,
            calendar=calendar,
            problem=problem,
        )
    return out


def member_status(rep_id: str, name: str, member: MemberInput | None) -> MemberStatus:
    calendar = member.calendar if member else None
    return MemberStatus(
        rep_id=rep_id,
        name=member.name if member else name,
        bookable=member is not None and member.problem is None,
        problem=member.problem if member else "not a rep of this org",
        calendar=calendar.kind if calendar else "none",
        calendar_status=calendar.status if calendar else "none",
        calendar_fetched_at=calendar.last_fetched_at.isoformat()
        if calendar and calendar.last_fetched_at
        else None,
    )


async def member_statuses(
    session: AsyncSession, actor: Authenticated, type_id: str, now: datetime
) -> list[MemberStatus]:
    row = await get_meeting_type(session, actor.org_id, type_id)
    inputs = await member_inputs(session, actor.org_id, row.member_rep_ids, now)
    return [member_status(rep_id, rep_id, inputs.get(rep_id)) for rep_id in row.member_rep_ids]
