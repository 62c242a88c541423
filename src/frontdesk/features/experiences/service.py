"""The inbound-chat experience a visitor lives through after asking to chat.

Timeline (each step a durable deadline, so it survives restarts and fires once):
  0 s          routed reps are alerted with a countdown (the rep window)
  rep window   nobody joined: the bot greets the visitor
  rep joins    hand-off message ("Dana joined the chat")
  timeout      nobody joined within the org's limit: timeout message; the chat moves to Recent
               as missed
Nobody available at all: the offline message and form; what the visitor leaves is emailed to
the routed reps.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import FrontdeskError, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import conversations, meetings, staffing
from frontdesk.features.conversations import edit_meta
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.experiences.events import ExperiencesChanged
from frontdesk.features.experiences.models import Experience, OfflineMessage
from frontdesk.features.experiences.schemas import ExperienceOut
from frontdesk.features.meetings.models import MeetingType
from frontdesk.features.orgs import VisitorVoice
from frontdesk.features.orgs.models import Rep
from frontdesk.features.visitors import latest_visit, visitor_voice
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.runtime import Runtime, UnitOfWork, visitors_topic

log = logging.getLogger("frontdesk.experiences")

KIND_REP_WINDOW = "conversation.rep_window"
KIND_OFFLINE_EMAIL = "offline_message.email"
# Run (work, conversation) when an inbound chat finds nobody to take it now: outside business
# hours, everyone at capacity (queued), nobody available (the offline form), or the rep window
# ended with nobody accepting. The bot may answer from the knowledge (features/copilot).
NOBODY_AVAILABLE_HOOK = "conversation.nobody_available"

DEFAULTS: dict[str, Any] = {
    "name": "Default inbound chat",
    "rep_window_seconds": 20,
    "bot_greeting": "Thanks for reaching out! A member of our team will be with you shortly. While you wait, what can we help you with?",
    "ask_identity": False,
    "identity_prompt": "So we can follow up if we get disconnected, what's your name and email?",
    "handoff_message": "{rep.first_name} from our team joined the chat.",
    "timeout_seconds": 300,
    "timeout_message": "Sorry, everyone on our team is busy right now. Leave your email and we'll get back to you soon.",
    "offline_message": "We're offline right now. Leave us a message and your email, and we'll get back to you.",
    "booker_meeting_type_id": None,
}
EDITABLE = set(DEFAULTS)
# An experience's text still at its default is said in the visitor's language with this
# messenger text (features/orgs/visitor_texts.py); a text the admin wrote is said as written.
DEFAULT_TEXT_KEYS = {
    "bot_greeting": "serverGreeting",
    "identity_prompt": "serverIdentity",
    "timeout_message": "serverTimeout",
    "offline_message": "serverOffline",
}


def said(voice: VisitorVoice, experience: Experience, field: str) -> str:
    """An experience's text for this visitor: as the admin wrote it, or, still the default,
    the default in the visitor's language (with the org's wording of it)."""
    text = str(getattr(experience, field))
    return voice.say(DEFAULT_TEXT_KEYS[field]) if text == DEFAULTS[field] else text


async def _voice(work: UnitOfWork, conversation: Conversation) -> VisitorVoice:
    return await visitor_voice(work.session, conversation.org_id, conversation.visitor_id)


async def default_experience(session: AsyncSession, org_id: str, now: Any) -> Experience:
    query = select(Experience).where(Experience.org_id == org_id, Experience.is_default.is_(True))
    experience = (await session.execute(query)).scalar_one_or_none()
    if experience is None:
        candidate = Experience(
            id=new_id(), org_id=org_id, is_default=True, created_at=now, **DEFAULTS
        )
        try:
            async with session.begin_nested():  # another process may be creating it right now
                session.add(candidate)
        except IntegrityError:
            pass
        experience = (await session.execute(query)).scalar_one()
    return experience


# The experience a segment names, if any: `segments.experience_of`. Segments import this
# feature (a segment may name only one of its org's experiences), so app.py hands the lookup
# to the hook below instead of this feature importing segments: features/ stays acyclic
# (docs/architecture.md, "Layout").
SegmentExperience = Callable[[AsyncSession, str], Awaitable[str | None]]


async def experience_for_visit(
    session: AsyncSession,
    org_id: str,
    visit: Visit | None,
    now: Any,
    segment_experience: SegmentExperience,
) -> Experience:
    if visit is not None and visit.segment_id:
        experience_id = await segment_experience(session, visit.segment_id)
        if experience_id:
            experience = await session.get(Experience, experience_id)
            if experience is not None:
                return experience
    return await default_experience(session, org_id, now)


def validate_experience(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationFailed(f"unknown experience settings: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("rep_window_seconds", "timeout_seconds"):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
                raise ValidationFailed(f"{key} must be a whole number of seconds from 1 to 3600")
        elif key == "ask_identity":
            if not isinstance(value, bool):
                raise ValidationFailed("ask_identity must be true or false")
        elif key == "booker_meeting_type_id":
            # "" (or None): no booker
            if value in ("", None):
                value = None
            elif not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{32}", value):
                raise ValidationFailed("booker_meeting_type_id must be a meeting type's id or ''")
        elif not isinstance(value, str) or not value.strip() or len(value) > 2000:
            raise ValidationFailed(f"{key} must be a text of 1 to 2000 characters")
        cleaned[key] = value
    if (
        cleaned.get("rep_window_seconds", 0)
        and cleaned.get("timeout_seconds", 10**6) <= cleaned["rep_window_seconds"]
    ):
        raise ValidationFailed("timeout_seconds must be longer than rep_window_seconds")
    return cleaned


def experience_out(experience: Experience) -> ExperienceOut:
    return ExperienceOut(
        id=experience.id,
        is_default=experience.is_default,
        **{k: getattr(experience, k) for k in DEFAULTS},
    )


async def get_experience(session: AsyncSession, org_id: str, experience_id: str) -> Experience:
    experience = await session.get(Experience, experience_id)
    if experience is None or experience.org_id != org_id:
        raise NotFound("experience not found")
    return experience


async def list_experiences(session: AsyncSession, org_id: str, now: Any) -> list[ExperienceOut]:
    """The org's experiences, the default first (created if the org has none yet)."""
    await default_experience(session, org_id, now)
    rows = await session.execute(
        select(Experience)
        .where(Experience.org_id == org_id)
        .order_by(Experience.is_default.desc(), Experience.name)
    )
    return [experience_out(e) for e in rows.scalars()]


