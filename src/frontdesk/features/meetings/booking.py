"""Offering the booker in a chat, the visitor's booking card, booking a slot atomically,
cancelling and rescheduling, and the invitation emails."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Conflict, FrontdeskError, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines.service import DueDeadline, schedule
from frontdesk.features import conversations, routing
from frontdesk.features.accounts.models import Account
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.meetings.admin import (
    MemberInput,
    calendar_source,
    check_time_zone,
    get_meeting_type,
    member_inputs,
)
from frontdesk.features.meetings.calendars import CalendarError, event_href, put_event, read_busy
from frontdesk.features.meetings.invites import (
    EventDetails,
    Person,
    build_calendar,
    invitation_email,
    link_signature,
    link_signature_valid,
)
from frontdesk.features.meetings.models import (
    Meeting,
    MeetingClaim,
    MeetingOffer,
    MeetingType,
    RepAvailability,
)
from frontdesk.features.meetings.schemas import (
    Answer,
    BookingCard,
    DayOut,
    MeetingOut,
    NextOwner,
    OfferOut,
    Question,
    SlotOut,
)
from frontdesk.features.meetings.slots import Interval, MemberTime, merge, offered_slots
from frontdesk.features.meetings.slots import working_intervals as expand_hours
from frontdesk.features.orgs import Authenticated, meeting_time
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.routing.models import RoundRobinCursor
from frontdesk.features.visitors import visitor_voice
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.outbound import send_mail
from frontdesk.runtime import Runtime, UnitOfWork

log = logging.getLogger("frontdesk.meetings")

KIND_MEETING_EMAIL = "meetings.email"
BLOCK = 300  # claims are 5-minute blocks; durations and buffers are multiples of 5 minutes
EMAIL_RE = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;.]{2,}$")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Shown to visitors instead of a rep's private reason.
NOT_BOOKABLE = "No times can be offered right now. Please ask us in the chat."


class SlotTaken(Conflict):
    code = "slot_taken"


class CalendarUnavailable(FrontdeskError):
    status = 503
    code = "calendar_unavailable"


# ---- offering ------------------------------------------------------------------------------


def _pool(type_id: str) -> str:
    return f"meeting:{type_id}"


async def _visitor_account_owner(session: AsyncSession, visitor_id: str | None) -> str | None:
    if visitor_id is None:
        return None
    row = (
        await session.execute(
            select(Account.owner_rep_id)
            .join(Visit, Visit.account_id == Account.id)
            .where(Visit.visitor_id == visitor_id)
            .order_by(Visit.started_at.desc())
            .limit(1)
        )
    ).first()
    return row[0] if row else None


async def _peek_turn(session: AsyncSession, org_id: str, type_id: str) -> int:
    turn = (
        await session.execute(
            select(RoundRobinCursor.turn).where(
                RoundRobinCursor.org_id == org_id, RoundRobinCursor.pool == _pool(type_id)
            )
        )
    ).scalar_one_or_none()
    return int(turn or 0)


def _in_turn(members: Sequence[str], turn: int, bookable: set[str]) -> str | None:
    """The member whose turn it is, skipping those who cannot be booked now."""
    for step in range(len(members)):
        candidate = members[(turn + step) % len(members)]
        if candidate in bookable:
            return candidate
    return None


@dataclass(frozen=True)
class Routed:
    owner: str
    attendees: list[str]
    note: str


async def _route(
    session: AsyncSession,
    meeting_type: MeetingType,
    visitor_id: str | None,
    now: datetime,
    *,
    take_turn: bool,
) -> Routed:
    """The meeting type's own routing: account owner first, schedule with everyone, or the
    round robin (taking the turn, shared by every process, when `take_turn`)."""
    members = list(meeting_type.member_rep_ids)
    inputs = await member_inputs(session, meeting_type.org_id, members, now)
    bookable = {rep_id for rep_id, m in inputs.items() if m.problem is None}
    if meeting_type.routing == "everyone":
        return Routed(members[0], members, "Schedule with everyone")
    if meeting_type.routing == "account_owner":
        owner = await _visitor_account_owner(session, visitor_id)
        if owner in bookable and owner in members:
            return Routed(owner, [owner], f"Account owner: {inputs[owner].name}")
    if take_turn:
        turn = await routing.next_turn(session, meeting_type.org_id, _pool(meeting_type.id))
    else:
        turn = await _peek_turn(session, meeting_type.org_id, meeting_type.id)
    chosen = _in_turn(members, turn, bookable) or members[turn % len(members)]
    return Routed(
        chosen, [chosen], f"Round robin: {inputs[chosen].name if chosen in inputs else chosen}"
    )


async def next_owner(
    session: AsyncSession, actor: Authenticated, type_id: str, visitor_id: str | None, now: datetime
) -> NextOwner:
    """Who the type's routing would pick for this visitor now (the round robin not moved)."""
    meeting_type = await get_meeting_type(session, actor.org_id, type_id)
    routed = await _route(session, meeting_type, visitor_id, now, take_turn=False)
    rep = await session.get(Rep, routed.owner)
    return NextOwner(
        meeting_type_id=type_id,
        rep_id=routed.owner,
        name=rep.name if rep else None,
        reason=routed.note.split(":")[0],  # "Round robin", "Account owner", ...
    )


