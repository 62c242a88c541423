"""The console's snapshot: everything a rep's live stream and inbox show, on connecting and
after every resync, in a fixed number of queries however many visitors and chats there are."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.features import audience, conversations
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.live_stream.cards import build_cards
from frontdesk.features.live_stream.events import RepPresence, Snapshot, SnapshotRep
from frontdesk.features.orgs import Authenticated, list_reps
from frontdesk.features.segments import display_order, list_segments, live_segment_out
from frontdesk.runtime import Runtime


async def build_snapshot(runtime: Runtime, actor: Authenticated) -> Snapshot:
    lives = await runtime.live.list_org(actor.org_id)
    async with runtime.db.transaction() as session:
        segments = display_order(await list_segments(session, actor.org_id, runtime.clock.now()))
        visible = [
            card
            for card, visibility in await build_cards(session, actor.org_id, lives, segments)
            if audience.rep_sees(actor, visibility)
        ]
        rows = await session.execute(
            select(Conversation)
            .where(
                Conversation.org_id == actor.org_id, Conversation.status.in_(("incoming", "active"))
            )
            .order_by(Conversation.created_at)
        )
        open_conversations = [c for c in rows.scalars() if audience.rep_sees_conversation(actor, c)]
        recent = await conversations.find_for_rep(session, actor, "recent", limit=50)
        summaries = await conversations.summaries(session, open_conversations + recent)
        reps = await list_reps(session, actor.org_id)
        me = next(r for r in reps if r.id == actor.rep.id)
    counts: dict[str | None, int] = {}
    for card in visible:
        counts[card.segment] = counts.get(card.segment, 0) + 1
    return Snapshot(
        rep=SnapshotRep(
            id=me.id,
            name=me.name,
            role=me.role,
            availability=me.availability,
            auto_pounce_enabled=me.auto_pounce_enabled,
            auto_pounce_off_reason=me.auto_pounce_off_reason,
            voice_video_enabled=me.voice_video_enabled,
        ),
        reps=[
            RepPresence(id=r.id, name=r.name, availability=r.availability, active=r.active)
            for r in reps
        ],
        visitors=visible,
        conversations=summaries,
        segments=[live_segment_out(s, counts.get(s.id, 0)) for s in segments],
        server_time=runtime.clock.now().isoformat(),
    )
