"""Retention: each org's data older than its policy, deleted in the background in small batches.

One timer per org with a policy (deadline kind `privacy.retention`, subject the org's id) runs
on the deadline sweeper, so exactly one process purges an org at a time whatever the number
of processes, and a process killed mid-purge is replaced by another once the claim lapses.
A run deletes `retention_batch` rows per transaction, for at most RUN_BUDGET_SECONDS, then
sets its timer again. Live chat goes on meanwhile (issue 19's bar: chat p99 during a purge of
1,000,000 page views within 2x of without, bench/retention_purge.py):
- each transaction is short: a batch's rows are found through an index in key order (page
  views by (org_id, viewed_at, id), carrying on after the last key deleted, so no batch walks
  over what earlier batches deleted) and deleted by primary key;
- the transactions run off the event loop (Database.in_background: on SQLite a thread with
  a connection of its own, each batch one BEGIN IMMEDIATE transaction from start to commit on
  that thread, so the server's connection waits at most one batch for the write lock;
  PostgreSQL's statements are never on the loop);
- after each batch the purge pauses in proportion to the batch's duration, so it uses at most
  DUTY_CYCLE of the database's time, whatever the machine's speed or load.
Then:
a second later while there is more to delete, `retention_interval` seconds later once
nothing older than the policy is left. Deleting is idempotent: a run that dies half way left
only whole batches deleted, and the next run deletes what is still older than the policy.

What goes (docs/operations.md, "Retention"), each with everything attached to it:
- visitors not seen for `visitors_days` (and without an open chat): as erase does, except
  that meetings they booked are kept (appointments in reps' calendars) without the link;
- ended chats older than `conversations_days`: messages, files, calls, phone legs, meeting offers,
  offline messages, timers, and the copilot's past answers taken from them; invitations,
  proactive events, reports and meetings stay, without the link to the chat;
- transcripts of ended chats older than `transcripts_days`: the messages, files sent in the
  chat (rows and stored bytes), offline messages and copilot past answers; the chat's row stays (reports count it) with
  `transcript_deleted_at` set;
- visits whose last page is older than `visits_days` (IP address, user agent, referrer,
  UTM, enrichment), with their page views;
- page views older than `page_views_days`;
- and, from the shortest of those periods: delivered or failed webhook deliveries (their
  payloads hold transcripts) and finished timers.
When a run that deleted anything has nothing more to delete, one audit log entry says what it
deleted, in total, under the policy of the time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.metrics import count_error
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.models import Deadline
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features import audit, files
from frontdesk.features.blocking.models import VisitorReport
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations import OPEN_STATUSES
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.models import CopilotOrg, KnowledgeItem, Passage
from frontdesk.features.experiences.models import OfflineMessage
from frontdesk.features.meetings.models import Meeting, MeetingOffer
from frontdesk.features.orgs.models import Org
from frontdesk.features.privacy.settings import RetentionSettings, privacy_settings
from frontdesk.features.proactive.models import Invitation, ProactiveEvent
from frontdesk.features.telephony.models import PhoneLeg
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.features.webhooks.models import WebhookDelivery
from frontdesk.runtime import Runtime, UnitOfWork

log = logging.getLogger("frontdesk.privacy.retention")

KIND_RETENTION = "privacy.retention"
# Well inside the sweeper's 30 s claim lease, and short enough that the other timers this
# process's sweeper runs one after another (a rep window, an invitation's expiry) wait at
# most this long behind a purge.
RUN_BUDGET_SECONDS = 2.0
# Between two runs of a purge that is not finished: the sweeper runs other due timers first.
CONTINUE_AFTER = timedelta(seconds=1)
# The share of time a purge spends in its transactions: after a batch that took t seconds it
# pauses t * (1 - DUTY_CYCLE) / DUTY_CYCLE.
DUTY_CYCLE = 0.25


class Tally(Counter[str]):
    """Rows deleted per table, and the file store keys of deleted chat files, whose bytes are
    deleted once the transaction that removed their rows has committed."""

    def __init__(self) -> None:
        super().__init__()
        self.file_keys: list[str] = []
        # Where the page view batches carry on: the (viewed_at, id) of the last one deleted.
        self.page_views_after: tuple[datetime, str] | None = None


@dataclass
class RetentionRun:
    deleted: Tally = field(default_factory=Tally)
    # Nothing older than the policy is left (False: the budget ran out first).
    done: bool = True


def _cutoff(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def _ids(session: AsyncSession, query: Any) -> list[str]:
    return list((await session.execute(query)).scalars())


async def _delete_some(session: AsyncSession, model: Any, batch: int, *conditions: Any) -> int:
    """Deletes at most `batch` rows of `model` matching `conditions` (by id, through a limited
    subquery: DELETE ... LIMIT is not portable); how many went."""
    some = select(model.id).where(*conditions).limit(batch).scalar_subquery()
    return _count(
        await session.execute(
            delete(model).where(model.id.in_(some)).execution_options(synchronize_session=False)
        )
    )


# ---- what goes with a chat, and with a visitor ---------------------------------------------


async def _delete_past_answers(
    session: AsyncSession, org_id: str, conversation_ids: Sequence[str], deleted: Tally
) -> None:
    """The copilot's past answers taken from these chats (features/copilot/knowledge.py), with
    their passages; the org's copilot index is then stale (its version moves)."""
    items = await _ids(
        session,
        select(KnowledgeItem.id).where(
            KnowledgeItem.org_id == org_id,
            KnowledgeItem.kind == "past_answer",
            KnowledgeItem.ref_id.in_(conversation_ids),
        ),
    )
    if not items:
        return
    deleted["copilot_passages"] += _count(
        await session.execute(delete(Passage).where(Passage.item_id.in_(items)))
    )
    deleted["copilot_items"] += _count(
        await session.execute(delete(KnowledgeItem).where(KnowledgeItem.id.in_(items)))
    )
    await session.execute(
        update(CopilotOrg)
        .where(CopilotOrg.org_id == org_id)
        .values(version=CopilotOrg.version + 1)
        .execution_options(synchronize_session=False)
    )


