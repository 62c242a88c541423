"""What an inbound chat meets right now: reps outside business hours, reps at capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features.staffing.capacity import Load, load, lock_org_queue
from frontdesk.features.staffing.hours import HoursNow, hours_now

KIND_HOURS_REOPEN = "conversation.hours_reopen"
# What the bot says when a chat is queued and released is a messenger text ("serverQueued",
# "queuePlace", "serverReleased"), in the visitor's language (features/orgs/visitor_texts.py).


@dataclass
class ChatGate:
    hours: HoursNow
    load: Load

    @property
    def unavailable(self) -> set[str]:
        """Reps routing must skip now: outside hours, or at capacity."""
        full = {r for r in self.load.active if self.load.full(r)}
        return set(self.hours.off_reps) | full


async def gate_for_chat(session: AsyncSession, org_id: str, now: datetime) -> ChatGate:
    """Hours and load for the org now; with capacity limits, the org's queue lock is held
    until the transaction ends (so two chats cannot take one rep's last place)."""
    hours = await hours_now(session, org_id, now)
    found = await load(session, org_id)
    if found.limits.any:
        await lock_org_queue(session, org_id)
        found = await load(session, org_id)
    return ChatGate(hours, found)
