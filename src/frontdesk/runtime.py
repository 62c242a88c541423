"""The running parts every service needs, and the unit of work that writes then emits."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.bus import Bus
from frontdesk.core import tracing
from frontdesk.core.clock import Clock
from frontdesk.core.events import Event
from frontdesk.core.metrics import count_error
from frontdesk.core.ratelimit import RateLimiter as SharedRateLimiter
from frontdesk.deadlines.service import Sweeper
from frontdesk.live import LiveState, RateLimiter
from frontdesk.settings import Settings
from frontdesk.storage.db import Database

if TYPE_CHECKING:
    from frontdesk.features.enrichment import FirmographicsProvider, IpDirectory

log = logging.getLogger("frontdesk.runtime")

# Hooks let a later feature act inside another feature's transaction without the first feature
# importing it (experiences react to a new inbound chat, webhooks to an ended one, ...).
Hook = Callable[..., Awaitable[None]]


@dataclass
class UnitOfWork:
    session: AsyncSession
    now_clock: Clock
    runtime: Runtime
    pending: list[tuple[str, bytes]] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    async def run_hooks(self, name: str, *args: Any) -> None:
        for hook in self.runtime.hooks[name]:
            await hook(self, *args)

    def emit(self, topics: list[str] | tuple[str, ...], event: Event | bytes) -> None:
        """Queue an event for these bus topics; it is published only after the commit."""
        data = event if isinstance(event, bytes) else event.to_bytes()
        for topic in topics:
            self.pending.append((topic, data))


@dataclass
class Runtime:
    settings: Settings
    db: Database
    bus: Bus
    live: LiveState
    # Shared by every process (on Redis with several): sign-in attempts (core/ratelimit.py).
    rate_limiter: SharedRateLimiter
    # This process only, no round trip: visitor chat messages (see docs/architecture.md).
    local_rate_limiter: RateLimiter
    clock: Clock
    sweeper: Sweeper
    hooks: defaultdict[str, list[Hook]] = field(default_factory=lambda: defaultdict(list))
    ip_directory: IpDirectory | None = None
    firmographics: FirmographicsProvider | None = None
    # Per-process objects a feature keeps for the runtime's life (the conversations
    # feature's group-commit writer), keyed by "feature.name".
    state: dict[str, object] = field(default_factory=dict)

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        if tracing.enabled():
            with tracing.span("unit_of_work"):
                async with self.db.sessions() as session, session.begin() as transaction:
                    work = UnitOfWork(session, self.clock, self)
                    yield work
                    with tracing.span("db.commit"):
                        await transaction.commit()
                await self.publish_stored(work.pending)
            for callback in work.after_commit:
                callback()
            return
        async with self.db.transaction() as session:
            work = UnitOfWork(session, self.clock, self)
            yield work
        # Committed: now tell the world. Publishing is best-effort by design (clients replay
        # missed messages from the database), so a bus error must not undo a stored write.
        await self.publish_stored(work.pending)
        for callback in work.after_commit:
            callback()

    async def publish_stored(self, events: list[tuple[str, bytes]]) -> None:
        """Announce what is already committed. A bus failure is logged, not raised: the write
        stands and its caller is told so (an acknowledged chat message must not come back as an
        error); clients catch up from the database when they resume, and consoles take a fresh
        snapshot when the bus reconnects."""
        if not events:
            return
        if tracing.enabled():
            with tracing.span("bus.publish", {"frontdesk.events": len(events)}, kind="producer"):
                await self._publish_stored([(t, tracing.with_header(d)) for t, d in events])
            return
        await self._publish_stored(events)

    async def _publish_stored(self, events: list[tuple[str, bytes]]) -> None:
        # This process's subscribers get the events now; on Redis they are queued for the
        # other processes and go out in order in the background (bus/redis.py), so an
        # acknowledgement never waits for a Redis round trip.
        try:
            await self.bus.publish_many(events)
        except Exception:
            log.warning("could not publish %d stored event(s)", len(events), exc_info=True)
            count_error("bus_publish")

    async def publish(self, topics: list[str] | tuple[str, ...], event: Event) -> None:
        data = tracing.with_header(event.to_bytes())
        for topic in topics:
            await self.bus.publish(topic, data)


def org_topic(org_id: str) -> str:
    """Everything an org's rep consoles may need to see (each socket filters by access)."""
    return f"org.{org_id}"


def visitor_topic(visitor_id: str) -> str:
    return f"visitor.{visitor_id}"


def visitors_topic(org_id: str) -> str:
    """Control messages for every open visitor socket of an org (one subscription per process)."""
    return f"visitors.{org_id}"


def rep_topic(rep_id: str) -> str:
    return f"rep.{rep_id}"
