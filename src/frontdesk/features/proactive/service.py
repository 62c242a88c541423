"""Pounce, invitations and auto pounce: the only code that engages a visitor first.

Every proactive step is guarded (blocked visitors, cold segments, another rep engaging, the
org's repeat interval, routing), counted per rep and day, and timed with durable deadlines
(2-minute invitation expiry, the auto-pounce nudge and the rep's reply timeout).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core import visitor_feed
from frontdesk.core.clock import as_utc
from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import audience, conversations
from frontdesk.features.conversations import AutoPounceResolution, ConversationMeta, edit_meta
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot import GreetingWriter, VisitorContext
from frontdesk.features.formatting import (
    HASH_VARIABLE,
    fill_template,
    render_markdown,
    variable_source,
)
from frontdesk.features.orgs import Authenticated, rep_changed
from frontdesk.features.orgs.models import Org, Rep
from frontdesk.features.proactive.events import (
    InvitationExpired,
    InvitationSent,
    InvitationUpdated,
)
from frontdesk.features.proactive.models import Invitation, ProactiveEvent
from frontdesk.features.proactive.schemas import (
    DailyCounts,
    InvitationOut,
    InvitationPreview,
    InvitingRep,
    VisitorInvitation,
)
from frontdesk.features.routing import next_turn
from frontdesk.features.routing.models import Team
from frontdesk.features.segments.models import Segment
from frontdesk.features.visitors import latest_visit
from frontdesk.features.visitors.models import Visit, Visitor
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, visitor_topic

INVITATION_ON_SCREEN = timedelta(minutes=2)  # product docs: removed 2 minutes after first shown
INVITATION_NEVER_SHOWN = timedelta(minutes=10)  # the visitor left before it could be shown
KIND_INVITATION_EXPIRE = "invitation.expire"
KIND_AUTO_POUNCE = "auto_pounce.consider"
KIND_NUDGE = "auto_pounce.nudge"
KIND_REP_TIMEOUT = "auto_pounce.rep_timeout"
PROACTIVE_KINDS = ("pounce", "invitation_sent", "auto_pounce")

DEFAULT_SETTINGS: dict[str, Any] = {
    "auto_pounce": False,  # the org switch
    "auto_pounce_after_seconds": 30,  # how long a visitor browses before AI greets them
    "nudge_after_seconds": 45,  # one nudge if the visitor has not replied by then
    "rep_timeout_seconds": 60,  # the rep must act on a reply within this
    "repeat_interval_seconds": 300,  # never engage the same visitor again within this
    "allowed_link_domains": [],  # links generated text may contain
}


def proactive_settings(org: Org) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **((org.settings or {}).get("proactive") or {})}


def validate_settings(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key not in DEFAULT_SETTINGS:
            raise ValidationFailed(f"unknown proactive setting {key!r}")
        if key == "auto_pounce":
            if not isinstance(value, bool):
                raise ValidationFailed("auto_pounce must be true or false")
        elif key == "allowed_link_domains":
            if not isinstance(value, list) or not all(isinstance(d, str) and d for d in value):
                raise ValidationFailed("allowed_link_domains must be a list of domains")
            value = [d.strip().lower() for d in value]
        elif isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= 86_400:
            raise ValidationFailed(f"{key} must be a whole number of seconds from 5 to 86400")
        cleaned[key] = value
    return cleaned


# The channel each counted kind belongs to in reports; a reply's is its chat's (given).
KIND_CHANNEL = {
    "pounce": "pounce",
    "invitation_sent": "invitation",
    "invitation_accepted": "invitation",
    "invitation_expired": "invitation",
    "auto_pounce": "auto_pounce",
    "missed_response": "auto_pounce",
}


async def record(
    session: AsyncSession,
    org_id: str,
    kind: str,
    now: datetime,
    *,
    rep_id: str | None,
    visitor_id: str | None,
    conversation_id: str | None = None,
    channel: str | None = None,
) -> None:
    """One countable thing, with its channel and the visitor's segment now (for reports)."""
    segment_id = None
    if visitor_id is not None:
        segment_id = (
            await session.execute(
                select(Visit.segment_id)
                .where(Visit.visitor_id == visitor_id)
                .order_by(Visit.started_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    session.add(
        ProactiveEvent(
            id=new_id(),
            org_id=org_id,
            rep_id=rep_id,
            visitor_id=visitor_id,
            conversation_id=conversation_id,
            kind=kind,
            at=now,
            channel=channel or KIND_CHANNEL.get(kind),
            segment_id=segment_id,
        )
    )


# ---- guards --------------------------------------------------------------------------------


async def why_not_engage(
    session: AsyncSession, org: Org, visitor: Visitor, rep_id: str | None, now: datetime
) -> str | None:
    """The reason this visitor may not be engaged now, or None."""
    if visitor.blocked_at is not None:
        return "this visitor is blocked"
    visit = await latest_visit(session, visitor.id)
    if visit is not None and visit.segment_id:
        segment = await session.get(Segment, visit.segment_id)
        if segment is not None and segment.cold:
            return f"visitors in the cold segment {segment.name!r} are not engaged"
    open_conversation = await conversations.open_conversation_for_visitor(session, visitor.id)
    if open_conversation is not None:
        if open_conversation.owner_rep_id and open_conversation.owner_rep_id != rep_id:
            owner = await session.get(Rep, open_conversation.owner_rep_id)
            return f"{owner.name if owner else 'another rep'} is already chatting with this visitor"
        return "this visitor already has an open conversation"
    pending = (
        (
            await session.execute(
                select(Invitation).where(
                    Invitation.visitor_id == visitor.id, Invitation.status.in_(("pending", "shown"))
                )
            )
        )
        .scalars()
        .first()
    )
    if pending is not None:
        return "this visitor has an open invitation"
    interval = timedelta(seconds=proactive_settings(org)["repeat_interval_seconds"])
    recent = (
        await session.execute(
            select(func.max(ProactiveEvent.at)).where(
                ProactiveEvent.visitor_id == visitor.id,
                ProactiveEvent.kind.in_(PROACTIVE_KINDS),
                ProactiveEvent.at > now - interval,
            )
        )
    ).scalar_one_or_none()
    if recent is not None:
        wait = int((recent + interval - now).total_seconds() // 60) + 1
        return f"this visitor was engaged recently; try again in {wait} min"
    return None


async def _engageable(
    session: AsyncSession, actor: Authenticated, visitor_id: str, now: datetime
) -> tuple[Org, Visitor, Visit | None]:
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visitor.org_id != actor.org_id:
        raise NotFound("visitor not found")
    org = await session.get(Org, actor.org_id)
    assert org is not None
    visit = await latest_visit(session, visitor.id)
    # The live stream's rule (features/audience); a visitor with an open chat is refused just
    # below whoever owns it, so routing alone decides here.
    if not audience.rep_sees(
        actor, audience.of_visitor(visit.routed_rep_ids if visit else None, None)
    ):
        raise Forbidden("this visitor is not routed to you")
    reason = await why_not_engage(session, org, visitor, actor.rep.id, now)
    if reason:
        raise Conflict(reason)
    return org, visitor, visit


# ---- pounce --------------------------------------------------------------------------------


async def pounce(
    runtime: Runtime, actor: Authenticated, visitor_id: str, client_id: str, body: str
) -> conversations.Posted:
    """A rep starts a conversation with a visitor from the live stream or Visitor 360."""
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        await _engageable(session, actor, visitor_id, now)
    posted = await conversations.start_conversation(
        runtime, actor, visitor_id, client_id, body, origin="pounce"
    )
    if not posted.duplicate:
        async with runtime.db.transaction() as session:
            await record(
                session,
                actor.org_id,
                "pounce",
                now,
                rep_id=actor.rep.id,
                visitor_id=visitor_id,
                conversation_id=posted.message.conversation_id,
            )
    return posted


# ---- invitations -----------------------------------------------------------------------------

VARIABLE = re.compile(r"#([a-z_]+)#")
KNOWN_VARIABLES = (
    "company",
    "first_name",
    "name",
    "email",
    "page_title",
    "url",
    "browser",
    "city",
    "country",
    "rep_name",
    "rep_first_name",
)


async def invitation_variables(
    session: AsyncSession, runtime: Runtime, org_id: str, visitor: Visitor, rep: Rep
) -> dict[str, str | None]:
    """The same source as shortcuts (formatting/variables.py), under the #names# of invitations."""
    return (await variable_source(session, runtime.live, visitor, rep.name)).invitation_values()


def fill_variables(template: str, values: dict[str, str | None]) -> str:
    """Replace #variables#; unknown or empty ones are left out cleanly."""
    return fill_template(template, values, HASH_VARIABLE)


def invitation_frame(invitation: Invitation, rep: Rep, now: datetime) -> VisitorInvitation:
    """An open invitation as the visitor's widget shows it."""
    expires_at = invitation.shown_at + INVITATION_ON_SCREEN if invitation.shown_at else None
    return VisitorInvitation(
        id=invitation.id,
        message=invitation.message,
        html=render_markdown(invitation.message),
        rep=InvitingRep(id=rep.id, name=rep.name),
        status=invitation.status,
        expires_at=expires_at.isoformat() if expires_at else None,
        server_time=now.isoformat(),
    )


async def preview_invitation(
    runtime: Runtime, actor: Authenticated, visitor_id: str, template: str
) -> InvitationPreview:
    async with runtime.db.read() as session:
        visitor = await session.get(Visitor, visitor_id)
        if visitor is None or visitor.org_id != actor.org_id:
            raise NotFound("visitor not found")
        rep = await session.get(Rep, actor.rep.id)
        assert rep is not None
        values = await invitation_variables(session, runtime, actor.org_id, visitor, rep)
    text = fill_variables(template, values)
    unknown = sorted({name for name in VARIABLE.findall(template) if name not in KNOWN_VARIABLES})
    return InvitationPreview(
        message=text,
        html=render_markdown(text, preview=True) if text else "",
        variables=values,
        unknown=unknown,
    )


async def invite(
    runtime: Runtime, actor: Authenticated, visitor_id: str, template: str, team_id: str | None
) -> Invitation:
    if not template.strip() or len(template) > conversations.MAX_BODY:
        raise ValidationFailed("an invitation needs a message of 1 to 10,000 characters")
    now = runtime.clock.now()
    async with runtime.uow() as work:
        _, visitor, _ = await _engageable(work.session, actor, visitor_id, now)
        if team_id is not None:
            team = await work.session.get(Team, team_id)
            if team is None or team.org_id != actor.org_id:
                raise ValidationFailed("team not found")
        rep = await work.session.get(Rep, actor.rep.id)
        assert rep is not None
        message = fill_variables(
            template, await invitation_variables(work.session, runtime, actor.org_id, visitor, rep)
        )
        if not message:
            raise ValidationFailed("the invitation is empty once its variables are filled in")
        invitation = Invitation(
            id=new_id(),
            org_id=actor.org_id,
            visitor_id=visitor.id,
            rep_id=rep.id,
            team_id=team_id,
            template=template,
            message=message,
            status="pending",
            created_at=now,
        )
        work.session.add(invitation)
        await record(
            work.session, actor.org_id, "invitation_sent", now, rep_id=rep.id, visitor_id=visitor.id
        )
        await deadlines.schedule(
            work.session,
            kind=KIND_INVITATION_EXPIRE,
            subject_id=invitation.id,
            due_at=now + INVITATION_NEVER_SHOWN,
            now=now,
            org_id=actor.org_id,
        )
        _emit_invitation_change(
            work, invitation, InvitationSent(invitation=invitation_frame(invitation, rep, now))
        )
    return invitation


def _emit_invitation_change(
    work: UnitOfWork, invitation: Invitation, for_visitor: InvitationSent | InvitationExpired
) -> None:
    """An invitation changed: the visitor's widget gets its frame, the inviting rep (only) the
    updated invitation."""
    work.emit([visitor_topic(invitation.visitor_id)], visitor_feed.pack(for_visitor))
    work.emit(
        [org_topic(invitation.org_id)],
        InvitationUpdated(
            invitation=rep_view(invitation), visibility=audience.only(invitation.rep_id)
        ),
    )


async def list_invitations(
    session: AsyncSession, actor: Authenticated, since: datetime
) -> list[InvitationOut]:
    """The actor's invitations since then (an admin's: everyone's), newest first."""
    statement = (
        select(Invitation)
        .where(Invitation.org_id == actor.org_id, Invitation.created_at >= since)
        .order_by(Invitation.created_at.desc())
        .limit(500)
    )
    if not actor.is_admin:
        statement = statement.where(Invitation.rep_id == actor.rep.id)
    return [rep_view(i) for i in (await session.execute(statement)).scalars()]


def rep_view(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        visitor_id=invitation.visitor_id,
        rep_id=invitation.rep_id,
        status=invitation.status,
        message=invitation.message,
        created_at=invitation.created_at.isoformat(),
        shown_at=invitation.shown_at.isoformat() if invitation.shown_at else None,
        conversation_id=invitation.conversation_id,
    )


async def invitation_shown(
    runtime: Runtime, org_id: str, visitor_id: str, invitation_id: str
) -> VisitorInvitation | None:
    """The widget put it on screen: the 2-minute clock starts now (once)."""
    now = runtime.clock.now()
    async with runtime.uow() as work:
        invitation = await work.session.get(Invitation, invitation_id)
        if invitation is None or invitation.visitor_id != visitor_id or invitation.org_id != org_id:
            raise NotFound("invitation not found")
        if invitation.status == "pending":
            invitation.status = "shown"
            invitation.shown_at = now
            await deadlines.schedule(
                work.session,
                kind=KIND_INVITATION_EXPIRE,
                subject_id=invitation.id,
                due_at=now + INVITATION_ON_SCREEN,
                now=now,
                org_id=org_id,
            )
            work.emit(
                [org_topic(org_id)],
                InvitationUpdated(
                    invitation=rep_view(invitation), visibility=audience.only(invitation.rep_id)
                ),
            )
        rep = await work.session.get(Rep, invitation.rep_id)
        assert rep is not None
        return invitation_frame(invitation, rep, now) if invitation.status == "shown" else None


async def open_invitations(
    session: AsyncSession, visitor_id: str, now: datetime
) -> list[VisitorInvitation]:
    rows = (
        await session.execute(
            select(Invitation).where(
                Invitation.visitor_id == visitor_id, Invitation.status.in_(("pending", "shown"))
            )
        )
    ).scalars()
    result: list[VisitorInvitation] = []
    for invitation in rows:
        rep = await session.get(Rep, invitation.rep_id)
        if rep is not None:
            result.append(invitation_frame(invitation, rep, now))
    return result


async def open_invitations_for_visitors(
    session: AsyncSession, visitor_ids: Collection[str], now: datetime
) -> dict[str, list[VisitorInvitation]]:
    """open_invitations for a group of visitors (arrivals written together, issue 21): two
    statements for the whole group, the second only when someone has an invitation."""
    if not visitor_ids:
        return {}
    rows = list(
        (
            await session.execute(
                select(Invitation).where(
                    Invitation.visitor_id.in_(set(visitor_ids)),
                    Invitation.status.in_(("pending", "shown")),
                )
            )
        ).scalars()
    )
    if not rows:
        return {}
    reps = {
        rep.id: rep
        for rep in (
            await session.execute(select(Rep).where(Rep.id.in_({i.rep_id for i in rows})))
        ).scalars()
    }
    result: dict[str, list[VisitorInvitation]] = {}
    for invitation in rows:
        rep = reps.get(invitation.rep_id)
        if rep is not None:
            result.setdefault(invitation.visitor_id, []).append(
                invitation_frame(invitation, rep, now)
            )
    return result


async def on_invitation_expire(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        invitation = await work.session.get(Invitation, deadline.subject_id)
        if invitation is None or invitation.status not in ("pending", "shown"):
            return
        now = work.now_clock.now()
        invitation.status = "expired"
        invitation.ended_at = now
        await record(
            work.session,
            invitation.org_id,
            "invitation_expired",
            now,
            rep_id=invitation.rep_id,
            visitor_id=invitation.visitor_id,
        )
        _emit_invitation_change(work, invitation, InvitationExpired(invitation_id=invitation.id))


async def on_conversation_opening(
    work: UnitOfWork, visitor: Visitor, opening: conversations.Opening
) -> None:
    """A reply to a live invitation starts the chat with the inviting rep, whatever their
    availability (product docs), with the invitation as its first message."""
    invitation = (
        (
            await work.session.execute(
                select(Invitation)
                .where(
                    Invitation.visitor_id == visitor.id, Invitation.status.in_(("pending", "shown"))
                )
                .order_by(Invitation.created_at.desc())
            )
        )
        .scalars()
        .first()
    )
    if invitation is None:
        return
    now = work.now_clock.now()
    rep = await work.session.get(Rep, invitation.rep_id)
    if rep is None or not rep.active:
        return
    conversation = await conversations.open_owned_conversation(
        work,
        visitor,
        rep,
        origin="invitation",
        reason=f"Invited by {rep.name}",
        meta=ConversationMeta(invitation_id=invitation.id),
    )
    await conversations.add_message(
        work, conversation, author_kind="rep", body=invitation.message, author_rep=rep
    )
    invitation.status = "accepted"
    invitation.ended_at = now
    invitation.conversation_id = conversation.id
    await deadlines.cancel(
        work.session, kind=KIND_INVITATION_EXPIRE, subject_id=invitation.id, now=now
    )
    for kind in ("invitation_accepted", "reply"):
        await record(
            work.session,
            visitor.org_id,
            kind,
            now,
            rep_id=rep.id,
            visitor_id=visitor.id,
            conversation_id=conversation.id,
            channel="invitation",
        )
    work.emit(
        [org_topic(visitor.org_id)],
        InvitationUpdated(invitation=rep_view(invitation), visibility=audience.only(rep.id)),
    )
    opening.conversation = conversation


# ---- auto pounce -----------------------------------------------------------------------------


async def schedule_auto_pounce(runtime: Runtime, org: Org, visit_id: str) -> None:
    settings = proactive_settings(org)
    if not settings["auto_pounce"]:
        return
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        await deadlines.schedule(
            session,
            kind=KIND_AUTO_POUNCE,
            subject_id=visit_id,
            due_at=now + timedelta(seconds=settings["auto_pounce_after_seconds"]),
            now=now,
            org_id=org.id,
        )


async def on_org_settings_changed(work: UnitOfWork, org: Org, before: dict[str, Any]) -> None:
    """Auto pounce switched on: consider the visitors already on the site, not only new
    arrivals. Each live visit gets the usual deadline, due when it has browsed
    auto_pounce_after_seconds (at once for those who have browsed longer); the handler checks
    eligibility (routing, availability, repeat interval) when it fires, as for new arrivals.
    One statement per live visitor, but only when an admin flips the switch."""
    was = {**DEFAULT_SETTINGS, **(before.get("proactive") or {})}["auto_pounce"]
    settings = proactive_settings(org)
    if was or not settings["auto_pounce"]:
        return
    now = work.now_clock.now()
    after = timedelta(seconds=settings["auto_pounce_after_seconds"])
    for live in await work.runtime.live.list_org(org.id):
        await deadlines.schedule(
            work.session,
            kind=KIND_AUTO_POUNCE,
            subject_id=live.visit_id,
            due_at=max(now, as_utc(live.visit_started_at) + after),
            now=now,
            org_id=org.id,
        )


async def on_auto_pounce(runtime: Runtime, writer: GreetingWriter, deadline: DueDeadline) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        visit = await session.get(Visit, deadline.subject_id)
        if visit is None:
            return
        org = await session.get(Org, visit.org_id)
        visitor = await session.get(Visitor, visit.visitor_id)
        if org is None or visitor is None or not proactive_settings(org)["auto_pounce"]:
            return
        live = await runtime.live.get(org.id, visitor.id)
        if live is None or live.visit_id != visit.id:
            return  # gone, or a new visit started
        if await why_not_engage(session, org, visitor, None, now):
            return
        routed = list(visit.routed_rep_ids or [])
        candidates = sorted(
            r.id
            for r in (
                await session.execute(select(Rep).where(Rep.org_id == org.id, Rep.active.is_(True)))
            ).scalars()
            if r.availability == "available"
            and r.auto_pounce_enabled
            and (not routed or r.id in routed)
        )
        if not candidates:
            return
        # Rotate among eligible reps (shared across processes, like round-robin routing).
        turn = await next_turn(session, org.id, "auto_pounce")
        rep = await session.get(Rep, candidates[turn % len(candidates)])
        segment = await session.get(Segment, visit.segment_id) if visit.segment_id else None
    assert rep is not None
    context = VisitorContext(
        company=((visit.enrichment or {}).get("company") or {}).get("value"),
        page_title=live.title,
        page_url=live.url,
        segment=segment.name if segment else None,
        first_name=(visitor.name or "").split()[0] if visitor.name else None,
        rep_first_name=rep.name.split()[0],
    )
    written = await writer.write(
        "greeting", context, proactive_settings(org)["allowed_link_domains"]
    )
    async with runtime.uow() as work:
        visitor = await conversations.lock_visitor(work.session, org.id, visitor.id)
        if await why_not_engage(work.session, org, visitor, None, now):
            return  # someone engaged them while the text was being written
        conversation = await conversations.open_owned_conversation(
            work,
            visitor,
            rep,
            origin="auto_pounce",
            reason=f"Auto pounce on behalf of {rep.name}",
            meta=ConversationMeta(
                auto_pounce=True,
                text_source=written.source,
                model_rejected=written.rejected or None,
            ),
        )
        await conversations.add_message(
            work,
            conversation,
            author_kind="rep",
            body=written.text,
            author_rep=rep,
            meta={"auto_pounce": True},
        )
        await record(
            work.session,
            org.id,
            "auto_pounce",
            now,
            rep_id=rep.id,
            visitor_id=visitor.id,
            conversation_id=conversation.id,
        )
        settings = proactive_settings(org)
        await deadlines.schedule(
            work.session,
            kind=KIND_NUDGE,
            subject_id=conversation.id,
            due_at=now + timedelta(seconds=settings["nudge_after_seconds"]),
            now=now,
            org_id=org.id,
        )
        await conversations.emit_conversation_changed(work, conversation)


async def on_nudge(runtime: Runtime, writer: GreetingWriter, deadline: DueDeadline) -> None:
    async with runtime.db.read() as session:
        conversation = await session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status != "active" or conversation.meta.nudged:
            return
        replied = (
            await session.execute(
                select(func.count()).where(
                    Message.conversation_id == conversation.id, Message.author_kind == "visitor"
                )
            )
        ).scalar_one()
        if replied:
            return
        rep = (
            await session.get(Rep, conversation.owner_rep_id) if conversation.owner_rep_id else None
        )
        org = await session.get(Org, conversation.org_id)
        visit = await latest_visit(session, conversation.visitor_id)
    if rep is None or org is None:
        return
    live = await runtime.live.get(org.id, conversation.visitor_id)
    context = VisitorContext(
        company=((visit.enrichment or {}).get("company") or {}).get("value") if visit else None,
        page_title=live.title if live else None,
        page_url=live.url if live else "",
        segment=None,
        first_name=None,
        rep_first_name=rep.name.split()[0],
    )
    written = await writer.write("nudge", context, proactive_settings(org)["allowed_link_domains"])
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.status != "active" or conversation.meta.nudged:
            return
        with edit_meta(conversation) as meta:
            meta.nudged = True
        await conversations.add_message(
            work,
            conversation,
            author_kind="rep",
            body=written.text,
            author_rep=rep,
            meta={"auto_pounce": True, "nudge": True},
        )


async def on_first_visitor_reply(
    work: UnitOfWork, conversation: Conversation, message: MessageOut
) -> None:
    """The first visitor reply to any proactive conversation counts; to an auto pounce it also
    alerts the mimicked rep, who must act within the org's rep timeout. (The conversations
    service runs this hook once per conversation and marks it `visitor_replied`.)"""
    if conversation.origin not in ("pounce", "auto_pounce", "invitation"):
        return
    now = work.now_clock.now()
    if conversation.origin != "invitation":  # counted when the invitation was accepted
        await record(
            work.session,
            conversation.org_id,
            "reply",
            now,
            rep_id=conversation.owner_rep_id,
            visitor_id=conversation.visitor_id,
            conversation_id=conversation.id,
            channel=conversation.origin,
        )
    if conversation.origin == "auto_pounce":
        org = await work.session.get(Org, conversation.org_id)
        assert org is not None
        timeout = proactive_settings(org)["rep_timeout_seconds"]
        with edit_meta(conversation) as meta:
            meta.awaiting_rep_since = now
            meta.rep_timeout_at = now + timedelta(seconds=timeout)
        await deadlines.cancel(work.session, kind=KIND_NUDGE, subject_id=conversation.id, now=now)
        await deadlines.schedule(
            work.session,
            kind=KIND_REP_TIMEOUT,
            subject_id=conversation.id,
            due_at=now + timedelta(seconds=timeout),
            now=now,
            org_id=conversation.org_id,
        )
    await conversations.emit_conversation_changed(work, conversation)


async def _clear_alert(
    work: UnitOfWork, conversation: Conversation, resolution: AutoPounceResolution
) -> None:
    if conversation.meta.awaiting_rep_since is None:
        return
    with edit_meta(conversation) as meta:
        meta.awaiting_rep_since = None
        meta.rep_timeout_at = None
        meta.auto_pounce_resolution = resolution
    await deadlines.cancel(
        work.session, kind=KIND_REP_TIMEOUT, subject_id=conversation.id, now=work.now_clock.now()
    )
    await conversations.emit_conversation_changed(work, conversation)


async def on_rep_replied(work: UnitOfWork, conversation: Conversation, message: MessageOut) -> None:
    if message.meta.get("auto_pounce"):
        return
    await _clear_alert(work, conversation, "replied")


async def resolve_auto_pounce(
    runtime: Runtime,
    actor: Authenticated,
    conversation_id: str,
    action: Literal["spam", "no_response_needed"],
) -> None:
    """'Spam' ends the chat; 'No response needed' keeps it open. Either clears the alert."""
    async with runtime.uow() as work:
        conversation = await conversations.get_conversation(work.session, actor, conversation_id)
        if conversation.owner_rep_id != actor.rep.id and not actor.is_admin:
            raise Forbidden("only the rep auto pounce spoke for can resolve this")
        if conversation.meta.awaiting_rep_since is None:
            raise Conflict("nothing is waiting for your response in this conversation")
        await _clear_alert(work, conversation, action)
        # A marker in the transcript, for reps only: who decided, and what it did to the chat.
        open_now = conversation.status in conversations.OPEN_STATUSES
        marker = (
            f"Marked as spam by {actor.rep.name}" + (": the chat was ended." if open_now else ".")
            if action == "spam"
            else f"Marked “No response needed” by {actor.rep.name}."
        )
        await conversations.add_message(
            work, conversation, author_kind="system", body=marker, internal=True
        )
        if action == "spam" and open_now:
            await conversations.close_conversation(
                work, conversation, status="ended", reason="spam"
            )


async def on_rep_timeout(runtime: Runtime, deadline: DueDeadline) -> None:
    async with runtime.uow() as work:
        conversation = await work.session.get(Conversation, deadline.subject_id)
        if conversation is None or conversation.meta.awaiting_rep_since is None:
            return
        now = work.now_clock.now()
        rep = (
            await work.session.get(Rep, conversation.owner_rep_id)
            if conversation.owner_rep_id
            else None
        )
        visitor = await work.session.get(Visitor, conversation.visitor_id)
        await _clear_alert(work, conversation, "missed")
        await record(
            work.session,
            conversation.org_id,
            "missed_response",
            now,
            rep_id=rep.id if rep else None,
            visitor_id=conversation.visitor_id,
            conversation_id=conversation.id,
        )
        if rep is not None:
            who = (visitor.name or visitor.email) if visitor else None
            rep.auto_pounce_enabled = False
            rep.auto_pounce_off_reason = (
                f"Missed response: {who or 'a visitor'} replied to an auto pounce at {now:%H:%M} UTC and nobody answered "
                "within the rep timeout. Auto pounce is off until you turn it on again."
            )
            await conversations.add_message(
                work,
                conversation,
                author_kind="system",
                body=f"Missed response: auto pounce is now off for {rep.name}.",
                internal=True,
            )
            work.emit([org_topic(rep.org_id)], rep_changed(rep))


# ---- counts --------------------------------------------------------------------------------

COUNTED = (
    "pounce",
    "invitation_sent",
    "invitation_accepted",
    "invitation_expired",
    "auto_pounce",
    "reply",
    "missed_response",
)


async def daily_counts(
    session: AsyncSession, actor: Authenticated, since: datetime
) -> list[DailyCounts]:
    query = select(ProactiveEvent.rep_id, ProactiveEvent.kind, ProactiveEvent.at).where(
        ProactiveEvent.org_id == actor.org_id, ProactiveEvent.at >= since
    )
    if not actor.sees_every_rep:  # a report: admins and team leads read every rep's
        query = query.where(ProactiveEvent.rep_id == actor.rep.id)
    table: dict[tuple[str, str | None], dict[str, Any]] = {}
    for rep_id, kind, at in (await session.execute(query)).all():
        row = table.setdefault(
            (at.date().isoformat(), rep_id),
            {"date": at.date().isoformat(), "rep_id": rep_id, **dict.fromkeys(COUNTED, 0)},
        )
        row[kind] = row.get(kind, 0) + 1
    names = {
        r.id: r.name
        for r in (await session.execute(select(Rep).where(Rep.org_id == actor.org_id))).scalars()
    }
    rows = sorted(table.values(), key=lambda r: (r["date"], names.get(r["rep_id"], "")))
    return [DailyCounts(**row, rep_name=names.get(row["rep_id"])) for row in rows]