async def _check_booker(session: AsyncSession, org_id: str, values: dict[str, Any]) -> None:
    type_id = values.get("booker_meeting_type_id")
    if type_id:
        meeting_type = await session.get(MeetingType, type_id)
        if meeting_type is None or meeting_type.org_id != org_id:
            raise ValidationFailed("booker_meeting_type_id: meeting type not found")


async def create_experience(
    session: AsyncSession, org_id: str, values: dict[str, Any], now: Any
) -> ExperienceOut:
    """A new experience from an admin's settings (a name required; the rest defaults)."""
    values = validate_experience(values)
    await _check_booker(session, org_id, values)
    if "name" not in values:
        raise ValidationFailed("an experience needs a name")
    experience = Experience(
        id=new_id(),
        org_id=org_id,
        is_default=False,
        created_at=now,
        **{**DEFAULTS, **values},
    )
    session.add(experience)
    await session.flush()
    return experience_out(experience)


async def update_experience(
    session: AsyncSession, org_id: str, experience_id: str, values: dict[str, Any]
) -> ExperienceOut:
    values = validate_experience(values)
    await _check_booker(session, org_id, values)
    experience = await get_experience(session, org_id, experience_id)
    merged = {**experience_out(experience).model_dump(), **values}
    if merged["timeout_seconds"] <= merged["rep_window_seconds"]:
        raise ValidationFailed("timeout_seconds must be longer than rep_window_seconds")
    for key, value in values.items():
        setattr(experience, key, value)
    return experience_out(experience)


