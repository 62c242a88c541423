"""Calls: the server-side record of a voice or video call, and the relay of its signalling.

Every change is written in one transaction and announced after it commits, to the two sides
only: the rep's topic (runtime.rep_topic: that rep's console tabs) and the visitor's topic
(their messenger tabs, through core/visitor_feed.py). Nobody else, admins included, gets a
call's frames: they are between two people. Who may act on a call is checked against the row
on every frame: its org, and the rep or the visitor it belongs to; anyone else is told it was
not found, whether it exists or not.

Time: a call that rings unanswered ends as `missed` (a deadline, `KIND_RING`); each side that
joined sends a keepalive every few seconds, and a side not heard of for the grace period
(its tab closed, its process was killed) ends the call as `failed` (`KIND_LIVENESS`, which
moves itself on while both sides are heard of). Deadlines fire once across processes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core import visitor_feed
from frontdesk.core.errors import Conflict, NotFound
from frontdesk.core.events import Event
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import conversations
from frontdesk.features.calls.events import (
    CallAnswerRelayed,
    CallCandidateRelayed,
    CallChanged,
    CallIce,
    CallMediaRelayed,
    CallOfferRelayed,
    CallRejoined,
    IceCandidate,
)
from frontdesk.features.calls.models import Call
from frontdesk.features.calls.schemas import CallOut, CallSettings, IceServer, IceSettingsOut
from frontdesk.features.conversations.events import RepBrief
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated, call_line
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.visitors import visitor_voice
from frontdesk.runtime import Runtime, UnitOfWork, rep_topic, visitor_topic
from frontdesk.settings import Settings

KIND_RING = "call.ring_timeout"
KIND_LIVENESS = "call.liveness"
KIND_QUEUE_TIMEOUT = "call.queue_timeout"
# Run in the transaction that ends a call: (work, org_id, call_id). Telephony hangs up a
# visitor's phone that joined it.
CALL_ENDED_HOOK = "call.ended"
# A call the visitor does not answer (or a visitor's request the rep does not allow) rings
# this long, then ends as missed.
RING_SECONDS = 45
# From both sides saying yes to media flowing: ICE through TURN takes a second or two; longer
# means no path (a blocked network, a refused TURN credential).
CONNECT_SECONDS = 30
LIVE_STATES = ("requested", "ringing", "connecting", "active")
RINGING_STATES = ("requested", "ringing")
MEDIA_STATES = ("connecting", "active")


@dataclass(frozen=True, slots=True)
class RepSide:
    org_id: str
    rep_id: str


@dataclass(frozen=True, slots=True)
class VisitorSide:
    org_id: str
    visitor_id: str


Side = RepSide | VisitorSide


def rep_side(actor: Authenticated) -> RepSide:
    return RepSide(actor.org_id, actor.rep.id)


# ---- settings --------------------------------------------------------------------------------


def call_settings(org: Org) -> CallSettings:
    stored = (org.settings or {}).get("calls") or {}
    settings = CallSettings()
    if "visitor_initiated" in stored:
        settings["visitor_initiated"] = bool(stored["visitor_initiated"])
    if "queue_segment_ids" in stored:
        settings["queue_segment_ids"] = [str(s) for s in stored["queue_segment_ids"] or []]
    if "queue_timeout_seconds" in stored:
        settings["queue_timeout_seconds"] = int(stored["queue_timeout_seconds"])
    return settings


def visitor_calls_allowed(org: Org) -> bool:
    return bool(call_settings(org).get("visitor_initiated", False))


def ice_settings(settings: Settings) -> IceSettingsOut:
    return IceSettingsOut(
        stun_urls=list(settings.stun_urls),
        turn_urls=list(settings.turn_urls),
        turn_secret_set=bool(settings.turn_secret),
        turn_credential_ttl=settings.turn_credential_ttl,
        ice_transport_policy=settings.ice_transport_policy,
    )


def turn_credential(secret: str, username: str) -> str:
    """coturn's REST scheme (use-auth-secret): base64(HMAC-SHA1(secret, username))."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_for(settings: Settings, call_id: str, now: datetime) -> CallIce:
    """The ICE servers for one call: STUN as configured, TURN with a username
    `<expiry unix time>:<call id>` and its HMAC as the password, valid for the TTL."""
    servers: list[IceServer] = []
    if settings.stun_urls:
        servers.append(IceServer(urls=list(settings.stun_urls)))
    expires_at = None
    if settings.turn_urls and settings.turn_secret:
        expiry = int(now.timestamp()) + settings.turn_credential_ttl
        username = f"{expiry}:{call_id}"
        servers.append(
            IceServer(
                urls=list(settings.turn_urls),
                username=username,
                credential=turn_credential(settings.turn_secret, username),
            )
        )
        expires_at = datetime.fromtimestamp(expiry, now.tzinfo).isoformat()
    return CallIce(
        call_id=call_id,
        ice_servers=servers,
        ice_transport_policy=settings.ice_transport_policy,
        expires_at=expires_at,
    )


