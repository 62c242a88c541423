"""The admin audit log: who changed an org's setup, what, and when.

Transport records every successful change an admin request makes (segments, routing, teams,
reps, blocks, settings, experiences, webhooks, accounts, API tokens, ...: every non-GET
request to an admin-only operation, and blocking a visitor) right after it succeeded, with
the request's body minus anything secret. It is written in its own transaction after the
change committed: should that write fail, the change stands and the failure is logged
(`audit entry not written`), so the log can miss an entry but never shows a change that did
not happen.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, cast

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features.audit.models import AuditEntry
from frontdesk.features.audit.schemas import AuditEntryOut, AuditPage
from frontdesk.runtime import Runtime

REDACTED = "[redacted]"
SECRET_WORDS = ("password", "secret", "token", "hash")
MAX_DETAILS_BYTES = 8_000


def new_entry_id() -> str:
    """32 hex characters that sort by when they were made: the wall clock in nanoseconds,
    then 64 random bits. Newest first is then `ORDER BY id DESC`, whatever the clock column
    says (several entries in one instant, or a test's frozen clock)."""
    return f"{time.time_ns():016x}{secrets.token_hex(8)}"


def redact(value: Any) -> Any:
    """The value with every field whose name mentions a secret replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if any(word in str(key).lower() for word in SECRET_WORDS)
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


async def record(
    runtime: Runtime,
    *,
    org_id: str,
    actor_rep_id: str | None,
    actor_name: str,
    actor_kind: str,
    action: str,
    summary: str,
    target: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
    api_token_id: str | None = None,
    ip: str | None = None,
    request_id: str | None = None,
) -> None:
    cleaned = redact(details or {})
    if len(orjson.dumps(cleaned)) > MAX_DETAILS_BYTES:
        cleaned = {"truncated": True, "fields": sorted(cleaned)[:50]}
    async with runtime.db.transaction() as session:
        session.add(
            AuditEntry(
                id=new_entry_id(),
                org_id=org_id,
                created_at=runtime.clock.now(),
                actor_rep_id=actor_rep_id,
                actor_name=actor_name,
                actor_kind=actor_kind,
                api_token_id=api_token_id,
                action=action,
                summary=summary,
                target=target or {},
                details=cleaned,
                ip=ip,
                request_id=request_id,
            )
        )


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        created_at=entry.created_at.isoformat(),
        actor_rep_id=entry.actor_rep_id,
        actor_name=entry.actor_name,
        actor_kind=cast(Any, entry.actor_kind),
        action=entry.action,
        summary=entry.summary,
        target=entry.target,
        details=entry.details,
        ip=entry.ip,
        request_id=entry.request_id,
    )


async def list_entries(
    session: AsyncSession, org_id: str, *, before: str | None, limit: int
) -> AuditPage:
    """Newest first, `limit` at a time; `before` is the last id of the previous page."""
    query = select(AuditEntry).where(AuditEntry.org_id == org_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(
        (await session.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1))).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        entries=[entry_out(row) for row in rows],
        next_before=rows[-1].id if more and rows else None,
    )