async def delete_experience(session: AsyncSession, org_id: str, experience_id: str) -> None:
    """Its segments fall back to the default, which cannot be deleted."""
    experience = await get_experience(session, org_id, experience_id)
    if experience.is_default:
        raise ValidationFailed("the default experience cannot be deleted")
    await session.delete(experience)


async def experiences_changed(runtime: Runtime, org_id: str) -> None:
    """After an experience was created, changed or deleted (committed): every process drops
    its cached copy of the org's experience names (transport/visitor_registry.py)."""
    await runtime.publish([visitors_topic(org_id)], ExperiencesChanged())


def _first_name(name: str) -> str:
    return name.split()[0] if name.strip() else name


# ---- hooks into conversations --------------------------------------------------------------


# The visit's segment's routing, again now, skipping the reps given (`segments.route_for_chat`,
# handed over by app.py like SegmentExperience): (rep ids, reason), or None without a segment.
RouteForChat = Callable[[AsyncSession, Visit, set[str]], Awaitable[tuple[list[str], str] | None]]


async def on_inbound_created(
    work: UnitOfWork,
    conversation: Conversation,
    visitor: Visitor,
    *,
    segment_experience: SegmentExperience,
    route_for_chat: RouteForChat | None = None,
) -> None:
    """A visitor asked to chat: apply routing and the experience (the one their segment names,
    else the default), and start the timeline, unless the team is outside business hours
    (the away experience) or every rep is at capacity (the queue, or the offline form)."""
    now = work.now_clock.now()
    visit = await latest_visit(work.session, visitor.id)
    experience = await experience_for_visit(
        work.session, conversation.org_id, visit, now, segment_experience
    )
    with edit_meta(conversation) as meta:
        meta.experience_id = experience.id
        meta.experience_name = experience.name
    outcome = await _offer(
        work, conversation, visitor, visit, experience, route_for_chat, queued=False
    )
    if outcome in ("away", "queued", "offline"):
        await work.run_hooks(NOBODY_AVAILABLE_HOOK, conversation)