# ---- reading ---------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def call_out(call: Call, rep: Rep | None) -> CallOut:
    duration = None
    if call.connected_at and call.ended_at:
        duration = max(0, int((call.ended_at - call.connected_at).total_seconds()))
    return CallOut(
        id=call.id,
        conversation_id=call.conversation_id,
        visitor_id=call.visitor_id,
        rep=RepBrief(id=rep.id, name=rep.name) if rep else None,
        initiated_by=call.initiated_by,
        media=call.media,
        visitor_media=call.visitor_media,
        state=call.state,
        end_reason=call.end_reason,
        end_detail=call.end_detail,
        channel=call.channel,
        queued=call.queue_rep_ids is not None
        and call.rep_id is None
        and call.state in RINGING_STATES,
        rep_leg=call.rep_leg,
        visitor_leg=call.visitor_leg,
        created_at=call.created_at.isoformat(),
        answered_at=_iso(call.answered_at),
        connected_at=_iso(call.connected_at),
        ended_at=_iso(call.ended_at),
        duration_seconds=duration,
    )


async def calls_out(session: AsyncSession, calls: list[Call]) -> list[CallOut]:
    """Calls as clients see them: one query for their reps, whatever their number."""
    rep_ids = {c.rep_id for c in calls if c.rep_id}
    reps = (
        {r.id: r for r in (await session.execute(select(Rep).where(Rep.id.in_(rep_ids)))).scalars()}
        if rep_ids
        else {}
    )
    return [call_out(c, reps.get(c.rep_id) if c.rep_id else None) for c in calls]


async def calls_of_conversations(
    session: AsyncSession, conversation_ids: list[str]
) -> dict[str, list[CallOut]]:
    """Each chat's calls, oldest first (the transcript, Visitor 360, the chat-end webhook)."""
    if not conversation_ids:
        return {}
    rows = list(
        (
            await session.execute(
                select(Call)
                .where(Call.conversation_id.in_(conversation_ids))
                .order_by(Call.created_at)
            )
        ).scalars()
    )
    by_conversation: dict[str, list[CallOut]] = {}
    for out in await calls_out(session, rows):
        by_conversation.setdefault(out.conversation_id, []).append(out)
    return by_conversation


