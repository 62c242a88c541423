"""reports: per-chat figures on conversations, channel and segment on proactive events

Revision ID: 0007_reports
Revises: 0006
Create Date: 2026-12-04 16:00:00

Reports (features/reports, docs/reports.md) read one row per chat. The chat keeps what a
report needs as it goes: the visitor's segment when it started, when the visitor first wrote,
whole seconds from then to the first rep message after it, whole seconds from start to end,
and why a missed inbound chat was missed. Proactive events get their channel and segment;
visits an index by account (Account 360).

Rows written before this version are filled in here from their messages (segments cannot be
known afterwards and stay empty).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reports"
down_revision: str | None = "0007_copilot"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_conversations = sa.table(
    "conversations",
    sa.column("id", sa.String),
    sa.column("origin", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("ended_at", sa.DateTime(timezone=True)),
    sa.column("meta", sa.JSON),
    sa.column("first_visitor_message_at", sa.DateTime(timezone=True)),
    sa.column("first_response_seconds", sa.Integer),
    sa.column("length_seconds", sa.Integer),
    sa.column("missed_kind", sa.String),
)
_messages = sa.table(
    "messages",
    sa.column("conversation_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("author_kind", sa.String),
    sa.column("internal", sa.Boolean),
    sa.column("meta", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_events = sa.table(
    "proactive_events",
    sa.column("kind", sa.String),
    sa.column("channel", sa.String),
    sa.column("conversation_id", sa.String),
)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _backfill(bind: sa.Connection) -> None:
    chats = bind.execute(
        sa.select(
            _conversations.c.id,
            _conversations.c.status,
            _conversations.c.created_at,
            _conversations.c.ended_at,
            _conversations.c.meta,
        )
    ).all()
    for chat_id, status, created_at, ended_at, meta in chats:
        messages = bind.execute(
            sa.select(
                _messages.c.author_kind,
                _messages.c.internal,
                _messages.c.meta,
                _messages.c.created_at,
            )
            .where(_messages.c.conversation_id == chat_id)
            .order_by(_messages.c.seq)
        ).all()
        first_visitor: datetime | None = None
        first_response: int | None = None
        for kind, internal, message_meta, at in messages:
            at = _utc(at)
            if kind == "visitor" and first_visitor is None:
                first_visitor = at
            elif (
                kind == "rep"
                and first_visitor is not None
                and not internal
                and not (message_meta or {}).get("auto_pounce")
                and at is not None
            ):
                first_response = int((at - first_visitor).total_seconds())
                break
        start, end = _utc(created_at), _utc(ended_at)
        values: dict[str, Any] = {
            "first_visitor_message_at": first_visitor,
            "first_response_seconds": first_response,
            "length_seconds": int((end - start).total_seconds()) if start and end else None,
            "missed_kind": (
                ("queue_timeout" if (meta or {}).get("offline") else "inbound_timeout")
                if status == "missed"
                else None
            ),
        }
        bind.execute(
            sa.update(_conversations).where(_conversations.c.id == chat_id).values(**values)
        )
    bind.execute(sa.update(_events).where(_events.c.kind == "pounce").values(channel="pounce"))
    bind.execute(
        sa.update(_events)
        .where(_events.c.kind.in_(("auto_pounce", "missed_response")))
        .values(channel="auto_pounce")
    )
    bind.execute(
        sa.update(_events).where(_events.c.kind.like("invitation%")).values(channel="invitation")
    )
    origin = (
        sa.select(_conversations.c.origin)
        .where(_conversations.c.id == _events.c.conversation_id)
        .scalar_subquery()
    )
    bind.execute(sa.update(_events).where(_events.c.kind == "reply").values(channel=origin))


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segment_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("first_visitor_message_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("first_response_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("length_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("missed_kind", sa.String(length=16), nullable=True))
        batch_op.create_index(
            "ix_conversations_org_created", ["org_id", "created_at"], unique=False
        )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_account_started", ["account_id", "started_at"], unique=False
        )
    with op.batch_alter_table("proactive_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("segment_id", sa.String(length=32), nullable=True))
    _backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_account_started")
    with op.batch_alter_table("proactive_events", schema=None) as batch_op:
        batch_op.drop_column("segment_id")
        batch_op.drop_column("channel")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_org_created")
        batch_op.drop_column("missed_kind")
        batch_op.drop_column("length_seconds")
        batch_op.drop_column("first_response_seconds")
        batch_op.drop_column("first_visitor_message_at")
        batch_op.drop_column("segment_id")