async def _offer(
    work: UnitOfWork,
    conversation: Conversation,
    visitor: Visitor,
    visit: Visit | None,
    experience: Experience,
    route_for_chat: RouteForChat | None,
    *,
    queued: bool,
) -> str:
    """Routes the chat now and starts what follows: "offered" (reps alerted, the rep window
    runs), "away" (outside hours), "queued" (every rep at capacity; a chat already queued
    stays where it is), "offline" (nobody available)."""
    now = work.now_clock.now()
    session = work.session
    gate = await staffing.gate_for_chat(session, conversation.org_id, now)
    routed_ids = list(visit.routed_rep_ids or []) if visit else []
    reason = visit.routing_reason if visit else None
    unavailable = gate.unavailable
    if unavailable and route_for_chat is not None and visit is not None:
        rerouted = await route_for_chat(session, visit, unavailable)
        if rerouted is not None:
            routed_ids, reason = rerouted
    reps = list(
        (
            await session.execute(
                select(Rep).where(Rep.org_id == conversation.org_id, Rep.active.is_(True))
            )
        ).scalars()
    )
    candidates = [r for r in reps if not routed_ids or r.id in routed_ids]
    candidate_ids = [r.id for r in candidates]
    on_duty = [
        r for r in candidates if r.availability == "available" and r.id not in gate.hours.off_reps
    ]
    outside_hours = gate.hours.configured and (
        gate.hours.org_closed
        or (bool(candidates) and all(r.id in gate.hours.off_reps for r in candidates))
    )
    limited = gate.load.limits.any
    with_room = [r for r in on_duty if not gate.load.full(r.id)]
    overflow = False
    if limited and on_duty and not outside_hours:
        rooms = [gate.load.room(r.id) for r in with_room]
        free = None if any(room is None for room in rooms) else sum(r or 0 for r in rooms)
        pending = (
            await staffing.pending_offers(
                session, conversation.org_id, {r.id for r in with_room}, conversation.id
            )
            if free is not None
            else 0
        )
        overflow = not with_room or (free is not None and pending >= free)
    if overflow and gate.load.limits.overflow == "queue":
        if queued:
            return "queued"  # still nobody with room: it keeps its place
        await staffing.enqueue(work, conversation)
        conversation.routed_rep_ids = [r.id for r in on_duty]
        conversation.routing_reason = (reason or "") + " (everyone at capacity: queued)"
        due = staffing.queue_deadline(gate.load.limits, now)
        with edit_meta(conversation) as meta:
            meta.timeout_at = due
            meta.offline = False
        await _schedule_timeout(work, conversation, due)
        voice = await _voice(work, conversation)
        place = (await staffing.queued_ids(session, conversation.org_id)).index(conversation.id)
        await conversations.add_message(
            work,
            conversation,
            author_kind="bot",
            body=f"{voice.say('serverQueued')} {voice.say('queuePlace', n=place + 1)}",
        )
        await staffing.announce_positions(work, conversation.org_id)
        return "queued"
    if queued and not await staffing.dequeue(work, conversation):
        return "gone"
    conversation.routed_rep_ids = (
        [r.id for r in with_room]
        if (limited or gate.hours.configured) and with_room
        else routed_ids
    )
    conversation.routing_reason = reason
    timeout_at = now + timedelta(seconds=experience.timeout_seconds)
    if outside_hours:
        back = gate.hours.back_at(candidate_ids)
        hours = gate.hours.away_hours(candidate_ids)
        booker = hours.booker_meeting_type_id if hours and hours.away_mode == "booker" else None
        if back is not None:
            timeout_at = back + timedelta(seconds=experience.timeout_seconds)
            await deadlines.schedule(
                session,
                kind=staffing.KIND_HOURS_REOPEN,
                subject_id=conversation.id,
                due_at=back,
                now=now,
                org_id=conversation.org_id,
            )
        with edit_meta(conversation) as meta:
            meta.away_until = back
            meta.offline = booker is None
            meta.timeout_at = timeout_at
            meta.rep_window_ends_at = None
        await _schedule_timeout(work, conversation, timeout_at)
        voice = await _voice(work, conversation)
        away = hours.away_message if hours else staffing.DEFAULT_AWAY_MESSAGE
        body = voice.say("serverAway") if away == staffing.DEFAULT_AWAY_MESSAGE else away
        if back is not None:
            zone = ZoneInfo(hours.time_zone) if hours else ZoneInfo("UTC")
            body += " " + voice.say("backAt", when=voice.when_back(back, zone, now))
        await conversations.add_message(work, conversation, author_kind="bot", body=body)
        if booker and conversation.origin == "inbound":
            await _offer_booker(work, conversation, booker)
        return "away"
    await _schedule_timeout(work, conversation, timeout_at)
    with edit_meta(conversation) as meta:
        meta.timeout_at = timeout_at
        meta.offline = not on_duty or overflow
        meta.away_until = None
    if not on_duty or overflow:
        voice = await _voice(work, conversation)
        await conversations.add_message(
            work, conversation, author_kind="bot", body=said(voice, experience, "offline_message")
        )
        return "offline"
    if queued:
        voice = await _voice(work, conversation)
        await conversations.add_message(
            work, conversation, author_kind="bot", body=voice.say("serverReleased")
        )
    window_ends = now + timedelta(seconds=experience.rep_window_seconds)
    with edit_meta(conversation) as meta:
        meta.rep_window_ends_at = window_ends
    await deadlines.schedule(
        session,
        kind=KIND_REP_WINDOW,
        subject_id=conversation.id,
        due_at=window_ends,
        now=now,
        org_id=conversation.org_id,
    )
    if (
        experience.ask_identity
        and visitor.identity_status == "anonymous"
        and not conversation.meta.ask_identity
    ):
        with edit_meta(conversation) as meta:
            meta.ask_identity = True
        voice = await _voice(work, conversation)
        await conversations.add_message(
            work, conversation, author_kind="bot", body=said(voice, experience, "identity_prompt")
        )
    return "offered"


