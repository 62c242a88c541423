"""Chat capacity: how many chats each rep takes at once, and the queue beyond everyone's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.clock import as_utc
from frontdesk.core.errors import Conflict
from frontdesk.features import conversations
from frontdesk.features.conversations import edit_meta
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import get_rep
from frontdesk.features.orgs.models import Rep
from frontdesk.features.staffing.models import ChatCapacity, QueuedChat, RepChatLimit
from frontdesk.features.staffing.schemas import (
    CapacityBody,
    CapacityOut,
    RepLimitBody,
    RepLoad,
)
from frontdesk.runtime import UnitOfWork

# Hook run when reps may have room again (a limit raised, a rep back to Available): the
# experiences feature offers queued chats to them.
CAPACITY_CHANGED_HOOK = "capacity.changed"


@dataclass
class Limits:
    default: int | None = None
    per_rep: dict[str, int] = field(default_factory=dict)
    overflow: str = "queue"
    queue_timeout_minutes: int = 30

    @property
    def any(self) -> bool:
        return self.default is not None or bool(self.per_rep)

    def of(self, rep_id: str) -> int | None:
        return self.per_rep.get(rep_id, self.default)


async def limits(session: AsyncSession, org_id: str) -> Limits:
    row = await session.get(ChatCapacity, org_id)
    per_rep = {
        str(r): int(m)
        for r, m in (
            await session.execute(
                select(RepChatLimit.rep_id, RepChatLimit.max_chats).where(
                    RepChatLimit.org_id == org_id
                )
            )
        ).tuples()
    }
    if row is None:
        return Limits(per_rep=per_rep)
    return Limits(row.default_max_chats, per_rep, row.overflow, row.queue_timeout_minutes)


async def active_counts(session: AsyncSession, org_id: str) -> dict[str, int]:
    """Each rep's open chats they own (status active)."""
    rows = await session.execute(
        select(Conversation.owner_rep_id, func.count())
        .where(
            Conversation.org_id == org_id,
            Conversation.status == "active",
            Conversation.owner_rep_id.is_not(None),
        )
        .group_by(Conversation.owner_rep_id)
    )
    return {str(r): int(n) for r, n in rows.tuples()}


@dataclass
class Load:
    limits: Limits
    active: dict[str, int]

    def room(self, rep_id: str) -> int | None:
        """Chats this rep can still take (None: no limit)."""
        limit = self.limits.of(rep_id)
        return None if limit is None else max(0, limit - self.active.get(rep_id, 0))

    def full(self, rep_id: str) -> bool:
        return self.room(rep_id) == 0


async def load(session: AsyncSession, org_id: str) -> Load:
    found = await limits(session, org_id)
    return Load(found, await active_counts(session, org_id) if found.any else {})


async def lock_org_queue(session: AsyncSession, org_id: str) -> None:
    """Serialise capacity decisions of one org across processes (its chat_capacity row, made
    if missing): two chats must not both take a rep's last place, nor two releases one chat."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(insert(ChatCapacity).values(org_id=org_id).on_conflict_do_nothing())
    await session.execute(
        select(ChatCapacity.org_id).where(ChatCapacity.org_id == org_id).with_for_update()
    )


async def pending_offers(
    session: AsyncSession, org_id: str, rep_ids: set[str], exclude: str
) -> int:
    """Inbound chats offered now (incoming, not queued, not outside hours) that these reps
    could take: each will take one place when accepted."""
    rows = await session.execute(
        select(Conversation.id, Conversation.routed_rep_ids, Conversation.meta).where(
            Conversation.org_id == org_id,
            Conversation.status == "incoming",
            Conversation.id != exclude,
        )
    )
    queued = {
        str(c)
        for c in (
            await session.execute(
                select(QueuedChat.conversation_id).where(QueuedChat.org_id == org_id)
            )
        ).scalars()
    }
    count = 0
    for conversation_id, routed, meta in rows.tuples():
        if conversation_id in queued or meta.offline or meta.away_until is not None:
            continue
        if not routed or rep_ids & set(routed):
            count += 1
    return count


async def queued_ids(session: AsyncSession, org_id: str) -> list[str]:
    rows = await session.execute(
        select(QueuedChat.conversation_id)
        .where(QueuedChat.org_id == org_id)
        .order_by(QueuedChat.queued_at, QueuedChat.conversation_id)
    )
    return [str(c) for c in rows.scalars()]


async def enqueue(work: UnitOfWork, conversation: Conversation) -> None:
    """Puts the chat at the back of the org's queue (the caller holds lock_org_queue)."""
    now = work.now_clock.now()
    last = (
        await work.session.execute(
            select(func.max(QueuedChat.queued_at)).where(QueuedChat.org_id == conversation.org_id)
        )
    ).scalar_one_or_none()
    # Strictly after the one before it, so the order is the arrival order even when two
    # chats arrive within the clock's resolution (or a test's frozen clock).
    if last is not None:
        now = max(now, as_utc(last) + timedelta(microseconds=1))
    work.session.add(
        QueuedChat(conversation_id=conversation.id, org_id=conversation.org_id, queued_at=now)
    )
    await work.session.flush()