async def _delete_transcripts(
    session: AsyncSession, org_id: str, conversation_ids: Sequence[str], deleted: Tally
) -> None:
    # Files sent in the chats: the rows now, the bytes after the commit (purge_org).
    keys = await files.forget_files(session, conversation_ids)
    deleted["chat_files"] += len([key for key in keys if key.endswith(".bin")])
    deleted.file_keys.extend(keys)
    deleted["messages"] += _count(
        await session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    )
    deleted["offline_messages"] += _count(
        await session.execute(
            delete(OfflineMessage).where(OfflineMessage.conversation_id.in_(conversation_ids))
        )
    )
    await _delete_past_answers(session, org_id, conversation_ids, deleted)


async def _delete_calls(session: AsyncSession, condition: Any, deleted: Tally) -> None:
    call_ids = await _ids(session, select(Call.id).where(condition))
    if call_ids:
        deleted["deadlines"] += _count(
            await session.execute(delete(Deadline).where(Deadline.subject_id.in_(call_ids)))
        )
        deleted["calls"] += _count(await session.execute(delete(Call).where(Call.id.in_(call_ids))))


async def _delete_conversations(
    session: AsyncSession, org_id: str, conversation_ids: Sequence[str], deleted: Tally
) -> None:
    """Whole chats: what is only about the chat goes with it, what counts on its own stays
    without the link (synchronize_session=False throughout: no ORM objects are loaded)."""
    if not conversation_ids:
        return
    await _delete_transcripts(session, org_id, conversation_ids, deleted)
    in_chats = conversation_ids
    deleted["meeting_offers"] += _count(
        await session.execute(
            delete(MeetingOffer).where(MeetingOffer.conversation_id.in_(in_chats))
        )
    )
    for model in (Meeting, ProactiveEvent, VisitorReport, Invitation):
        column = model.conversation_id
        await session.execute(
            update(model)
            .where(column.in_(in_chats))
            .values(conversation_id=None)
            .execution_options(synchronize_session=False)
        )
    deleted["phone_legs"] += _count(
        await session.execute(delete(PhoneLeg).where(PhoneLeg.conversation_id.in_(in_chats)))
    )
    await _delete_calls(session, Call.conversation_id.in_(in_chats), deleted)
    deleted["deadlines"] += _count(
        await session.execute(delete(Deadline).where(Deadline.subject_id.in_(in_chats)))
    )
    deleted["conversations"] += _count(
        await session.execute(delete(Conversation).where(Conversation.id.in_(in_chats)))
    )