async def _schedule_timeout(work: UnitOfWork, conversation: Conversation, due: Any) -> None:
    await deadlines.schedule(
        work.session,
        kind=conversations.KIND_INCOMING_TIMEOUT,
        subject_id=conversation.id,
        due_at=due,
        now=work.now_clock.now(),
        org_id=conversation.org_id,
    )


async def _offer_booker(work: UnitOfWork, conversation: Conversation, type_id: str) -> None:
    try:
        async with work.session.begin_nested():
            await meetings.create_offer(
                work,
                None,
                org_id=conversation.org_id,
                meeting_type_id=type_id,
                conversation_id=conversation.id,
            )
    except FrontdeskError as error:  # the type was switched off or deleted meanwhile
        log.warning("no booker offered in %s: %s", conversation.id, error.message)


async def _experience_of(work: UnitOfWork, conversation: Conversation) -> Experience:
    experience = await work.session.get(Experience, conversation.meta.experience_id or "")
    if experience is None:
        experience = await default_experience(
            work.session, conversation.org_id, work.now_clock.now()
        )
    return experience


async def release_queue(
    work: UnitOfWork, org_id: str, *, route_for_chat: RouteForChat | None = None
) -> None:
    """Offers queued chats, first in first out, while reps have room; tells the rest their
    new place. Run when a chat ends, a limit is raised or a rep becomes Available."""
    if not await staffing.queued_ids(work.session, org_id):
        return
    await staffing.lock_org_queue(work.session, org_id)
    released: list[Conversation] = []
    for conversation_id in await staffing.queued_ids(work.session, org_id):
        conversation = await work.session.get(Conversation, conversation_id)
        visitor = await work.session.get(Visitor, conversation.visitor_id) if conversation else None
        if conversation is None or visitor is None or conversation.status != "incoming":
            if conversation is not None:
                await staffing.dequeue(work, conversation)
            continue
        visit = await latest_visit(work.session, visitor.id)
        experience = await _experience_of(work, conversation)
        outcome = await _offer(
            work, conversation, visitor, visit, experience, route_for_chat, queued=True
        )
        if outcome == "queued":
            break
        released.append(conversation)
    for conversation in released:
        await conversations.emit_conversation_changed(work, conversation)
    await staffing.announce_positions(work, org_id)


async def on_capacity_changed(
    work: UnitOfWork, org_id: str, *, route_for_chat: RouteForChat | None = None
) -> None:
    await release_queue(work, org_id, route_for_chat=route_for_chat)


async def on_rep_status_changed(
    work: UnitOfWork, rep: Rep, *, route_for_chat: RouteForChat | None = None
) -> None:
    if rep.availability == "available":
        await release_queue(work, rep.org_id, route_for_chat=route_for_chat)


async def on_hours_reopen(
    runtime: Runtime, deadline: DueDeadline, route_for_chat: RouteForChat | None = None
) -> None:
    """The team is back: a chat still waiting from outside hours starts its timeline again
    (reps alerted, the rep window's countdown), or waits again (a holiday, everyone busy)."""
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if (
            conversation is None
            or conversation.status != "incoming"
            or conversation.meta.away_until is None
        ):
            return
        visitor = await work.session.get(Visitor, conversation.visitor_id)
        if visitor is None:
            return
        with edit_meta(conversation) as meta:
            meta.away_until = None
            meta.offline = False
            meta.bot_greeted = False
        visit = await latest_visit(work.session, visitor.id)
        experience = await _experience_of(work, conversation)
        await _offer(work, conversation, visitor, visit, experience, route_for_chat, queued=False)
        await conversations.emit_conversation_changed(work, conversation)
    runtime.sweeper.poke()