async def dequeue(work: UnitOfWork, conversation: Conversation) -> bool:
    """Takes the chat out of the queue; False when it was not in it (another process took
    it out first)."""
    result = await work.session.execute(
        delete(QueuedChat).where(QueuedChat.conversation_id == conversation.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    with edit_meta(conversation) as meta:
        meta.queue_position = None
    return True


async def announce_positions(work: UnitOfWork, org_id: str) -> None:
    """Tells every queued visitor their place (1 = next), where it changed."""
    for position, conversation_id in enumerate(await queued_ids(work.session, org_id), start=1):
        conversation = await work.session.get(Conversation, conversation_id)
        if conversation is None or conversation.meta.queue_position == position:
            continue
        with edit_meta(conversation) as meta:
            meta.queue_position = position
        await conversations.emit_conversation_changed(work, conversation)


async def _limit_reached(work: UnitOfWork, org_id: str, rep: Rep) -> int | None:
    """The rep's limit when their active chats reach it (None: they have room)."""
    limit = (await limits(work.session, org_id)).of(rep.id)
    if limit is None:
        return None
    active = (
        await work.session.execute(
            select(func.count()).where(
                Conversation.org_id == org_id,
                Conversation.status == "active",
                Conversation.owner_rep_id == rep.id,
            )
        )
    ).scalar_one()
    return limit if active >= limit else None


def _chats(limit: int) -> str:
    return f"{limit} chat{'s' if limit != 1 else ''}"


async def check_room_to_accept(work: UnitOfWork, conversation: Conversation, rep: Rep) -> None:
    """A rep at capacity cannot take another chat (hook before a rep accepts one)."""
    limit = await _limit_reached(work, conversation.org_id, rep)
    if limit is not None:
        raise Conflict(f"you're at your limit of {_chats(limit)}; end one to take another")


async def check_room_for_transfer(
    work: UnitOfWork, conversation: Conversation, target: Rep
) -> None:
    """Nor can a chat be handed to a rep at capacity (hook before a transfer)."""
    limit = await _limit_reached(work, conversation.org_id, target)
    if limit is not None:
        raise Conflict(f"{target.name} is at their limit of {_chats(limit)}")


# ---- admin -------------------------------------------------------------------------------


async def capacity_out(session: AsyncSession, org_id: str) -> CapacityOut:
    found = await limits(session, org_id)
    active = await active_counts(session, org_id)
    reps = list(
        (
            await session.execute(
                select(Rep).where(Rep.org_id == org_id, Rep.active.is_(True)).order_by(Rep.name)
            )
        ).scalars()
    )
    queued = (
        await session.execute(select(func.count()).where(QueuedChat.org_id == org_id))
    ).scalar_one()
    out = []
    for rep in reps:
        limit = found.of(rep.id)
        n = active.get(rep.id, 0)
        out.append(
            RepLoad(
                rep_id=rep.id,
                name=rep.name,
                active_chats=n,
                max_chats=limit,
                own_limit=found.per_rep.get(rep.id),
                at_capacity=limit is not None and n >= limit,
            )
        )
    return CapacityOut(
        default_max_chats=found.default,
        overflow=found.overflow,
        queue_timeout_minutes=found.queue_timeout_minutes,
        queued=int(queued),
        reps=out,
    )


async def set_capacity(work: UnitOfWork, org_id: str, body: CapacityBody) -> None:
    session = work.session
    await lock_org_queue(session, org_id)
    row = await session.get(ChatCapacity, org_id)
    assert row is not None
    row.default_max_chats = body.default_max_chats
    row.overflow = body.overflow
    row.queue_timeout_minutes = body.queue_timeout_minutes
    await session.flush()
    await work.run_hooks(CAPACITY_CHANGED_HOOK, org_id)


async def set_rep_limit(work: UnitOfWork, org_id: str, rep_id: str, body: RepLimitBody) -> None:
    session = work.session
    await get_rep(session, org_id, rep_id)  # NotFound for another org's rep
    await lock_org_queue(session, org_id)
    row = await session.get(RepChatLimit, rep_id)
    if body.max_chats is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(RepChatLimit(rep_id=rep_id, org_id=org_id, max_chats=body.max_chats))
    else:
        row.max_chats = body.max_chats
    await session.flush()
    await work.run_hooks(CAPACITY_CHANGED_HOOK, org_id)


def queue_deadline(found: Limits, now: datetime) -> datetime:
    return now + timedelta(minutes=found.queue_timeout_minutes)