def _open_chat_of(visitor_id: Any) -> Any:
    return exists().where(
        Conversation.visitor_id == visitor_id, Conversation.status.in_(OPEN_STATUSES)
    )


async def _delete_visitors(
    session: AsyncSession, org_id: str, visitor_ids: Sequence[str], deleted: Tally
) -> None:
    """Whole visitors, as erase does (features/privacy/service.py), but meetings they booked
    stay, without the link to them."""
    conversation_ids = await _ids(
        session, select(Conversation.id).where(Conversation.visitor_id.in_(visitor_ids))
    )
    await _delete_conversations(session, org_id, conversation_ids, deleted)
    invitation_ids = await _ids(
        session, select(Invitation.id).where(Invitation.visitor_id.in_(visitor_ids))
    )
    contact_ids = [
        c
        for c in await _ids(
            session, select(Visitor.contact_id).where(Visitor.id.in_(visitor_ids)).distinct()
        )
        if c
    ]
    deleted["deadlines"] += _count(
        await session.execute(
            delete(Deadline).where(Deadline.subject_id.in_([*visitor_ids, *invitation_ids]))
        )
    )
    for name, model in (
        ("invitations", Invitation),
        ("proactive_events", ProactiveEvent),
        ("visitor_reports", VisitorReport),
        ("offline_messages", OfflineMessage),
        ("phone_legs", PhoneLeg),
        ("meeting_offers", MeetingOffer),
    ):
        column = model.visitor_id
        deleted[name] += _count(await session.execute(delete(model).where(column.in_(visitor_ids))))
    await _delete_calls(session, Call.visitor_id.in_(visitor_ids), deleted)
    await session.execute(
        update(Meeting)
        .where(Meeting.visitor_id.in_(visitor_ids))
        .values(visitor_id=None)
        .execution_options(synchronize_session=False)
    )
    deleted["page_views"] += _count(
        await session.execute(delete(PageView).where(PageView.visitor_id.in_(visitor_ids)))
    )
    deleted["visits"] += _count(
        await session.execute(delete(Visit).where(Visit.visitor_id.in_(visitor_ids)))
    )
    deleted["visitors"] += _count(
        await session.execute(delete(Visitor).where(Visitor.id.in_(visitor_ids)))
    )
    if contact_ids:
        # A contact (a verified email) goes with its last visitor.
        deleted["contacts"] += _count(
            await session.execute(
                delete(Contact).where(
                    Contact.id.in_(contact_ids),
                    ~exists().where(Visitor.contact_id == Contact.id),
                )
            )
        )


# ---- one batch of each kind ----------------------------------------------------------------
# Each takes the org, the cutoff, the batch size and the counter; returns whether it found a
# full batch (there may be more).

Step = Callable[[AsyncSession, str, datetime, int, Tally, datetime], Awaitable[bool]]


async def _visitors_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    ids = await _ids(
        session,
        select(Visitor.id)
        .where(
            Visitor.org_id == org_id,
            Visitor.last_seen_at < cutoff,
            ~_open_chat_of(Visitor.id),
        )
        .limit(batch),
    )
    if ids:
        await _delete_visitors(session, org_id, ids, deleted)
    return len(ids) == batch


def _ended_before(cutoff: datetime) -> Any:
    return (
        Conversation.status.not_in(OPEN_STATUSES),
        Conversation.created_at < cutoff,
        or_(Conversation.ended_at.is_(None), Conversation.ended_at < cutoff),
    )


async def _conversations_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    ids = await _ids(
        session,
        select(Conversation.id)
        .where(Conversation.org_id == org_id, *_ended_before(cutoff))
        .limit(batch),
    )
    await _delete_conversations(session, org_id, ids, deleted)
    return len(ids) == batch


async def _transcripts_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    ids = await _ids(
        session,
        select(Conversation.id)
        .where(
            Conversation.org_id == org_id,
            Conversation.transcript_deleted_at.is_(None),
            *_ended_before(cutoff),
        )
        .limit(batch),
    )
    if ids:
        await _delete_transcripts(session, org_id, ids, deleted)
        deleted["transcripts"] += _count(
            await session.execute(
                update(Conversation)
                .where(Conversation.id.in_(ids))
                .values(transcript_deleted_at=now)
                .execution_options(synchronize_session=False)
            )
        )
    return len(ids) == batch


