"""The voice call queue (product docs: "Calling with Voice Call", "Receiving a Voice Call").

For visitors in the segments an admin picks, the messenger offers "Call us". The call opens
(or joins) the visitor's chat, and rings every rep routed to that visitor who allows voice and
is available: each of their consoles flashes it, rings and posts a notification. The first rep
to answer takes it: one conditional UPDATE (`rep_id` still null, state still `requested`)
decides it, across processes, as a chat's accept does; the others see it go. Until then the
visitor is on hold ("Thanks for calling {company}, a rep will be with you shortly", hold
audio the messenger makes itself). Unanswered within the org's queue timeout, the call ends
as `missed` and the chat goes the offline/meeting way (features/experiences, through
QUEUE_MISSED_HOOK).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from frontdesk.core.errors import Conflict, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import conversations
from frontdesk.features.calls.events import CallIce
from frontdesk.features.calls.models import Call
from frontdesk.features.calls.schemas import CallOut
from frontdesk.features.calls.service import (
    KIND_LIVENESS,
    KIND_QUEUE_TIMEOUT,
    RINGING_STATES,
    RepSide,
    _emit_state,
    _grace,
    _insert,
    _schedule,
    call_out,
    call_settings,
    decline,
    end_call,
    ice_for,
)
from frontdesk.features.conversations import INCOMING_TIMEOUT
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.visitors import latest_visit
from frontdesk.runtime import Runtime, UnitOfWork

# Run with the chat of a queued call nobody answered (features/experiences: the offline form
# or the meeting booker).
QUEUE_MISSED_HOOK = "call.queue_missed"
QUEUE_TIMEOUT_DEFAULT = 60
QUEUE_TIMEOUT_MIN = 10
QUEUE_TIMEOUT_MAX = 600
NOBODY_ANSWERED = "nobody answered in time"
NOBODY_THERE = "nobody who takes calls was available"


def queue_timeout(org: Org) -> int:
    return int(call_settings(org).get("queue_timeout_seconds", QUEUE_TIMEOUT_DEFAULT))


def queue_segments(org: Org) -> list[str]:
    return list(call_settings(org).get("queue_segment_ids") or [])


async def check_queue_segments(runtime: Runtime, org_id: str, segment_ids: list[str]) -> None:
    """An admin's choice of segments for "Call us": each one of this org's."""
    from frontdesk.features.segments import list_segments

    async with runtime.db.transaction() as session:
        known = {s.id for s in await list_segments(session, org_id, runtime.clock.now())}
    unknown = sorted(set(segment_ids) - known)
    if unknown:
        raise ValidationFailed(f"calls.queue_segment_ids: segment not found: {unknown[0]}")


def queue_offered(org: Org, segment_id: str | None) -> bool:
    """Whether a visit placed in this segment is offered "Call us" in the messenger: its
    segment is one the admin picked. The hello knows the visit's segment (it placed it), so
    no query."""
    segments = queue_segments(org)
    return bool(segments) and segment_id is not None and segment_id in segments


async def queue_call(
    runtime: Runtime, org: Org, visitor_id: str, tab_id: str
) -> tuple[CallOut, CallIce]:
    """The visitor's "Call us": the call rings the reps routed to them who allow voice and are
    available. With nobody there it ends at once as missed (the offline/meeting way)."""
    segments = queue_segments(org)
    if not segments:
        raise Conflict("calls from the messenger are not offered on this website")
    now = runtime.clock.now()
    async with runtime.uow() as work:
        visitor = await conversations.lock_visitor(work.session, org.id, visitor_id)
        if visitor.blocked_at is not None:
            raise Conflict("calls are not available right now")
        visit = await latest_visit(work.session, visitor.id)
        if visit is None or visit.segment_id not in segments:
            raise Conflict("calls are not offered on this page")
        conversation = await conversations.open_conversation_for_visitor(work.session, visitor.id)
        if conversation is not None and conversation.status != "incoming":
            raise Conflict("you're chatting with someone from the team: ask them for a call here")
        routed = list(visit.routed_rep_ids or [])
        reps = (
            await work.session.execute(
                select(Rep).where(Rep.org_id == org.id, Rep.active.is_(True)).order_by(Rep.id)
            )
        ).scalars()
        ringing = [
            r.id
            for r in reps
            if (not routed or r.id in routed)
            and r.voice_video_enabled
            and r.availability == "available"
        ]
        timeout = timedelta(seconds=queue_timeout(org))
        if conversation is None:
            conversation = await conversations.open_call_conversation(
                work,
                visitor,
                routed_rep_ids=routed,
                routing_reason=visit.routing_reason,
                open_until=now + timeout + INCOMING_TIMEOUT,
            )
        call = Call(
            id=new_id(),
            org_id=org.id,
            conversation_id=conversation.id,
            visitor_id=visitor.id,
            rep_id=None,
            initiated_by="visitor",
            media="audio",
            state="requested",
            channel="browser",
            visitor_leg=tab_id,
            queue_rep_ids=ringing,
            created_at=now,
            visitor_seen_at=now,
        )
        await _insert(work, call)
        if not ringing:
            await _missed(work, call, conversation, NOBODY_THERE)
            out = call_out(call, None)
        else:
            await _schedule(work, KIND_QUEUE_TIMEOUT, call, now + timeout)
            await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
            out = await _emit_state(work, call, also=ringing)
    return out, ice_for(runtime.settings, call.id, now)


async def pick_up(runtime: Runtime, actor: Authenticated, call_id: str, leg: str) -> CallIce:
    """A rep answers a queued call from this console tab. First answer wins: exactly one rep
    gets it, whichever process each answer reaches; the others are told it was taken."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await work.session.get(Call, call_id)
        if (
            call is None
            or call.org_id != actor.org_id
            or actor.rep.id not in (call.queue_rep_ids or [])
        ):
            raise NotFound("call not found")
        rep = await work.session.get(Rep, actor.rep.id)
        if rep is None or not rep.voice_video_enabled:
            raise Conflict("switch on “Allow voice and video” in your profile menu to take calls")
        # The row lock this takes makes a concurrent answer wait, then find the row changed.
        result = await work.session.execute(
            update(Call)
            .where(Call.id == call.id, Call.rep_id.is_(None), Call.state == "requested")
            .values(
                rep_id=rep.id,
                state="connecting",
                rep_leg=leg,
                visitor_media="audio",
                answered_at=now,
                rep_seen_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        await work.session.refresh(call)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if call.state == "ended":
                raise Conflict("this call has ended")
            raise Conflict("already answered: another rep took this call first")
        conversation = await work.session.get(Conversation, call.conversation_id)
        if conversation is None:
            raise NotFound("call not found")
        await conversations.take_for_call(work, actor, conversation)
        await deadlines.cancel(work.session, kind=KIND_QUEUE_TIMEOUT, subject_id=call.id, now=now)
        await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
        await _emit_state(work, call, also=list(call.queue_rep_ids or []))
    return ice_for(runtime.settings, call.id, now)


async def rep_decline(runtime: Runtime, actor: Authenticated, call_id: str) -> None:
    """A rep's Decline. A queued call ringing this rep is declined for everyone: first wins,
    as with answering (whichever of a Decline and an Answer takes the row first decides; the
    other is refused). It ends as `declined`, every console it rang sees it go, and the caller
    goes the offline/meeting way, as when nobody answers. Any other call: the rep's own
    decline (service.decline: a visitor's request the rep says no to)."""
    async with runtime.uow() as work:
        call = await work.session.get(Call, call_id)
        queued_here = (
            call is not None
            and call.org_id == actor.org_id
            and call.rep_id is None
            and actor.rep.id in (call.queue_rep_ids or [])
        )
        if queued_here:
            rep = await work.session.get(Rep, actor.rep.id)
            # Lock the row, then look again: an Answer (pick_up's conditional UPDATE) or the
            # queue timeout that got there first has changed it.
            locked = (
                await work.session.execute(
                    select(Call)
                    .where(Call.id == call_id)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).scalar_one()
            if locked.state == "ended":
                raise Conflict("this call has ended")
            if locked.rep_id is not None or locked.state != "requested":
                raise Conflict("already answered: another rep took this call first")
            conversation = await work.session.get(Conversation, locked.conversation_id)
            await end_call(work, locked, "declined", f"declined by {rep.name if rep else 'a rep'}")
            if conversation is not None and conversation.status == "incoming":
                await work.run_hooks(QUEUE_MISSED_HOOK, conversation)
            return
    await decline(runtime, RepSide(actor.org_id, actor.rep.id), call_id)


async def on_queue_timeout(runtime: Runtime, deadline: DueDeadline) -> None:
    """Nobody answered within the org's queue timeout: missed, and the offline/meeting way."""
    async with runtime.uow() as work:
        call = await work.session.get(Call, deadline.subject_id, with_for_update=True)
        if call is None or call.state not in RINGING_STATES or call.rep_id is not None:
            return  # answered, or over, meanwhile (idempotent)
        conversation = await work.session.get(Conversation, call.conversation_id)
        await _missed(work, call, conversation, NOBODY_ANSWERED)


async def _missed(
    work: UnitOfWork, call: Call, conversation: Conversation | None, detail: str
) -> None:
    await end_call(work, call, "missed", detail)
    if conversation is not None and conversation.status == "incoming":
        await work.run_hooks(QUEUE_MISSED_HOOK, conversation)
