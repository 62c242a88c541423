"""One-click transfer of a rep's other chats when a call starts (product docs: "How to Transfer
a Chat During a Qualified Call"): every active chat of the rep but the call's goes to an
available colleague, without the rep leaving the call to pick owners one by one."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from frontdesk.core.errors import Conflict, FrontdeskError
from frontdesk.features import conversations
from frontdesk.features.calls.models import Call
from frontdesk.features.calls.schemas import ChatHandedOver, ChatKept, OtherChatsTransferred
from frontdesk.features.calls.service import LIVE_STATES
from frontdesk.features.conversations.events import RepBrief
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.runtime import Runtime

NOTE = "Transferred during a call"


async def transfer_other_chats(runtime: Runtime, actor: Authenticated) -> OtherChatsTransferred:
    """Each of the rep's other active chats goes to an available colleague: one the chat is
    routed to if there is one, else anyone available; the least busy first (their active
    chats), so the chats spread out. Each transfer is the ordinary one (conversations.transfer:
    the visitor is told, the colleague is alerted that a visitor is waiting)."""
    async with runtime.db.read() as session:
        on_call = set(
            (
                await session.execute(
                    select(Call.conversation_id).where(
                        Call.org_id == actor.org_id,
                        Call.rep_id == actor.rep.id,
                        Call.state.in_(LIVE_STATES),
                    )
                )
            ).scalars()
        )
        if not on_call:
            raise Conflict("you're not on a call: transfer chats from Visitor 360 instead")
        chats = [
            c
            for c in (
                await session.execute(
                    select(Conversation)
                    .where(
                        Conversation.org_id == actor.org_id,
                        Conversation.owner_rep_id == actor.rep.id,
                        Conversation.status == "active",
                    )
                    .order_by(Conversation.created_at)
                )
            ).scalars()
            if c.id not in on_call
        ]
        colleagues = [
            r
            for r in (
                await session.execute(
                    select(Rep).where(
                        Rep.org_id == actor.org_id,
                        Rep.active.is_(True),
                        Rep.availability == "available",
                        Rep.id != actor.rep.id,
                    )
                )
            ).scalars()
        ]
        rows = (
            await session.execute(
                select(Conversation.owner_rep_id, func.count())
                .where(
                    Conversation.org_id == actor.org_id,
                    Conversation.status == "active",
                    Conversation.owner_rep_id.in_([r.id for r in colleagues]),
                )
                .group_by(Conversation.owner_rep_id)
            )
        ).all()
        load: Counter[str] = Counter({str(owner): int(n) for owner, n in rows})
    transferred: list[ChatHandedOver] = []
    kept: list[ChatKept] = []
    for chat in chats:
        routed = [r for r in colleagues if r.id in (chat.routed_rep_ids or [])]
        pool = routed or colleagues
        if not pool:
            kept.append(ChatKept(conversation_id=chat.id, reason="nobody else is available"))
            continue
        target = min(pool, key=lambda r: (load[r.id], r.name, r.id))
        try:
            await conversations.transfer(runtime, actor, chat.id, target.id, NOTE)
        except FrontdeskError as error:  # ended, or the colleague went away meanwhile
            kept.append(ChatKept(conversation_id=chat.id, reason=error.message))
            continue
        load[target.id] += 1
        transferred.append(
            ChatHandedOver(conversation_id=chat.id, to_rep=RepBrief(id=target.id, name=target.name))
        )
    return OtherChatsTransferred(transferred=transferred, kept=kept)