async def _visits_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    ids = await _ids(
        session,
        select(Visit.id).where(Visit.org_id == org_id, Visit.last_seen_at < cutoff).limit(batch),
    )
    if ids:
        deleted["page_views"] += _count(
            await session.execute(delete(PageView).where(PageView.visit_id.in_(ids)))
        )
        deleted["visits"] += _count(await session.execute(delete(Visit).where(Visit.id.in_(ids))))
    return len(ids) == batch


async def _page_views_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    """One key range of page views: the batch's last key is found in the index (one
    index-only read), then the rows from the previous batch's last key up to it go in one
    DELETE statement, which on SQLite runs in autocommit (AUTOCOMMIT_STEPS): the write lock is
    taken and released within that one statement, never held while Python runs. The rows are
    picked by a LIMITed subquery on the index and deleted by primary key: with a bare range
    condition PostgreSQL's planner, which cannot estimate a row comparison's selectivity,
    read the whole table for each batch (560 ms for 100 of 1,000,000 rows)."""
    key = tuple_(PageView.viewed_at, PageView.id)
    after = deleted.page_views_after
    since = [key > after] if after is not None else []
    in_range = [PageView.org_id == org_id, PageView.viewed_at < cutoff, *since]
    last = (
        await session.execute(
            select(PageView.viewed_at, PageView.id)
            .where(*in_range)
            .order_by(PageView.viewed_at, PageView.id)
            .offset(batch - 1)
            .limit(1)
        )
    ).first()
    if last is not None:
        in_range.append(key <= (last.viewed_at, last.id))
    rows = (
        select(PageView.id)
        .where(*in_range)
        .order_by(PageView.viewed_at, PageView.id)
        .limit(batch)
        .scalar_subquery()
    )
    deleted["page_views"] += _count(
        await session.execute(
            delete(PageView)
            .where(PageView.id.in_(rows))
            .execution_options(synchronize_session=False)
        )
    )
    if last is None:
        return False  # fewer than a batch were left: all gone
    deleted.page_views_after = (last.viewed_at, last.id)
    return True


async def _outbox_batch(
    session: AsyncSession,
    org_id: str,
    cutoff: datetime,
    batch: int,
    deleted: Tally,
    now: datetime,
) -> bool:
    """Webhook deliveries already delivered, failed or dropped (pending ones are still owed
    to their receiver), and finished timers."""
    found = await _delete_some(
        session,
        WebhookDelivery,
        batch,
        WebhookDelivery.org_id == org_id,
        WebhookDelivery.status != "pending",
        WebhookDelivery.created_at < cutoff,
    )
    deleted["webhook_deliveries"] += found
    timers = await _delete_some(
        session,
        Deadline,
        batch,
        Deadline.org_id == org_id,
        Deadline.done_at.is_not(None),
        Deadline.done_at < cutoff,
    )
    deleted["deadlines"] += timers
    return found == batch or timers == batch


# Steps whose batch writes with a single statement: run without a transaction around it.
AUTOCOMMIT_STEPS: frozenset[Step] = frozenset({_page_views_batch})


def _steps(policy: RetentionSettings, now: datetime) -> list[tuple[Step, datetime]]:
    """Widest first: deleting a visitor takes their visits and chats along."""
    steps: list[tuple[Step, datetime | None]] = [
        (_visitors_batch, _cutoff(now, policy.visitors_days)),
        (_conversations_batch, _cutoff(now, policy.conversations_days)),
        (_transcripts_batch, _cutoff(now, policy.transcripts_days)),
        (_visits_batch, _cutoff(now, policy.visits_days)),
        (_page_views_batch, _cutoff(now, policy.page_views_days)),
    ]
    chat_days = [
        d
        for d in (policy.transcripts_days, policy.conversations_days, policy.visitors_days)
        if d is not None
    ]
    steps.append((_outbox_batch, _cutoff(now, min(chat_days)) if chat_days else None))
    return [(step, cutoff) for step, cutoff in steps if cutoff is not None]