async def on_accepted(work: UnitOfWork, conversation: Conversation, rep: Rep) -> None:
    now = work.now_clock.now()
    await deadlines.cancel(work.session, kind=KIND_REP_WINDOW, subject_id=conversation.id, now=now)
    experience_id = conversation.meta.experience_id
    experience = await work.session.get(Experience, experience_id) if experience_id else None
    if experience is None:
        experience = await default_experience(work.session, conversation.org_id, now)
    if experience.handoff_message == DEFAULTS["handoff_message"]:
        voice = await _voice(work, conversation)
        text = voice.say("serverHandoff", name=_first_name(rep.name))
    else:
        text = experience.handoff_message.replace(
            "{rep.first_name}", _first_name(rep.name)
        ).replace("{rep.name}", rep.name)
    await conversations.add_message(work, conversation, author_kind="system", body=text)


async def on_closed(
    work: UnitOfWork, conversation: Conversation, *, route_for_chat: RouteForChat | None = None
) -> None:
    now = work.now_clock.now()
    await deadlines.cancel(work.session, kind=KIND_REP_WINDOW, subject_id=conversation.id, now=now)
    await deadlines.cancel(
        work.session, kind=staffing.KIND_HOURS_REOPEN, subject_id=conversation.id, now=now
    )
    # A rep's chat ended, or a queued one left: someone in the queue may be next.
    left_queue = await staffing.dequeue(work, conversation)
    if left_queue or conversation.owner_rep_id is not None:
        await release_queue(work, conversation.org_id, route_for_chat=route_for_chat)


# With the visitor's email known, "serverTimeoutEmail" is said instead of the experience's timeout
# message: that message asks for one ("Leave your email..."), and asking again for what the
# visitor gave reads as if nobody listened.


async def on_incoming_timed_out(work: UnitOfWork, conversation: Conversation) -> None:
    experience_id = conversation.meta.experience_id
    experience = await work.session.get(Experience, experience_id) if experience_id else None
    if experience is not None and not conversation.meta.offline:
        visitor = await work.session.get(Visitor, conversation.visitor_id)
        voice = await _voice(work, conversation)
        body = (
            voice.say("serverTimeoutEmail", email=visitor.email)
            if visitor is not None and visitor.email
            else said(voice, experience, "timeout_message")
        )
        await conversations.add_message(work, conversation, author_kind="bot", body=body)