async def live_call_for_visitor(runtime: Runtime, org_id: str, visitor_id: str) -> CallOut | None:
    """The visitor's call that is not over (a page load re-joins it), if any."""
    async with runtime.db.read() as session:
        call = (
            await session.execute(
                select(Call)
                .where(
                    Call.org_id == org_id,
                    Call.visitor_id == visitor_id,
                    Call.state.in_(LIVE_STATES),
                )
                .order_by(Call.created_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if call is None:
            return None
        return (await calls_out(session, [call]))[0]


async def live_calls_for_rep(runtime: Runtime, actor: Authenticated) -> list[CallOut]:
    """The rep's calls that are not over (a console shows them after a reload), and the
    queued calls ringing them."""
    async with runtime.db.read() as session:
        # One statement: the rep's own live calls, and the queued ones (a handful at most,
        # each a visitor on hold) whose JSON list of ringing reps is checked here, the same on
        # SQLite and PostgreSQL.
        candidates = (
            await session.execute(
                select(Call).where(
                    Call.org_id == actor.org_id,
                    or_(
                        and_(Call.rep_id == actor.rep.id, Call.state.in_(LIVE_STATES)),
                        and_(
                            Call.rep_id.is_(None),
                            Call.state == "requested",
                            Call.queue_rep_ids.is_not(None),
                        ),
                    ),
                )
            )
        ).scalars()
        rows = [
            c
            for c in candidates
            if c.rep_id == actor.rep.id or actor.rep.id in (c.queue_rep_ids or [])
        ]
        return await calls_out(session, rows)


async def _load(session: AsyncSession, side: Side, call_id: str, *, lock: bool = False) -> Call:
    """The call, if this side is on it; otherwise not found (whether it exists or not)."""
    statement = select(Call).where(Call.id == call_id)
    if lock:
        statement = statement.with_for_update()
    call = (await session.execute(statement)).scalar_one_or_none()
    if call is None or call.org_id != side.org_id or not _on_call(call, side):
        raise NotFound("call not found")
    return call


def _on_call(call: Call, side: Side) -> bool:
    if isinstance(side, RepSide):
        return call.rep_id == side.rep_id
    return call.visitor_id == side.visitor_id


# ---- announcing ------------------------------------------------------------------------------


def _to_rep(call: Call) -> list[str]:
    return [rep_topic(call.rep_id)] if call.rep_id else []


async def _emit_state(work: UnitOfWork, call: Call, also: Sequence[str] = ()) -> CallOut:
    """To the call's rep and visitor; `also`: reps a queued call rings (they see it come, and
    go when it is answered or ends)."""
    rep = await work.session.get(Rep, call.rep_id) if call.rep_id else None
    out = call_out(call, rep)
    frame = CallChanged(call=out)
    topics = _to_rep(call)
    topics += [rep_topic(r) for r in also if r != call.rep_id]
    work.emit(topics, frame)
    work.emit([visitor_topic(call.visitor_id)], visitor_feed.pack(frame))
    return out


async def _relay(runtime: Runtime, call: Call, sender: Side, frame: Event) -> None:
    """To the other side of the call, and nobody else."""
    if isinstance(sender, RepSide):
        await runtime.bus.publish(visitor_topic(call.visitor_id), visitor_feed.pack(frame))
    elif call.rep_id:
        await runtime.bus.publish(rep_topic(call.rep_id), frame.to_bytes())


async def _schedule(work: UnitOfWork, kind: str, call: Call, due_at: datetime) -> None:
    await deadlines.schedule(
        work.session,
        kind=kind,
        subject_id=call.id,
        due_at=due_at,
        now=work.now_clock.now(),
        org_id=call.org_id,
    )
    work.after_commit.append(work.runtime.sweeper.poke)


# ---- starting ---------------------------------------------------------------------------------


async def start_call(
    runtime: Runtime, actor: Authenticated, conversation_id: str, media: str, leg: str
) -> tuple[CallOut, CallIce]:
    """The rep calls the visitor of their chat. The visitor's messenger rings; nothing of the
    visitor is sent until they join."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        rep = await work.session.get(Rep, actor.rep.id)
        if rep is None or not rep.voice_video_enabled:
            raise Conflict(
                "switch on “Allow voice and video” in your profile menu to call visitors"
            )
        conversation = await conversations.get_conversation(work.session, actor, conversation_id)
        if conversation.status != "active" or conversation.owner_rep_id != rep.id:
            raise Conflict("only the rep who has this chat can call the visitor")
        call = Call(
            id=new_id(),
            org_id=actor.org_id,
            conversation_id=conversation.id,
            visitor_id=conversation.visitor_id,
            rep_id=rep.id,
            initiated_by="rep",
            media=media,
            state="requested",
            channel="browser",
            rep_leg=leg,
            created_at=now,
            rep_seen_at=now,
        )
        await _insert(work, call)
        await _schedule(work, KIND_RING, call, now + timedelta(seconds=RING_SECONDS))
        await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
        out = await _emit_state(work, call)
    return out, ice_for(runtime.settings, call.id, now)


async def request_call(
    runtime: Runtime, org: Org, visitor_id: str, media: str, tab_id: str
) -> tuple[CallOut, CallIce]:
    """The visitor asks the rep of their chat for a call (the org must allow it). The rep's
    console shows "Allow visitor audio and video" and "Allow audio only"."""
    if not visitor_calls_allowed(org):
        raise Conflict("calls from the messenger are not switched on for this website")
    now = runtime.clock.now()
    async with runtime.uow() as work:
        conversation = await conversations.open_conversation_for_visitor(work.session, visitor_id)
        if (
            conversation is None
            or conversation.org_id != org.id
            or conversation.status != "active"
            or conversation.owner_rep_id is None
        ):
            raise Conflict("a call can start once someone from the team has joined the chat")
        rep = await work.session.get(Rep, conversation.owner_rep_id)
        if rep is None or not rep.active or not rep.voice_video_enabled:
            raise Conflict("the team can't take calls right now: let's keep chatting here")
        call = Call(
            id=new_id(),
            org_id=org.id,
            conversation_id=conversation.id,
            visitor_id=visitor_id,
            rep_id=rep.id,
            initiated_by="visitor",
            media=media,
            state="requested",
            channel="browser",
            visitor_leg=tab_id,
            created_at=now,
            visitor_seen_at=now,
        )
        await _insert(work, call)
        await _schedule(work, KIND_RING, call, now + timedelta(seconds=RING_SECONDS))
        await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
        out = await _emit_state(work, call)
    return out, ice_for(runtime.settings, call.id, now)


async def _insert(work: UnitOfWork, call: Call) -> None:
    # One live call per chat: the partial unique index decides it across processes.
    existing = (
        await work.session.execute(
            select(Call.id).where(
                Call.conversation_id == call.conversation_id, Call.state.in_(LIVE_STATES)
            )
        )
    ).first()
    if existing is not None:
        raise Conflict("this chat already has a call")
    work.session.add(call)
    try:
        await work.session.flush()
    except IntegrityError:  # another process's call won (the transaction is rolled back)
        raise Conflict("this chat already has a call") from None


def _grace(runtime: Runtime) -> timedelta:
    return timedelta(seconds=runtime.settings.call_grace_seconds)


# ---- answering --------------------------------------------------------------------------------


async def ringing(runtime: Runtime, side: VisitorSide, call_id: str) -> None:
    """The messenger shows the rep's call."""
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        if call.state != "requested" or call.initiated_by != "rep":
            return
        call.state = "ringing"
        await _emit_state(work, call)


async def visitor_accept(
    runtime: Runtime, side: VisitorSide, call_id: str, media: str, tab_id: str
) -> CallIce:
    """The visitor joins the rep's call with audio or video, from this tab."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        if call.initiated_by != "rep" or call.state not in RINGING_STATES:
            raise Conflict(_not_ringing(call))
        call.state = "connecting"
        call.visitor_media = media
        call.visitor_leg = tab_id
        call.answered_at = now
        call.visitor_seen_at = now
        await deadlines.cancel(work.session, kind=KIND_RING, subject_id=call.id, now=now)
        await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
        await _emit_state(work, call)
    return ice_for(runtime.settings, call.id, now)


async def rep_accept(
    runtime: Runtime, actor: Authenticated, call_id: str, allow: str, leg: str
) -> CallIce:
    """The rep allows the visitor's call: audio and video, or audio only."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await _load(work.session, rep_side(actor), call_id, lock=True)
        if call.initiated_by != "visitor" or call.state not in RINGING_STATES:
            raise Conflict(_not_ringing(call))
        call.state = "connecting"
        call.visitor_media = allow
        call.rep_leg = leg
        call.answered_at = now
        call.rep_seen_at = now
        await deadlines.cancel(work.session, kind=KIND_RING, subject_id=call.id, now=now)
        await _schedule(work, KIND_LIVENESS, call, now + _grace(runtime))
        await _emit_state(work, call)
    return ice_for(runtime.settings, call.id, now)


def _not_ringing(call: Call) -> str:
    return "this call has ended" if call.state == "ended" else "this call is not ringing"


async def decline(runtime: Runtime, side: Side, call_id: str) -> None:
    """The side being called says no; the caller cancelling is a hang-up."""
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        if call.state not in RINGING_STATES:
            return
        caller_is_rep = call.initiated_by == "rep"
        if caller_is_rep == isinstance(side, RepSide):
            await end_call(work, call, _ended_by(side))
        else:
            await end_call(work, call, "declined")


async def rejoin(runtime: Runtime, side: VisitorSide, call_id: str, tab_id: str) -> CallIce:
    """After a page load the messenger joins again from this tab: the rep is told to make a
    new offer."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        if call.state not in MEDIA_STATES:
            raise Conflict(_not_ringing(call))
        call.visitor_leg = tab_id
        call.visitor_seen_at = now
        if call.rep_id:
            work.emit([rep_topic(call.rep_id)], CallRejoined(call_id=call.id))
        await _emit_state(work, call)
    return ice_for(runtime.settings, call.id, now)


OTHER_WINDOW = "this call is connected in another window: use “Move the call here” to take it"


async def rep_rejoin(
    runtime: Runtime, actor: Authenticated, call_id: str, leg: str, *, move: bool = False
) -> CallIce:
    """The rep's console joins its call again from this tab: after a page load of the tab
    that held it (the same `leg`), or, with `move`, from another tab the rep chose to move it
    to (the tab that held it sees the new leg and lets go). The console then makes a new offer
    (the visitor's messenger answers any new offer); a call still ringing the visitor waits
    for them as before. The rep counts as seen from now, so the grace period runs from the
    re-join, not from the reload."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await _load(work.session, rep_side(actor), call_id, lock=True)
        if call.state == "ended":
            raise Conflict(_not_ringing(call))
        if call.rep_leg is None:  # the rep has not allowed (or answered) it yet
            raise Conflict("the call is not joined yet")
        if call.rep_leg != leg and not move:
            raise Conflict(OTHER_WINDOW)
        call.rep_leg = leg
        call.rep_seen_at = now
        await _emit_state(work, call)
    return ice_for(runtime.settings, call.id, now)


async def connected(runtime: Runtime, side: Side, call_id: str) -> None:
    """Media flows: the call is active (from the first time; a re-join keeps it active)."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        _seen(call, side, now)
        if call.state != "connecting":
            return
        call.state = "active"
        call.connected_at = now
        await _emit_state(work, call)


async def keepalive(
    runtime: Runtime, side: Side, call_id: str, *, media_connected: bool = False
) -> CallChanged | None:
    """This side still holds the call; with `media_connected`, media from the other side
    flows here, so the other side is alive as well (its socket may be reconnecting to another
    process). For a call that is over, the answer is its final state (the side missed it,
    say while its socket was reconnecting)."""
    now = runtime.clock.now()
    mine, theirs = (
        (Call.rep_seen_at, Call.visitor_seen_at)
        if isinstance(side, RepSide)
        else (Call.visitor_seen_at, Call.rep_seen_at)
    )
    async with runtime.db.transaction() as session:
        call = await _load(session, side, call_id)
        if call.state != "ended":
            values = {mine: now, theirs: now} if media_connected else {mine: now}
            await session.execute(
                update(Call)
                .where(Call.id == call.id, Call.state != "ended")
                .values(values)
                .execution_options(synchronize_session=False)
            )
            return None
        return CallChanged(call=(await calls_out(session, [call]))[0])


async def hang_up(runtime: Runtime, side: Side, call_id: str, failed: str | None = None) -> None:
    """End the call; `failed`: this side could not connect the media, and why."""
    async with runtime.uow() as work:
        call = await _load(work.session, side, call_id, lock=True)
        if call.state == "ended":
            return
        if failed:
            await end_call(work, call, "failed", failed)
        else:
            await end_call(work, call, _ended_by(side))


def _ended_by(side: Side) -> str:
    return "ended_by_rep" if isinstance(side, RepSide) else "ended_by_visitor"


def _seen(call: Call, side: Side, now: datetime) -> None:
    if isinstance(side, RepSide):
        call.rep_seen_at = now
    else:
        call.visitor_seen_at = now


# ---- relaying ---------------------------------------------------------------------------------


async def relay_offer(runtime: Runtime, actor: Authenticated, call_id: str, sdp: str) -> None:
    call = await _media_call(runtime, rep_side(actor), call_id)
    await _relay(runtime, call, rep_side(actor), CallOfferRelayed(call_id=call.id, sdp=sdp))


async def relay_answer(runtime: Runtime, side: VisitorSide, call_id: str, sdp: str) -> None:
    call = await _media_call(runtime, side, call_id)
    await _relay(runtime, call, side, CallAnswerRelayed(call_id=call.id, sdp=sdp))


async def relay_candidate(
    runtime: Runtime, side: Side, call_id: str, candidate: IceCandidate
) -> None:
    call = await _media_call(runtime, side, call_id)
    await _relay(runtime, call, side, CallCandidateRelayed(call_id=call.id, candidate=candidate))


async def relay_media(
    runtime: Runtime, side: Side, call_id: str, *, mic: bool, camera: bool, screen: bool
) -> None:
    call = await _media_call(runtime, side, call_id)
    # Only the rep shares a screen (to show the product).
    screen = screen and isinstance(side, RepSide)
    await _relay(
        runtime,
        call,
        side,
        CallMediaRelayed(call_id=call.id, mic=mic, camera=camera, screen=screen),
    )


async def _media_call(runtime: Runtime, side: Side, call_id: str) -> Call:
    async with runtime.db.read() as session:
        call = await _load(session, side, call_id)
    if call.state not in MEDIA_STATES:
        raise Conflict(
            _not_ringing(call) if call.state == "ended" else "the call is not joined yet"
        )
    return call


# ---- ending -----------------------------------------------------------------------------------


async def end_call(work: UnitOfWork, call: Call, reason: str, detail: str | None = None) -> None:
    """End a live call: its record, its deadlines, a line in the chat's transcript (both sides
    see it), and the news to both sides."""
    now = work.now_clock.now()
    call.state = "ended"
    call.end_reason = reason
    call.end_detail = detail
    call.ended_at = now
    for kind in (KIND_RING, KIND_LIVENESS, KIND_QUEUE_TIMEOUT):
        await deadlines.cancel(work.session, kind=kind, subject_id=call.id, now=now)
    await work.run_hooks(CALL_ENDED_HOOK, call.org_id, call.id)
    # Still in the queue: every rep it rang sees it go.
    ringing = (call.queue_rep_ids or []) if call.rep_id is None else []
    out = await _emit_state(work, call, also=ringing)
    conversation = await work.session.get(Conversation, call.conversation_id)
    if conversation is not None:
        voice = await visitor_voice(work.session, conversation.org_id, conversation.visitor_id)
        await conversations.add_message(
            work,
            conversation,
            author_kind="system",
            body=transcript_line(out, voice.language),
            # For reps' consoles (visitors get no meta): the start in the rep's own time zone.
            meta={
                "call": {
                    "id": out.id,
                    "media": out.media,
                    "started_at": out.created_at,
                    "connected_at": out.connected_at,
                    "duration_seconds": out.duration_seconds,
                    "end_reason": out.end_reason,
                }
            },
        )


def transcript_line(call: CallOut, language: str = "en") -> str:
    """What the transcript says about a call that ended (who, how long, how it ended), in the
    visitor's language (features/orgs/visitor_texts.py `call_line`: both sides read the same
    line, as with the server's other lines). The start time is the line's own time; calls are
    not recorded."""
    return call_line(
        language,
        media=call.media,
        rep_name=call.rep.name if call.rep else None,
        by_visitor=call.initiated_by == "visitor",
        connected=call.connected_at is not None,
        seconds=call.duration_seconds or 0,
        end_reason=call.end_reason,
        end_detail=call.end_detail,
    )


async def on_conversation_closed(work: UnitOfWork, conversation: Conversation) -> None:
    """Hook: a chat that ends takes its call with it. Block and report ends it at once."""
    call = (
        await work.session.execute(
            select(Call)
            .where(Call.conversation_id == conversation.id, Call.state.in_(LIVE_STATES))
            .with_for_update()
        )
    ).scalar_one_or_none()
    if call is None:
        return
    reason = conversation.ended_reason
    if reason == "blocked":
        await end_call(work, call, "blocked")
    elif reason in ("ended_by_rep", "spam"):
        await end_call(work, call, "ended_by_rep", "the chat was ended")
    else:
        await end_call(work, call, "failed", f"the chat ended: {reason}")


async def on_ring_timeout(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        call = await work.session.get(Call, deadline.subject_id, with_for_update=True)
        if call is None or call.state not in RINGING_STATES:
            return
        await end_call(work, call, "missed")


async def on_liveness(runtime: Runtime, deadline: DueDeadline) -> None:
    """A side that joined and has not been heard of for the grace period has gone: the call
    ends as failed. Otherwise the check moves to when the quietest side would be overdue."""
    grace = _grace(runtime)
    now = runtime.clock.now()
    async with runtime.uow() as work:
        call = await work.session.get(Call, deadline.subject_id, with_for_update=True)
        if call is None or call.state == "ended":
            return
        gone = _gone_side(call, now, grace)
        if gone is not None:
            await end_call(work, call, "failed", gone)
            return
        if (
            call.state == "connecting"
            and call.connected_at is None
            and call.answered_at is not None
            and now - call.answered_at >= timedelta(seconds=CONNECT_SECONDS)
        ):
            await end_call(
                work, call, "failed", "no media path between the browsers (check STUN/TURN)"
            )
            return
        due = [seen + grace for seen in _seen_times(call)]
        if call.state == "connecting" and call.answered_at is not None:
            due.append(call.answered_at + timedelta(seconds=CONNECT_SECONDS))
        await _schedule(work, KIND_LIVENESS, call, max(min(due, default=now + grace), now))


def _seen_times(call: Call) -> list[datetime]:
    times = []
    if call.rep_leg and call.rep_seen_at:
        times.append(call.rep_seen_at)
    if call.visitor_leg and call.visitor_seen_at:
        times.append(call.visitor_seen_at)
    return times


def _gone_side(call: Call, now: datetime, grace: timedelta) -> str | None:
    if call.rep_leg and (call.rep_seen_at is None or now - call.rep_seen_at >= grace):
        return "the rep's console went away"
    if call.visitor_leg and (call.visitor_seen_at is None or now - call.visitor_seen_at >= grace):
        return "the visitor's browser went away"
    return None


async def check_call_for_phone(
    work: UnitOfWork, org_id: str, visitor_id: str, conversation_id: str, call_id: str
) -> None:
    """Hook (telephony.CALL_CHECK_HOOK): a visitor's `phone_join` may name a browser call only
    if it is theirs, in their open chat, and not over; anything else is not found."""
    call = await work.session.get(Call, call_id)
    if (
        call is None
        or call.org_id != org_id
        or call.visitor_id != visitor_id
        or call.conversation_id != conversation_id
        or call.state == "ended"
    ):
        raise NotFound("call not found")


async def rep_on_live_call(session: AsyncSession, org_id: str, call_id: str) -> str | None:
    """The rep on this org's call while both sides are in it (join by phone dials an answered
    phone into that rep's console); None for a call still ringing or queued (no rep holds it
    yet), one that ended, or one that is not there."""
    call = await session.get(Call, call_id)
    if call is None or call.org_id != org_id or call.state not in MEDIA_STATES:
        return None
    return call.rep_id


def webhook_calls(calls: list[CallOut]) -> list[dict[str, Any]]:
    """The chat-end webhook's `calls` (docs/webhooks.md)."""
    return [
        {
            "id": c.id,
            "media": c.media,
            "initiated_by": c.initiated_by,
            "rep": c.rep.model_dump(mode="json") if c.rep else None,
            "started_at": c.created_at,
            "connected_at": c.connected_at,
            "ended_at": c.ended_at,
            "duration_seconds": c.duration_seconds,
            "end_reason": c.end_reason,
            "end_detail": c.end_detail,
            "channel": c.channel,
        }
        for c in calls
    ]