def _one_batch(
    step: Step, org_id: str, cutoff: datetime, batch: int, deleted: Tally, now: datetime
) -> Callable[[AsyncSession], Awaitable[bool]]:
    async def one_batch(session: AsyncSession) -> bool:
        return await step(session, org_id, cutoff, batch, deleted, now)

    return one_batch


async def purge_org(
    runtime: Runtime,
    org_id: str,
    policy: RetentionSettings,
    *,
    batch: int | None = None,
    budget: float | None = None,
) -> RetentionRun:
    """Delete what the policy no longer keeps, batch by batch, for up to `budget` seconds
    (RUN_BUDGET_SECONDS unless told)."""
    batch = batch or runtime.settings.retention_batch
    budget = RUN_BUDGET_SECONDS if budget is None else budget
    now = runtime.clock.now()
    run = RetentionRun()
    started = time.monotonic()
    for step, cutoff in _steps(policy, now):
        while True:
            batch_started = time.monotonic()
            more = await runtime.db.in_background(
                _one_batch(step, org_id, cutoff, batch, run.deleted, now),
                autocommit=step in AUTOCOMMIT_STEPS,
            )
            if run.deleted.file_keys:
                await files.delete_stored(runtime, run.deleted.file_keys)
                run.deleted.file_keys.clear()
            if not more:
                break
            took = time.monotonic() - batch_started
            if time.monotonic() - started + took > budget:
                run.done = False
                return run
            # Between two batches, a pause sized from the batch's duration: live chat gets at
            # least 1 - DUTY_CYCLE of the database. Without a pause, a purge of 1,000,000 page
            # views held chat messages back for seconds on a busy machine (bench/RESULTS.md).
            await asyncio.sleep(took * (1 - DUTY_CYCLE) / DUTY_CYCLE)
    return run


# ---- the timer -----------------------------------------------------------------------------


async def schedule_retention(
    session: AsyncSession, org_id: str, due_at: datetime, now: datetime, payload: dict[str, Any]
) -> None:
    await deadlines.schedule(
        session,
        kind=KIND_RETENTION,
        subject_id=org_id,
        due_at=due_at,
        now=now,
        org_id=org_id,
        payload=payload,
    )


async def on_org_settings_changed(work: UnitOfWork, org: Org, before: dict[str, Any]) -> None:
    """A new or changed policy is applied at once (the next sweep, on any process); a removed
    one stops the timer."""
    policy = privacy_settings(org).retention
    old = RetentionSettings.model_validate(((before.get("privacy") or {}).get("retention")) or {})
    if policy == old:
        return
    now = work.now_clock.now()
    if policy.configured():
        await schedule_retention(work.session, org.id, now, now, {})
    else:
        await deadlines.cancel(work.session, kind=KIND_RETENTION, subject_id=org.id, now=now)


async def on_retention_due(runtime: Runtime, deadline: DueDeadline) -> None:
    """One run of an org's purge; sets the timer for the next (see the module's docstring)."""
    org_id = deadline.subject_id
    async with runtime.db.read() as session:
        org = await session.get(Org, org_id)
    if org is None:
        return
    policy = privacy_settings(org).retention
    if not policy.configured():
        return
    totals: Counter[str] = Counter(deadline.payload.get("deleted") or {})
    run: RetentionRun | None
    try:
        run = await purge_org(runtime, org_id, policy)
    except Exception:
        # Logged and tried again at the next interval: a purge must never stop for good.
        log.exception("retention purge failed", extra={"org_id": org_id})
        count_error("retention")
        run = None
    now = runtime.clock.now()
    if run is not None:
        totals.update(run.deleted)
    finished = run is None or run.done
    if finished and +totals:
        await audit.record(
            runtime,
            org_id=org_id,
            actor_rep_id=None,
            actor_name="Retention policy",
            actor_kind="system",
            action="retention.purge",
            summary="Deleted data older than the retention policy",
            details={"deleted": dict(sorted((+totals).items())), "policy": policy.model_dump()},
        )
    async with runtime.db.transaction() as session:
        if finished:
            due = now + timedelta(seconds=runtime.settings.retention_interval)
            await schedule_retention(session, org_id, due, now, {})
        else:
            await schedule_retention(
                session, org_id, now + CONTINUE_AFTER, now, {"deleted": dict(totals)}
            )
