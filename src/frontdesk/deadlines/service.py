from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.clock import Clock
from frontdesk.core.ids import new_id
from frontdesk.core.metrics import count_error
from frontdesk.deadlines.models import Deadline
from frontdesk.storage.db import Database

log = logging.getLogger("frontdesk.deadlines")

# A claimed deadline whose handler has not finished within the lease is claimed again by any
# process: that is how a deadline survives a process killed mid-handler.
CLAIM_LEASE_SECONDS = 30
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DueDeadline:
    id: str
    org_id: str | None
    kind: str
    subject_id: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int


DeadlineHandler = Callable[[DueDeadline], Awaitable[None]]


async def schedule(
    session: AsyncSession,
    *,
    kind: str,
    subject_id: str,
    due_at: datetime,
    now: datetime,
    org_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Schedule (or move) the one pending deadline of this kind for this subject."""
    values = {
        "id": new_id(),
        "org_id": org_id,
        "kind": kind,
        "subject_id": subject_id,
        "due_at": due_at,
        "payload": payload or {},
        "claimed_by": None,
        "claimed_until": None,
        "done_at": None,
        "outcome": None,
        "attempts": 0,
        "created_at": now,
    }
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Deadline).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "subject_id"],
        set_={
            "due_at": statement.excluded.due_at,
            "payload": statement.excluded.payload,
            "org_id": statement.excluded.org_id,
            "claimed_by": None,
            "claimed_until": None,
            "done_at": None,
            "outcome": None,
            "attempts": 0,
        },
    )
    await session.execute(statement)


async def cancel(session: AsyncSession, *, kind: str, subject_id: str, now: datetime) -> None:
    """Cancel the pending deadline. One being fired right now is left to its handler, which
    checks the subject's state anyway, so its row ends as 'fired' rather than 'cancelled'."""
    await session.execute(
        update(Deadline)
        .where(
            Deadline.kind == kind,
            Deadline.subject_id == subject_id,
            Deadline.done_at.is_(None),
            or_(Deadline.claimed_until.is_(None), Deadline.claimed_until < now),
        )
        .values(done_at=now, outcome="cancelled")
    )


class Sweeper:
    """Claims due deadlines atomically (once across processes) and runs their handlers."""

    def __init__(self, db: Database, clock: Clock, interval: float = 1.0) -> None:
        self._db = db
        self._clock = clock
        self._interval = interval
        self._handlers: dict[str, DeadlineHandler] = {}
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{new_id()[:8]}"
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def register(self, kind: str, handler: DeadlineHandler) -> None:
        self._handlers[kind] = handler

    async def _claim(self, limit: int) -> list[DueDeadline]:
        now = self._clock.now()
        lease = now + timedelta(seconds=CLAIM_LEASE_SECONDS)
        due = (
            select(Deadline.id)
            .where(
                Deadline.done_at.is_(None),
                Deadline.due_at <= now,
                or_(Deadline.claimed_until.is_(None), Deadline.claimed_until < now),
            )
            .order_by(Deadline.due_at)
            .limit(limit)
        )
        # Most sweeps find nothing due: a read says so for a fifth of the claim's cost (a
        # write transaction through the ORM, 2-3 ms of the event loop every second on SQLite,
        # bench/file_upload.py --loop-lag). Deadlines that come due meanwhile wait for the next
        # sweep, as they would have anyway.
        if await self._db.read_value(due.with_only_columns(Deadline.id).limit(1)) is None:
            return []
        if self._db.is_postgres:
            due = due.with_for_update(skip_locked=True)
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    update(Deadline)
                    .where(Deadline.id.in_(due.scalar_subquery()))
                    .values(
                        claimed_by=self.worker_id,
                        claimed_until=lease,
                        attempts=Deadline.attempts + 1,
                    )
                    .returning(
                        Deadline.id,
                        Deadline.org_id,
                        Deadline.kind,
                        Deadline.subject_id,
                        Deadline.due_at,
                        Deadline.payload,
                        Deadline.attempts,
                    )
                    .execution_options(synchronize_session=False)
                )
            ).all()
        return [DueDeadline(*row) for row in rows]

    async def _finish(self, deadline: DueDeadline, outcome: str) -> None:
        async with self._db.transaction() as session:
            # Only if nobody moved it meanwhile: a rescheduled deadline stays pending.
            await session.execute(
                update(Deadline)
                .where(
                    and_(
                        Deadline.id == deadline.id,
                        Deadline.claimed_by == self.worker_id,
                        Deadline.due_at == deadline.due_at,
                        Deadline.done_at.is_(None),
                    )
                )
                .values(done_at=self._clock.now(), outcome=outcome, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def run_due(self, limit: int = 100) -> int:
        """Fire every deadline due now; returns how many handlers ran to completion."""
        fired = 0
        while True:
            batch = await self._claim(limit)
            if not batch:
                return fired
            for deadline in batch:
                handler = self._handlers.get(deadline.kind)
                if handler is None:
                    log.error("no handler for deadline kind", extra={"kind": deadline.kind})
                    await self._finish(deadline, "failed")
                    continue
                try:
                    await handler(deadline)
                except Exception:
                    count_error("deadline")
                    log.exception(
                        "deadline handler failed",
                        extra={"kind": deadline.kind, "subject": deadline.subject_id},
                    )
                    if deadline.attempts >= MAX_ATTEMPTS:
                        await self._finish(deadline, "failed")
                    continue
                await self._finish(deadline, "fired")
                fired += 1
            if len(batch) < limit:
                return fired

    def poke(self) -> None:
        """Run a sweep soon (a test moved the clock, or a short deadline was scheduled)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline sweep failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="deadline-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def oldest_due_lag(db: Database, now: datetime) -> float:
    """Seconds the oldest due, unfinished deadline has waited (0 when none): a sweeper that
    falls behind, or none running, shows here (the deadline-lag metric)."""
    async with db.read() as session:
        oldest = (
            await session.execute(
                select(func.min(Deadline.due_at)).where(
                    Deadline.done_at.is_(None), Deadline.due_at <= now
                )
            )
        ).scalar_one_or_none()
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())