def offer_out(offer: MeetingOffer) -> OfferOut:
    return OfferOut(
        id=offer.id,
        meeting_type_id=offer.meeting_type_id,
        conversation_id=offer.conversation_id,
        owner_rep_id=offer.owner_rep_id,
        attendee_rep_ids=list(offer.attendee_rep_ids),
        title=offer.title,
        routing_note=offer.routing_note,
    )


async def create_offer(
    work: UnitOfWork,
    actor: Authenticated | None,
    *,
    meeting_type_id: str,
    conversation_id: str | None,
    choice: Literal["type_routing", "choose"] = "type_routing",
    owner_rep_id: str | None = None,
    with_everyone: bool = False,
    title: str | None = None,
    org_id: str | None = None,
) -> MeetingOffer:
    """The rep (or, with actor None, the bot for `org_id`) offers the booker. In a chat, the
    offer is posted as a message whose card the visitor books from."""
    session = work.session
    now = work.now_clock.now()
    org = actor.org_id if actor else org_id
    assert org is not None
    meeting_type = await get_meeting_type(session, org, meeting_type_id)
    if not meeting_type.active:
        raise ValidationFailed(f"the meeting type {meeting_type.name!r} is switched off")
    conversation: Conversation | None = None
    if conversation_id is not None:
        if actor is not None:
            conversation = await conversations.get_conversation(session, actor, conversation_id)
        else:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None or conversation.org_id != org:
                raise NotFound("conversation not found")
        if conversation.status not in conversations.OPEN_STATUSES:
            raise ValidationFailed(
                "the chat has ended; the booker can only be sent in an open chat"
            )
    visitor_id = conversation.visitor_id if conversation else None
    if choice == "type_routing":
        routed = await _route(session, meeting_type, visitor_id, now, take_turn=True)
    else:
        if owner_rep_id is None:
            raise ValidationFailed("choose the meeting owner")
        owner = await session.get(Rep, owner_rep_id)
        if owner is None or owner.org_id != org or not owner.active:
            raise ValidationFailed("the meeting owner must be an active rep of this org")
        attendees = [owner_rep_id]
        if with_everyone:
            attendees += [r for r in meeting_type.member_rep_ids if r != owner_rep_id]
        routed = Routed(
            owner_rep_id,
            attendees,
            "Schedule with everyone" if with_everyone else f"Chosen: {owner.name}",
        )
    clean_title = (title or "").strip() or meeting_type.name
    if len(clean_title) > 200:
        raise ValidationFailed("a meeting title has at most 200 characters")
    offer = MeetingOffer(
        id=new_id(),
        org_id=org,
        meeting_type_id=meeting_type.id,
        conversation_id=conversation.id if conversation else None,
        visitor_id=visitor_id,
        owner_rep_id=routed.owner,
        attendee_rep_ids=routed.attendees,
        title=clean_title,
        routing_note=routed.note,
        created_by_rep_id=actor.rep.id if actor else None,
        created_at=now,
    )
    session.add(offer)
    await session.flush()
    if conversation is not None:
        visitor = await session.get(Visitor, conversation.visitor_id)
        # In the visitor's language (features/orgs/visitor_texts.py): it is said to them.
        voice = await visitor_voice(session, conversation.org_id, conversation.visitor_id)
        await conversations.add_message(
            work,
            conversation,
            author_kind="rep" if actor else "bot",
            author_rep=actor.rep if actor else None,
            visitor=visitor,
            body=voice.say(
                "serverMeetingOffer", title=clean_title, minutes=meeting_type.duration_minutes
            ),
            meta={"meeting_offer": offer.id},
        )
    return offer


# ---- the booking card ----------------------------------------------------------------------


async def _offer(session: AsyncSession, offer_id: str) -> tuple[MeetingOffer, MeetingType]:
    offer = (
        await session.get(MeetingOffer, offer_id)
        if re.fullmatch(r"[0-9a-f]{32}", offer_id)
        else None
    )
    if offer is None:
        raise NotFound("this booking link is not valid")
    meeting_type = await session.get(MeetingType, offer.meeting_type_id)
    if meeting_type is None or not meeting_type.active:
        raise NotFound("this meeting can no longer be booked")
    return offer, meeting_type


