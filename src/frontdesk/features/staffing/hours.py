"""Business hours per org and per team: settings, holidays (by hand or from an iCal feed), and
who is inside hours at an instant."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp
import icalendar
import recurring_ical_events
from sqlalchemy import column, delete, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.staffing.models import BusinessHours, Holiday
from frontdesk.features.staffing.schedule import Schedule, check_weekly, check_zone
from frontdesk.features.staffing.schemas import (
    HolidayOut,
    HoursBody,
    HoursOut,
    HoursStatus,
    ScopeStatus,
)
from frontdesk.outbound import BlockedAddress, guarded_session, literal_address_refused
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.staffing")

ORG_SCOPE = "org"
DEFAULT_AWAY_MESSAGE = (
    "We're outside our business hours right now. Leave us a message and we'll get back to you."
)
FEED_TIMEOUT = 10.0
MAX_FEED_BYTES = 2_000_000
# Holidays read from a feed: this many days back and ahead of the import.
FEED_WINDOW = (timedelta(days=31), timedelta(days=3 * 366))
# A feed imported from a URL is read again this often, by a durable deadline (so once across
# processes, by whichever process's sweeper claims it; docs/business-hours.md).
KIND_HOLIDAY_FEED_REFRESH = "staffing.holiday_feed_refresh"
FEED_REFRESH = timedelta(days=1)

# The routing feature's tables, read by name: routing imports this feature (to skip reps
# outside hours), so this feature must not import routing.
_teams = table("teams", column("id"), column("org_id"), column("name"))
_members = table("team_members", column("team_id"), column("rep_id"))
_reps = table("reps", column("id"), column("org_id"), column("active"))
_meeting_types = table("meeting_types", column("id"), column("org_id"))


async def _team_name(session: AsyncSession, org_id: str, team_id: str) -> str:
    name = (
        await session.execute(
            select(_teams.c.name).where(_teams.c.id == team_id, _teams.c.org_id == org_id)
        )
    ).scalar_one_or_none()
    if name is None:
        raise NotFound("team not found")
    return str(name)


def _scope_of(scope: str) -> str | None:
    """The team id a scope names (None: the org)."""
    if scope == ORG_SCOPE:
        return None
    if not re.fullmatch(r"[0-9a-f]{32}", scope):
        raise NotFound("business hours are for 'org' or a team's id")
    return scope


async def _holidays(session: AsyncSession, hours_ids: list[str]) -> dict[str, list[Holiday]]:
    out: dict[str, list[Holiday]] = {h: [] for h in hours_ids}
    if hours_ids:
        rows = await session.execute(
            select(Holiday).where(Holiday.hours_id.in_(hours_ids)).order_by(Holiday.day)
        )
        for holiday in rows.scalars():
            out[holiday.hours_id].append(holiday)
    return out


def schedule_of(hours: BusinessHours, holidays: list[Holiday]) -> Schedule:
    return Schedule.of(hours.time_zone, hours.weekly, [h.day for h in holidays])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def hours_out(
    hours: BusinessHours, holidays: list[Holiday], team_name: str | None, now: datetime
) -> HoursOut:
    schedule = schedule_of(hours, holidays)
    open_now = schedule.is_open(now)
    return HoursOut(
        scope=hours.scope,
        team_id=hours.team_id,
        team_name=team_name,
        time_zone=hours.time_zone,
        weekly=hours.weekly,
        away_mode=hours.away_mode,
        booker_meeting_type_id=hours.booker_meeting_type_id,
        away_message=hours.away_message,
        holiday_feed_url=hours.holiday_feed_url,
        holidays=[
            HolidayOut(day=h.day.isoformat(), name=h.name, source=h.source) for h in holidays
        ],
        open_now=open_now,
        reopens_at=None if open_now else _iso(schedule.next_opening(now)),
        closes_at=_iso(schedule.closes_at(now)) if open_now else None,
    )


async def _team_names(session: AsyncSession, org_id: str) -> dict[str, str]:
    rows = await session.execute(
        select(_teams.c.id, _teams.c.name).where(_teams.c.org_id == org_id)
    )
    return {str(i): str(n) for i, n in rows.tuples()}


async def list_hours(session: AsyncSession, org_id: str, now: datetime) -> list[HoursOut]:
    """The org's hours first, then each team's, by team name."""
    rows = list(
        (
            await session.execute(select(BusinessHours).where(BusinessHours.org_id == org_id))
        ).scalars()
    )
    names = await _team_names(session, org_id)
    holidays = await _holidays(session, [r.id for r in rows])
    rows.sort(key=lambda r: (r.team_id is not None, names.get(r.team_id or "", "")))
    return [
        hours_out(r, holidays[r.id], names.get(r.team_id) if r.team_id else None, now) for r in rows
    ]


async def _get(session: AsyncSession, org_id: str, scope: str) -> BusinessHours | None:
    return (
        await session.execute(
            select(BusinessHours).where(
                BusinessHours.org_id == org_id, BusinessHours.scope == scope
            )
        )
    ).scalar_one_or_none()


async def set_hours(
    session: AsyncSession, org_id: str, scope: str, body: HoursBody, now: datetime
) -> HoursOut:
    team_id = _scope_of(scope)
    team_name = await _team_name(session, org_id, team_id) if team_id else None
    check_zone(body.time_zone)
    weekly = check_weekly(body.weekly)
    if body.away_mode == "booker":
        if not body.booker_meeting_type_id:
            raise ValidationFailed("away_mode 'booker' needs booker_meeting_type_id")
        found = (
            await session.execute(
                select(_meeting_types.c.id).where(
                    _meeting_types.c.id == body.booker_meeting_type_id,
                    _meeting_types.c.org_id == org_id,
                )
            )
        ).first()
        if found is None:
            raise ValidationFailed("booker_meeting_type_id: meeting type not found")
    days: dict[date, str] = {}
    for holiday in body.holidays:
        try:
            day = date.fromisoformat(holiday.day)
        except ValueError:
            raise ValidationFailed(f"holiday '{holiday.day}' is not a date (YYYY-MM-DD)") from None
        days[day] = holiday.name.strip()[:200] or "Holiday"
    hours = await _get(session, org_id, scope)
    if hours is None:
        hours = BusinessHours(id=new_id(), org_id=org_id, team_id=team_id, scope=scope)
        session.add(hours)
    hours.time_zone = body.time_zone
    hours.weekly = weekly
    hours.away_mode = body.away_mode
    hours.booker_meeting_type_id = (
        body.booker_meeting_type_id if body.away_mode == "booker" else None
    )
    hours.away_message = (body.away_message or "").strip() or DEFAULT_AWAY_MESSAGE
    hours.updated_at = now
    await session.flush()
    await session.execute(
        delete(Holiday).where(Holiday.hours_id == hours.id, Holiday.source == "manual")
    )
    imported = {
        h.day for h in (await _holidays(session, [hours.id]))[hours.id] if h.source == "ical"
    }
    for day, name in sorted(days.items()):
        if day not in imported:
            session.add(
                Holiday(id=new_id(), hours_id=hours.id, day=day, name=name, source="manual")
            )
    await session.flush()
    return hours_out(hours, (await _holidays(session, [hours.id]))[hours.id], team_name, now)


async def delete_hours(session: AsyncSession, org_id: str, scope: str) -> None:
    """Without hours the org (or team) is always inside hours."""
    hours = await _get(session, org_id, _scope_key(scope))
    if hours is None:
        raise NotFound("no business hours are set here")
    await session.delete(hours)


def _scope_key(scope: str) -> str:
    _scope_of(scope)
    return scope


# ---- iCal holiday feeds ------------------------------------------------------------------


def holidays_from_ical(text: bytes, now: datetime) -> dict[date, str]:
    """Every day an event of the feed covers (all-day events: their dates; timed ones: their
    start's date), from a month back to three years ahead; recurring events expanded."""
    if not re.match(rb"\s*BEGIN:VCALENDAR", text, re.IGNORECASE):
        raise ValidationFailed("the holiday feed is not an iCalendar file (no BEGIN:VCALENDAR)")
    try:
        calendar = icalendar.Calendar.from_ical(text)
        events = recurring_ical_events.of(calendar).between(
            now - FEED_WINDOW[0], now + FEED_WINDOW[1]
        )
    except Exception as error:
        raise ValidationFailed(f"the holiday feed is not valid iCalendar ({error})") from None
    days: dict[date, str] = {}
    for event in events:
        if event.name != "VEVENT" or event.get("DTSTART") is None:
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = event["DTSTART"].dt
        name = str(event.get("SUMMARY", "Holiday"))[:200] or "Holiday"
        if isinstance(start, datetime):
            days.setdefault(start.date(), name)
            continue
        end = event["DTEND"].dt if event.get("DTEND") is not None else start + timedelta(days=1)
        if isinstance(end, datetime):
            end = end.date()
        day = start
        while day < max(end, start + timedelta(days=1)) and len(days) < 2000:
            days.setdefault(day, name)
            day += timedelta(days=1)
    return days


async def fetch_feed(url: str, *, allow_private: bool) -> bytes:
    if not re.match(r"^(https?|webcal)://", url, re.IGNORECASE):
        raise ValidationFailed("the feed URL must start with https:// (or http://, webcal://)")
    url = re.sub(r"^webcal://", "https://", url, flags=re.IGNORECASE)
    # An IP literal never reaches the guarded resolver: checked here.
    if literal_address_refused(urlsplit(url).hostname or "", allow_private):
        raise ValidationFailed(
            "the feed's address is not on the internet; feeds must be on the internet (or "
            "the operator sets FRONTDESK_ALLOW_PRIVATE_TARGETS)"
        )
    try:
        async with (
            guarded_session(allow_private=allow_private, timeout=FEED_TIMEOUT) as http,
            http.get(url) as response,
        ):
            if response.status != 200:
                raise ValidationFailed(f"the holiday feed answered {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                body.extend(chunk)
                if len(body) > MAX_FEED_BYTES:
                    raise ValidationFailed("the holiday feed is larger than 2 MB")
            return bytes(body)
    except BlockedAddress as error:
        raise ValidationFailed(
            f"{error}; feeds must be on the internet (or the operator sets "
            "FRONTDESK_ALLOW_PRIVATE_TARGETS)"
        ) from None
    except TimeoutError:
        raise ValidationFailed(
            f"the holiday feed did not answer within {FEED_TIMEOUT:g} s"
        ) from None
    except aiohttp.ClientError as error:
        raise ValidationFailed(f"the holiday feed cannot be reached ({error})") from None


async def import_holidays(
    session: AsyncSession,
    org_id: str,
    scope: str,
    days: dict[date, str],
    url: str | None,
    now: datetime,
    *,
    refresh: bool = False,
) -> HoursOut:
    """Replace the scope's imported holidays with the feed's days (manual ones stay). A feed
    from a URL is scheduled to be read again in a day (`on_holiday_feed_refresh`)."""
    hours = await _get(session, org_id, _scope_key(scope))
    if hours is None:
        raise NotFound("set the business hours first, then import holidays")
    await session.execute(
        delete(Holiday).where(Holiday.hours_id == hours.id, Holiday.source == "ical")
    )
    manual = {h.day for h in (await _holidays(session, [hours.id]))[hours.id]}
    for day, name in sorted(days.items()):
        if day not in manual:
            session.add(Holiday(id=new_id(), hours_id=hours.id, day=day, name=name, source="ical"))
    if not refresh:
        # Imported by an admin: a URL is read again daily from now on; an uploaded file
        # replaces the feed, so there is no URL left to refresh.
        hours.holiday_feed_url = url
        if url is None:
            await deadlines.cancel(
                session, kind=KIND_HOLIDAY_FEED_REFRESH, subject_id=hours.id, now=now
            )
    if url is not None:
        await deadlines.schedule(
            session,
            kind=KIND_HOLIDAY_FEED_REFRESH,
            subject_id=hours.id,
            due_at=now + FEED_REFRESH,
            now=now,
            org_id=org_id,
        )
    hours.updated_at = now
    await session.flush()
    team_name = await _team_name(session, org_id, hours.team_id) if hours.team_id else None
    return hours_out(hours, (await _holidays(session, [hours.id]))[hours.id], team_name, now)


async def on_holiday_feed_refresh(runtime: Runtime, deadline: DueDeadline) -> None:
    """The daily read of an hours' holiday feed URL: its days replace the ones imported
    before. A feed that cannot be read or parsed keeps the holidays as they are (logged) and
    is tried again the next day; hours deleted or without a URL end the refresh."""
    async with runtime.db.read() as session:
        hours = await session.get(BusinessHours, deadline.subject_id)
        if hours is None or not hours.holiday_feed_url:
            return
        org_id, scope, url = hours.org_id, hours.scope, hours.holiday_feed_url
    days: dict[date, str] | None = None
    try:
        text = await fetch_feed(url, allow_private=runtime.settings.allow_private_targets)
        days = holidays_from_ical(text, runtime.clock.now())
    except ValidationFailed as error:
        log.warning(
            "holiday feed refresh failed; the holidays imported before stay",
            extra={"org_id": org_id, "scope": scope, "reason": error.message},
        )
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        hours = await session.get(BusinessHours, deadline.subject_id)
        if hours is None or hours.holiday_feed_url != url:
            return  # deleted, or imported again meanwhile (which scheduled its own refresh)
        if days is not None:
            await import_holidays(session, org_id, scope, days, url, now, refresh=True)
        else:
            await deadlines.schedule(
                session,
                kind=KIND_HOLIDAY_FEED_REFRESH,
                subject_id=hours.id,
                due_at=now + FEED_REFRESH,
                now=now,
                org_id=org_id,
            )


# ---- inside hours now -----------------------------------------------------------------------


@dataclass
class HoursNow:
    """Who is inside business hours at one instant."""

    configured: bool = False
    # The org's own hours: closed now, and when it reopens.
    org_closed: bool = False
    org_back_at: datetime | None = None
    org_hours: BusinessHours | None = None
    # Reps outside hours (the org is closed, or every team of theirs with hours is) -> when
    # they are back (None: not within a year), and the hours that apply to them.
    off_reps: dict[str, datetime | None] = field(default_factory=dict)
    off_hours_of: dict[str, BusinessHours] = field(default_factory=dict)
    scopes: list[ScopeStatus] = field(default_factory=list)

    def back_at(self, rep_ids: list[str]) -> datetime | None:
        """When the first of these reps is back (the org's reopening when it is closed)."""
        if self.org_closed:
            return self.org_back_at
        times = [self.off_reps[r] for r in rep_ids if self.off_reps.get(r) is not None]
        return min(times) if times else None  # type: ignore[type-var]

    def away_hours(self, rep_ids: list[str]) -> BusinessHours | None:
        """Whose away settings apply: the org's when it is closed, else the team's of the
        rep who is back first."""
        if self.org_closed:
            return self.org_hours
        best: tuple[datetime, BusinessHours] | None = None
        for rep_id in rep_ids:
            hours, back = self.off_hours_of.get(rep_id), self.off_reps.get(rep_id)
            if hours is not None and (best is None or (back is not None and back < best[0])):
                best = (back or datetime.max.replace(tzinfo=UTC), hours)
        return best[1] if best else self.org_hours


async def hours_now(session: AsyncSession, org_id: str, now: datetime) -> HoursNow:
    rows = list(
        (
            await session.execute(select(BusinessHours).where(BusinessHours.org_id == org_id))
        ).scalars()
    )
    state = HoursNow()
    if not rows:
        return state
    state.configured = True
    holidays = await _holidays(session, [r.id for r in rows])
    names = await _team_names(session, org_id)
    open_teams: dict[str, bool] = {}
    team_back: dict[str, datetime | None] = {}
    team_hours: dict[str, BusinessHours] = {}
    for hours in rows:
        schedule = schedule_of(hours, holidays[hours.id])
        is_open = schedule.is_open(now)
        back = None if is_open else schedule.next_opening(now)
        state.scopes.append(
            ScopeStatus(
                scope=hours.scope,
                team_id=hours.team_id,
                name=names.get(hours.team_id, "Team") if hours.team_id else "Everyone",
                open_now=is_open,
                reopens_at=_iso(back),
                closes_at=_iso(schedule.closes_at(now)) if is_open else None,
                time_zone=hours.time_zone,
            )
        )
        if hours.team_id is None:
            state.org_hours = hours
            state.org_closed, state.org_back_at = not is_open, back
        else:
            open_teams[hours.team_id] = is_open
            team_back[hours.team_id] = back
            team_hours[hours.team_id] = hours
    active = [
        str(r)
        for r in (
            await session.execute(
                select(_reps.c.id).where(_reps.c.org_id == org_id, _reps.c.active.is_(True))
            )
        ).scalars()
    ]
    if state.org_closed:
        state.off_reps = dict.fromkeys(active, state.org_back_at)
        if state.org_hours is not None:
            state.off_hours_of = dict.fromkeys(active, state.org_hours)
        return state
    if team_hours:
        teams_of: dict[str, list[str]] = {}
        for team_id, rep_id in (
            await session.execute(
                select(_members.c.team_id, _members.c.rep_id).where(
                    _members.c.team_id.in_(list(team_hours))
                )
            )
        ).tuples():
            teams_of.setdefault(str(rep_id), []).append(str(team_id))
        for rep_id, teams in teams_of.items():
            if any(open_teams[t] for t in teams):
                continue
            backs = [team_back[t] for t in teams if team_back[t] is not None]
            state.off_reps[rep_id] = min(backs) if backs else None  # type: ignore[type-var]
            first = min(teams, key=lambda t: team_back[t] or datetime.max.replace(tzinfo=UTC))
            state.off_hours_of[rep_id] = team_hours[first]
    return state


async def hours_status(session: AsyncSession, org_id: str, now: datetime) -> HoursStatus:
    state = await hours_now(session, org_id, now)
    scopes = sorted(state.scopes, key=lambda s: (s.team_id is not None, s.name))
    return HoursStatus(scopes=scopes, server_time=now.isoformat())