async def on_rep_window(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status != "incoming":
            return  # a rep joined in time (idempotent: a second firing finds nothing to do)
        if conversation.meta.bot_greeted:
            return
        experience = await work.session.get(Experience, conversation.meta.experience_id or "")
        if experience is None:
            experience = await default_experience(
                work.session, conversation.org_id, work.now_clock.now()
            )
        with edit_meta(conversation) as meta:
            meta.bot_greeted = True
        voice = await _voice(work, conversation)
        await conversations.add_message(
            work, conversation, author_kind="bot", body=said(voice, experience, "bot_greeting")
        )
        # The product docs: inbound chats fall back to the meeting booker; auto-pounce (and
        # other proactive) conversations never do.
        if experience.booker_meeting_type_id and conversation.origin == "inbound":
            try:
                async with work.session.begin_nested():
                    await meetings.create_offer(
                        work,
                        None,
                        org_id=conversation.org_id,
                        meeting_type_id=experience.booker_meeting_type_id,
                        conversation_id=conversation.id,
                    )
            except FrontdeskError as error:  # the type was switched off or deleted meanwhile
                log.warning("no booker offered in %s: %s", conversation.id, error.message)
        await work.run_hooks(NOBODY_AVAILABLE_HOOK, conversation)
        await conversations.emit_conversation_changed(work, conversation)


# A caller whose queued call nobody answered is told so ("serverCallMissed"), before the booker or
# the offline form.


async def on_call_queue_missed(
    work: UnitOfWork, conversation: Conversation, *, segment_experience: SegmentExperience
) -> None:
    """Hook (calls.QUEUE_MISSED_HOOK): a call from "Call us" rang out. The chat goes the way
    an inbound chat nobody can take goes: the meeting booker when the visitor's experience
    names one, else the offline form (what the visitor leaves is emailed to the reps)."""
    now = work.now_clock.now()
    visit = await latest_visit(work.session, conversation.visitor_id)
    experience = await experience_for_visit(
        work.session, conversation.org_id, visit, now, segment_experience
    )
    with edit_meta(conversation) as meta:
        meta.experience_id = experience.id
        meta.experience_name = experience.name
    voice = await _voice(work, conversation)
    await conversations.add_message(
        work, conversation, author_kind="bot", body=voice.say("serverCallMissed")
    )
    offered = False
    if experience.booker_meeting_type_id:
        try:
            async with work.session.begin_nested():
                await meetings.create_offer(
                    work,
                    None,
                    org_id=conversation.org_id,
                    meeting_type_id=experience.booker_meeting_type_id,
                    conversation_id=conversation.id,
                )
            offered = True
        except FrontdeskError as error:  # the type was switched off or deleted meanwhile
            log.warning("no booker offered in %s: %s", conversation.id, error.message)
    if not offered:
        with edit_meta(conversation) as meta:
            meta.offline = True
        await conversations.add_message(
            work, conversation, author_kind="bot", body=said(voice, experience, "offline_message")
        )
    await conversations.emit_conversation_changed(work, conversation)


# ---- offline messages --------------------------------------------------------------------


async def leave_offline_message(
    runtime: Runtime,
    org_id: str,
    visitor_id: str,
    *,
    name: str | None,
    email: str | None,
    body: str,
) -> OfflineMessage:
    """Stores the message and schedules its email to the reps. Without an email, the one the
    visitor already gave is used (the form does not ask twice); with neither, it is refused."""
    from frontdesk.features.orgs import normalise_email

    if not body.strip() or len(body) > conversations.MAX_BODY:
        raise ValidationFailed("the message must have 1 to 10,000 characters")
    now = runtime.clock.now()
    async with runtime.uow() as work:
        if email is None:
            known = await work.session.get(Visitor, visitor_id)
            if known is None or not known.email:
                raise ValidationFailed("an email is needed so that we can reply")
            email = known.email
        email = normalise_email(email)
        conversation = await conversations.open_conversation_for_visitor(work.session, visitor_id)
        message = OfflineMessage(
            id=new_id(),
            org_id=org_id,
            visitor_id=visitor_id,
            conversation_id=conversation.id if conversation else None,
            name=(name or "").strip()[:200] or None,
            email=email,
            body=body,
            created_at=now,
        )
        work.session.add(message)
        visitor = await work.session.get(Visitor, visitor_id)
        if visitor is not None and visitor.identity_status == "anonymous":
            visitor.identity_status = "unverified"
            visitor.email, visitor.name = email, message.name
        if conversation is not None:
            await conversations.add_message(
                work,
                conversation,
                author_kind="visitor",
                body=body,
                visitor=visitor,
                client_id=f"offline:{message.id}",
            )
        await work.session.flush()
        await deadlines.schedule(
            work.session,
            kind=KIND_OFFLINE_EMAIL,
            subject_id=message.id,
            due_at=now,
            now=now,
            org_id=org_id,
        )
    runtime.sweeper.poke()
    return message