async def _booked_meeting(session: AsyncSession, offer_id: str) -> Meeting | None:
    return (
        await session.execute(
            select(Meeting).where(Meeting.offer_id == offer_id, Meeting.status == "booked")
        )
    ).scalar_one_or_none()


async def _claimed(
    session: AsyncSession, rep_ids: Sequence[str], window: Interval
) -> dict[str, list[Interval]]:
    rows = await session.execute(
        select(MeetingClaim.rep_id, MeetingClaim.block_start).where(
            MeetingClaim.rep_id.in_(rep_ids),
            MeetingClaim.block_start >= window[0] - 86400,
            MeetingClaim.block_start < window[1] + 86400,
        )
    )
    out: dict[str, list[Interval]] = {rep_id: [] for rep_id in rep_ids}
    for rep_id, block in rows.tuples():
        out[rep_id].append((block, block + BLOCK))
    return {rep_id: merge(blocks) for rep_id, blocks in out.items()}


def _member_time(member: MemberInput, window: Interval, claimed: list[Interval]) -> MemberTime:
    end = window[1] if member.busy_until is None else min(window[1], member.busy_until)
    return MemberTime(
        rep_id=member.rep_id,
        working=expand_hours(
            member.time_zone, member.weekly_hours, member.days_off, (window[0], end)
        )
        if end > window[0]
        else [],
        busy=merge([*member.busy, *claimed]),
    )


@dataclass(frozen=True)
class Computed:
    starts: list[int]
    members: dict[str, MemberInput]
    problem: str | None  # for reps and admins


async def compute_offer_slots(
    session: AsyncSession,
    offer: MeetingOffer,
    meeting_type: MeetingType,
    now: datetime,
    fresh_busy: dict[str, list[Interval]] | None = None,
) -> Computed:
    inputs = await member_inputs(session, offer.org_id, offer.attendee_rep_ids, now)
    for rep_id in offer.attendee_rep_ids:
        member = inputs.get(rep_id)
        if member is None or member.problem is not None:
            name = member.name if member else "a member"
            return Computed([], inputs, f"{name}: {member.problem if member else 'not found'}")
    earliest = int(now.timestamp()) + meeting_type.min_notice_minutes * 60
    window = (int(now.timestamp()), int(now.timestamp()) + meeting_type.horizon_days * 86400)
    claimed = await _claimed(session, offer.attendee_rep_ids, window)
    members = []
    for rep_id in offer.attendee_rep_ids:
        member = inputs[rep_id]
        if fresh_busy is not None and rep_id in fresh_busy:
            member = dataclasses.replace(member, busy=fresh_busy[rep_id])
        members.append(_member_time(member, window, claimed[rep_id]))
    starts = offered_slots(
        members,
        duration=meeting_type.duration_minutes * 60,
        buffer_before=meeting_type.buffer_before_minutes * 60,
        buffer_after=meeting_type.buffer_after_minutes * 60,
        earliest=earliest,
        mode="all",
    )
    return Computed(starts, inputs, None)


def _days(starts: Sequence[int], duration: int, zone: ZoneInfo) -> list[DayOut]:
    days: dict[str, DayOut] = {}
    for start in starts:
        local = datetime.fromtimestamp(start, zone)
        key = local.date().isoformat()
        day = days.get(key)
        if day is None:
            day = days[key] = DayOut(
                date=key,
                label=f"{DAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}",
                slots=[],
            )
        day.slots.append(
            SlotOut(
                start=datetime.fromtimestamp(start, UTC).isoformat(),
                end=datetime.fromtimestamp(start + duration, UTC).isoformat(),
                label=f"{local:%H:%M}",
            )
        )
    return list(days.values())


async def booking_card(runtime: Runtime, offer_id: str, time_zone: str) -> BookingCard:
    check_time_zone(time_zone)
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        offer, meeting_type = await _offer(session, offer_id)
        booked = await _booked_meeting(session, offer.id)
        computed = await compute_offer_slots(session, offer, meeting_type, now)
        visitor = await session.get(Visitor, offer.visitor_id) if offer.visitor_id else None
        owner = computed.members.get(offer.owner_rep_id)
        booked_out = await meeting_out(session, booked) if booked else None
    if computed.problem:
        log.info("offer %s has no slots: %s", offer.id, computed.problem)
    return BookingCard(
        offer_id=offer.id,
        title=offer.title,
        description=meeting_type.description,
        duration_minutes=meeting_type.duration_minutes,
        location="" if "{" in meeting_type.location else meeting_type.location,
        owner_name=owner.name if owner else "",
        time_zone=time_zone,
        days=_days(computed.starts, meeting_type.duration_minutes * 60, ZoneInfo(time_zone)),
        questions=[Question(**q) for q in meeting_type.questions],
        name=visitor.name if visitor else None,
        email=visitor.email if visitor else None,
        booked=booked_out,
        problem=NOT_BOOKABLE if computed.problem else None,
    )


# ---- booking -------------------------------------------------------------------------------


def _blocks(start: int, end: int, before: int, after: int) -> range:
    first = (start - before) // BLOCK * BLOCK
    last = -(-(end + after) // BLOCK) * BLOCK
    return range(first, last, BLOCK)


def _location(meeting_type: MeetingType, meeting_id: str) -> str:
    return meeting_type.location.replace("{meeting_id}", meeting_id)


def _parse_start(value: str) -> int:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "start must be an ISO 8601 time, like 2026-03-09T14:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise ValidationFailed("start must carry its UTC offset")
    return int(moment.timestamp())


def check_email(value: str) -> str:
    value = value.strip()
    if len(value) > 320 or not EMAIL_RE.match(value):
        raise ValidationFailed(f"{value!r} is not an email address", details={"field": "email"})
    return value


async def _fresh_busy(
    runtime: Runtime, members: dict[str, MemberInput], rep_ids: Sequence[str], around: Interval
) -> dict[str, list[Interval]]:
    """Busy times read from the calendars right now around the chosen slot, so an event added
    since the last background read is not double-booked. Unreadable: refused."""
    out: dict[str, list[Interval]] = {}
    start = datetime.fromtimestamp(around[0] - 86400, UTC)
    end = datetime.fromtimestamp(around[1] + 86400, UTC)

    async def read(rep_id: str) -> None:
        member = members[rep_id]
        if member.calendar is None:
            return
        try:
            fresh = await read_busy(
                calendar_source(runtime, member.calendar),
                member.time_zone,
                start,
                end,
                allow_private=runtime.settings.allow_private_targets,
            )
        except CalendarError as error:
            raise CalendarUnavailable(
                f"{member.name}'s calendar cannot be read right now, so nothing was booked "
                f"({error})"
            ) from None
        out[rep_id] = merge([*member.busy, *fresh])

    await asyncio.gather(*(read(rep_id) for rep_id in rep_ids))
    return out


def _answers(meeting_type: MeetingType, answers: dict[str, str]) -> list[dict[str, str]]:
    out = []
    known = {q["id"]: q for q in meeting_type.questions}
    for key in answers:
        if key not in known:
            raise ValidationFailed(f"answers: {key!r} is not one of this meeting's questions")
    for question in meeting_type.questions:
        text = (answers.get(question["id"]) or "").strip()
        if len(text) > 2000:
            raise ValidationFailed(f"the answer to {question['label']!r} is too long (2,000 max)")
        if question["required"] and not text:
            raise ValidationFailed(
                f"please answer: {question['label']}", details={"field": question["id"]}
            )
        if text:
            out.append({"question": question["label"], "answer": text})
    return out


async def book(
    runtime: Runtime,
    offer_id: str,
    *,
    start: str,
    name: str,
    email: str,
    time_zone: str,
    answers: dict[str, str],
    links_base: str,
) -> MeetingOut:
    """Claim the slot for every attendee (one insert of their 5-minute blocks: the primary
    key refuses an overlap, in any process), write the event into the owner's CalDAV
    calendar, then post the confirmation in the chat and queue the invitations. A failure at
    any step leaves nothing booked."""
    check_time_zone(time_zone)
    email = check_email(email)
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "please give your name (up to 200 characters)", details={"field": "name"}
        )
    begin = _parse_start(start)
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        offer, meeting_type = await _offer(session, offer_id)
        if await _booked_meeting(session, offer.id) is not None:
            raise Conflict(
                "this meeting is already booked; use the links in your email to move or cancel it"
            )
        clean_answers = _answers(meeting_type, answers)
        duration = meeting_type.duration_minutes * 60
        inputs = await member_inputs(session, offer.org_id, offer.attendee_rep_ids, now)
        problems = [m for m in inputs.values() if m.problem]
        if problems or len(inputs) != len(offer.attendee_rep_ids):
            raise CalendarUnavailable(NOT_BOOKABLE)
    fresh = await _fresh_busy(runtime, inputs, offer.attendee_rep_ids, (begin, begin + duration))
    async with runtime.db.read() as session:
        computed = await compute_offer_slots(session, offer, meeting_type, now, fresh)
    if begin not in computed.starts:
        raise SlotTaken("that time is no longer free; please pick another")
    meeting_id = new_id()
    end = begin + duration
    before = meeting_type.buffer_before_minutes * 60
    after = meeting_type.buffer_after_minutes * 60
    try:
        async with runtime.db.transaction() as session:
            meeting = Meeting(
                id=meeting_id,
                org_id=offer.org_id,
                offer_id=offer.id,
                meeting_type_id=meeting_type.id,
                conversation_id=offer.conversation_id,
                visitor_id=offer.visitor_id,
                owner_rep_id=offer.owner_rep_id,
                attendee_rep_ids=list(offer.attendee_rep_ids),
                title=offer.title,
                location=_location(meeting_type, meeting_id),
                start_at=datetime.fromtimestamp(begin, UTC),
                end_at=datetime.fromtimestamp(end, UTC),
                buffer_before_minutes=meeting_type.buffer_before_minutes,
                buffer_after_minutes=meeting_type.buffer_after_minutes,
                visitor_name=name,
                visitor_email=email,
                visitor_time_zone=time_zone,
                answers=clean_answers,
                status="booked",
                uid=f"{meeting_id}@frontdesk",
                sequence=0,
                created_at=now,
            )
            session.add(meeting)
            await session.flush()
            session.add_all(
                MeetingClaim(rep_id=rep_id, block_start=block, meeting_id=meeting_id)
                for rep_id in offer.attendee_rep_ids
                for block in _blocks(begin, end, before, after)
            )
            await session.flush()
    except IntegrityError:
        raise SlotTaken("that time was just taken; please pick another") from None
    owner = inputs[offer.owner_rep_id]
    try:
        await _write_to_calendar(runtime, meeting_id, owner)
    except CalendarError as error:
        async with runtime.db.transaction() as session:
            await session.execute(delete(MeetingClaim).where(MeetingClaim.meeting_id == meeting_id))
            await session.execute(delete(Meeting).where(Meeting.id == meeting_id))
        raise CalendarUnavailable(
            f"the meeting could not be added to {owner.name}'s calendar, so nothing was "
            f"booked ({error})"
        ) from None
    async with runtime.uow() as work:
        meeting_row = await work.session.get(Meeting, meeting_id)
        assert meeting_row is not None
        # An anonymous visitor just told us who they are (as an offline message does): an
        # unverified claim, never attached to a contact.
        visitor = await work.session.get(Visitor, offer.visitor_id) if offer.visitor_id else None
        if visitor is not None and visitor.identity_status == "anonymous":
            visitor.identity_status = "unverified"
            visitor.email, visitor.name = email, name
        await _announce(work, meeting_row, "booked", links_base)
        return await meeting_out(work.session, meeting_row)


async def _details(session: AsyncSession, meeting: Meeting, now: datetime) -> EventDetails:
    reps = {
        rep.id: rep
        for rep in (
            await session.execute(select(Rep).where(Rep.id.in_(meeting.attendee_rep_ids)))
        ).scalars()
    }
    people = [Person(reps[r].name, reps[r].email) for r in meeting.attendee_rep_ids if r in reps]
    owner = reps.get(meeting.owner_rep_id or "")
    organizer = Person(owner.name, owner.email) if owner else people[0]
    hours = (
        await session.get(RepAvailability, meeting.owner_rep_id) if meeting.owner_rep_id else None
    )
    meeting_type = (
        await session.get(MeetingType, meeting.meeting_type_id) if meeting.meeting_type_id else None
    )
    description = [meeting_type.description] if meeting_type and meeting_type.description else []
    description += [f"{a['question']}\n{a['answer']}" for a in meeting.answers]
    return EventDetails(
        uid=meeting.uid,
        sequence=meeting.sequence,
        title=meeting.title,
        description="\n\n".join(description),
        location=meeting.location,
        start=meeting.start_at,
        end=meeting.end_at,
        time_zone=hours.time_zone if hours else "UTC",
        organizer=organizer,
        reps=people,
        visitor=Person(meeting.visitor_name, meeting.visitor_email),
        cancelled=meeting.status == "cancelled",
        stamp=now,
    )


async def _write_to_calendar(runtime: Runtime, meeting_id: str, owner: MemberInput) -> None:
    """Create or update the event in the owner's CalDAV calendar (a feed is read only)."""
    if owner.calendar is None or owner.calendar.kind != "caldav":
        return
    async with runtime.db.read() as session:
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
        details = await _details(session, meeting, runtime.clock.now())
    source = calendar_source(runtime, owner.calendar)
    href = meeting.caldav_href or event_href(source, meeting.uid)
    await put_event(
        source,
        href,
        build_calendar(details, None),
        allow_private=runtime.settings.allow_private_targets,
    )
    if meeting.caldav_href != href:
        async with runtime.db.transaction() as session:
            row = await session.get(Meeting, meeting_id)
            if row is not None:
                row.caldav_href = href


def _when(meeting: Meeting, zone_name: str) -> str:
    zone = ZoneInfo(zone_name)
    start = meeting.start_at.astimezone(zone)
    end = meeting.end_at.astimezone(zone)
    return (
        f"{DAY_NAMES[start.weekday()]} {start.day} {MONTH_NAMES[start.month - 1]} "
        f"{start.year}, {start:%H:%M}-{end:%H:%M} ({zone_name})"
    )


async def _announce(
    work: UnitOfWork,
    meeting: Meeting,
    what: Literal["booked", "cancelled", "rescheduled"],
    links_base: str,
) -> None:
    """The confirmation in the chat (both sides see it) and the invitation emails."""
    now = work.now_clock.now()
    if meeting.conversation_id:
        conversation = await work.session.get(Conversation, meeting.conversation_id)
        if conversation is not None:
            visitor = await work.session.get(Visitor, conversation.visitor_id)
            # In the visitor's language and time zone (features/orgs/visitor_texts.py).
            voice = await visitor_voice(work.session, conversation.org_id, conversation.visitor_id)
            key = {
                "booked": "serverMeetingBooked",
                "cancelled": "serverMeetingCancelled",
                "rescheduled": "serverMeetingMoved",
            }[what]
            when = meeting_time(
                voice.language, meeting.start_at, meeting.end_at, meeting.visitor_time_zone
            )
            body = voice.say(key, title=meeting.title, when=when, email=meeting.visitor_email)
            await conversations.add_message(
                work,
                conversation,
                author_kind="system",
                visitor=visitor,
                body=body,
                meta={"meeting_booked": meeting.id},
            )
    await schedule(
        work.session,
        kind=KIND_MEETING_EMAIL,
        subject_id=f"{meeting.id}.{meeting.sequence}",
        due_at=now,
        now=now,
        org_id=meeting.org_id,
        payload={
            "meeting_id": meeting.id,
            "method": "CANCEL" if what == "cancelled" else "REQUEST",
            "links_base": links_base,
        },
    )
    work.after_commit.append(work.runtime.sweeper.poke)


async def meeting_out(session: AsyncSession, meeting: Meeting) -> MeetingOut:
    owner = await session.get(Rep, meeting.owner_rep_id) if meeting.owner_rep_id else None
    return _meeting_out(meeting, owner.name if owner else None)


def _meeting_out(meeting: Meeting, owner_name: str | None) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        meeting_type_id=meeting.meeting_type_id,
        conversation_id=meeting.conversation_id,
        visitor_id=meeting.visitor_id,
        owner_rep_id=meeting.owner_rep_id,
        owner_name=owner_name,
        attendee_rep_ids=list(meeting.attendee_rep_ids),
        start=meeting.start_at.isoformat(),
        end=meeting.end_at.isoformat(),
        location=meeting.location,
        visitor_name=meeting.visitor_name,
        visitor_email=meeting.visitor_email,
        visitor_time_zone=meeting.visitor_time_zone,
        status=meeting.status,
        answers=[Answer(**a) for a in meeting.answers],
    )


async def meetings_out(session: AsyncSession, rows: Sequence[Meeting]) -> list[MeetingOut]:
    """Two queries for any number of meetings."""
    owner_ids = {m.owner_rep_id for m in rows if m.owner_rep_id}
    names: dict[str, str] = {}
    if owner_ids:
        names = dict(
            (await session.execute(select(Rep.id, Rep.name).where(Rep.id.in_(owner_ids))))
            .tuples()
            .all()
        )
    return [_meeting_out(m, names.get(m.owner_rep_id or "")) for m in rows]


# ---- cancelling and rescheduling (signed links in the visitor's email) -----------------------


async def _signed_meeting(
    session: AsyncSession, runtime: Runtime, meeting_id: str, action: str, signature: str
) -> Meeting:
    meeting = (
        await session.get(Meeting, meeting_id)
        if re.fullmatch(r"[0-9a-f]{32}", meeting_id)
        else None
    )
    if meeting is None or not link_signature_valid(
        runtime.settings.secret_keys, meeting_id, action, signature
    ):
        raise NotFound("this link is not valid")
    return meeting


async def signed_meeting(
    runtime: Runtime, meeting_id: str, action: str, signature: str
) -> MeetingOut:
    async with runtime.db.read() as session:
        return await meeting_out(
            session, await _signed_meeting(session, runtime, meeting_id, action, signature)
        )


async def cancel_meeting(
    runtime: Runtime, meeting_id: str, signature: str, links_base: str
) -> MeetingOut:
    """Cancel through the visitor's signed link: the time is freed, the event in the owner's
    calendar is marked cancelled, everyone gets METHOD:CANCEL with the same UID."""
    async with runtime.uow() as work:
        meeting = await _signed_meeting(work.session, runtime, meeting_id, "cancel", signature)
        if meeting.status == "cancelled":
            return await meeting_out(work.session, meeting)
        meeting.status = "cancelled"
        meeting.cancelled_at = work.now_clock.now()
        meeting.sequence += 1
        await work.session.execute(
            delete(MeetingClaim).where(MeetingClaim.meeting_id == meeting.id)
        )
        await _announce(work, meeting, "cancelled", links_base)
        out = await meeting_out(work.session, meeting)
        owner_id = meeting.owner_rep_id
        org_id = meeting.org_id
    if owner_id:
        async with runtime.db.read() as session:
            members = await member_inputs(session, org_id, [owner_id], runtime.clock.now())
        owner = members.get(owner_id)
        if owner is not None:
            try:
                await _write_to_calendar(runtime, meeting_id, owner)
            except CalendarError as error:
                # The cancellation stands (the visitor asked for it; the invitees are told);
                # the calendar's copy is corrected on the owner's side.
                log.warning(
                    "could not mark meeting %s cancelled in the calendar: %s", meeting_id, error
                )
    return out


async def reschedule_card(runtime: Runtime, meeting_id: str, signature: str) -> BookingCard:
    async with runtime.db.read() as session:
        meeting = await _signed_meeting(session, runtime, meeting_id, "reschedule", signature)
        if meeting.offer_id is None:
            raise NotFound("this meeting can no longer be moved")
        offer_id, zone = meeting.offer_id, meeting.visitor_time_zone
    card = await booking_card(runtime, offer_id, zone)
    return card.model_copy(update={"booked": None})


async def reschedule_meeting(
    runtime: Runtime, meeting_id: str, signature: str, start: str, links_base: str
) -> MeetingOut:
    """Move a booked meeting: the new time is claimed before the old one is let go (in one
    transaction), the calendar event is updated, and everyone gets an updated REQUEST (same
    UID, higher SEQUENCE)."""
    begin = _parse_start(start)
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        meeting = await _signed_meeting(session, runtime, meeting_id, "reschedule", signature)
        if meeting.status != "booked" or meeting.offer_id is None:
            raise ValidationFailed("this meeting was cancelled; book a new one from the chat")
        offer, meeting_type = await _offer(session, meeting.offer_id)
        inputs = await member_inputs(session, offer.org_id, meeting.attendee_rep_ids, now)
        if any(m.problem for m in inputs.values()):
            raise CalendarUnavailable(NOT_BOOKABLE)
    duration = int((meeting.end_at - meeting.start_at).total_seconds())
    fresh = await _fresh_busy(runtime, inputs, meeting.attendee_rep_ids, (begin, begin + duration))
    async with runtime.db.transaction() as session:
        # Its own claims do not count against the new time.
        await session.execute(delete(MeetingClaim).where(MeetingClaim.meeting_id == meeting_id))
        computed = await compute_offer_slots(session, offer, meeting_type, now, fresh)
        if begin not in computed.starts:
            raise SlotTaken("that time is no longer free; please pick another")
        try:
            async with session.begin_nested():
                session.add_all(
                    MeetingClaim(rep_id=rep_id, block_start=block, meeting_id=meeting_id)
                    for rep_id in meeting.attendee_rep_ids
                    for block in _blocks(
                        begin,
                        begin + duration,
                        meeting.buffer_before_minutes * 60,
                        meeting.buffer_after_minutes * 60,
                    )
                )
        except IntegrityError:
            raise SlotTaken("that time was just taken; please pick another") from None
        row = await session.get(Meeting, meeting_id)
        assert row is not None
        row.start_at = datetime.fromtimestamp(begin, UTC)
        row.end_at = datetime.fromtimestamp(begin + duration, UTC)
        row.sequence += 1
    owner = inputs.get(meeting.owner_rep_id or "")
    if owner is not None:
        try:
            await _write_to_calendar(runtime, meeting_id, owner)
        except CalendarError as error:
            log.warning("could not move meeting %s in the calendar: %s", meeting_id, error)
    async with runtime.uow() as work:
        row = await work.session.get(Meeting, meeting_id)
        assert row is not None
        await _announce(work, row, "rescheduled", links_base)
        return await meeting_out(work.session, row)


# ---- the invitation emails -----------------------------------------------------------------


def _links(runtime: Runtime, base: str, meeting_id: str) -> tuple[str, str]:
    secret = runtime.settings.secret_key
    return (
        f"{base}/meetings/{meeting_id}/cancel?s={link_signature(secret, meeting_id, 'cancel')}",
        f"{base}/meetings/{meeting_id}/reschedule?s={link_signature(secret, meeting_id, 'reschedule')}",
    )


async def on_meeting_email(runtime: Runtime, deadline: DueDeadline) -> None:
    """Send the invitation (or cancellation) to the visitor and to the reps. An SMTP error
    leaves the deadline to be tried again."""
    payload = deadline.payload
    method = str(payload["method"])
    async with runtime.db.read() as session:
        meeting = await session.get(Meeting, str(payload["meeting_id"]))
        if meeting is None:
            return
        if method == "REQUEST" and meeting.status != "booked":
            return  # cancelled before its invitation went out
        org = await session.get(Org, meeting.org_id)
        details = await _details(session, meeting, runtime.clock.now())
    smtp_url = runtime.settings.smtp_url
    if not smtp_url:
        log.warning("meeting %s: no FRONTDESK_SMTP_URL, invitations not emailed", meeting.id)
        return
    company = org.name if org else "Frontdesk"
    cancel_link, reschedule_link = _links(runtime, str(payload.get("links_base") or ""), meeting.id)
    cancelled = method == "CANCEL"
    prefix = "Cancelled" if cancelled else "Invitation"
    visitor_text = (
        f"Hello {meeting.visitor_name},\n\n"
        + (
            f"your meeting with {company} was cancelled:\n\n"
            if cancelled
            else f"your meeting with {company} is booked:\n\n"
        )
        + f"{meeting.title}\n{_when(meeting, meeting.visitor_time_zone)}\n"
        + (f"Where: {meeting.location}\n" if meeting.location else "")
        + f"With: {', '.join(p.name for p in details.reps)}\n"
        + (
            ""
            if cancelled
            else f"\nNeed another time? {reschedule_link}\nCan't make it? {cancel_link}\n"
        )
    )
    rep_text = (
        f"{meeting.visitor_name} <{meeting.visitor_email}> "
        + ("cancelled" if cancelled else "booked")
        + f" {meeting.title}:\n{_when(meeting, details.time_zone)}\n"
        + "".join(f"\n{a['question']}\n{a['answer']}\n" for a in meeting.answers)
    )
    messages = [
        invitation_email(
            details=details,
            method=method,
            mail_from=runtime.settings.mail_from,
            to=[details.visitor],
            subject=f"{prefix}: {meeting.title} ({_when(meeting, meeting.visitor_time_zone)})",
            text=visitor_text,
        ),
        invitation_email(
            details=details,
            method=method,
            mail_from=runtime.settings.mail_from,
            to=list(details.reps),
            subject=f"{prefix}: {meeting.title} with {meeting.visitor_name}",
            text=rep_text,
        ),
    ]
    for message in messages:
        await asyncio.to_thread(send_mail, smtp_url, message)


# ---- lists ---------------------------------------------------------------------------------


async def meetings_for_visitor(
    session: AsyncSession, org_id: str, visitor_id: str
) -> list[MeetingOut]:
    rows = await session.execute(
        select(Meeting)
        .where(Meeting.org_id == org_id, Meeting.visitor_id == visitor_id)
        .order_by(Meeting.start_at.desc())
        .limit(50)
    )
    return await meetings_out(session, list(rows.scalars()))


async def meetings_for_visitors(
    session: AsyncSession, org_id: str, visitor_ids: Any, limit: int = 50
) -> list[MeetingOut]:
    """Meetings booked by any of these visitors (a list, or a subquery of ids), the latest
    start first (Account 360)."""
    rows = await session.execute(
        select(Meeting)
        .where(Meeting.org_id == org_id, Meeting.visitor_id.in_(visitor_ids))
        .order_by(Meeting.start_at.desc())
        .limit(limit)
    )
    return await meetings_out(session, list(rows.scalars()))


async def meetings_for_conversation(
    session: AsyncSession, org_id: str, conversation_id: str
) -> list[MeetingOut]:
    rows = await session.execute(
        select(Meeting)
        .where(Meeting.org_id == org_id, Meeting.conversation_id == conversation_id)
        .order_by(Meeting.start_at)
    )
    return await meetings_out(session, list(rows.scalars()))


async def upcoming_for_rep(
    session: AsyncSession, actor: Authenticated, now: datetime
) -> list[MeetingOut]:
    """The rep's booked meetings from now on (as owner or attendee), soonest first."""
    mine = select(MeetingClaim.meeting_id).where(MeetingClaim.rep_id == actor.rep.id)
    rows = await session.execute(
        select(Meeting)
        .where(
            Meeting.org_id == actor.org_id,
            Meeting.status == "booked",
            Meeting.end_at >= now,
            Meeting.id.in_(mine),
        )
        .order_by(Meeting.start_at)
        .limit(100)
    )
    return await meetings_out(session, list(rows.scalars()))
