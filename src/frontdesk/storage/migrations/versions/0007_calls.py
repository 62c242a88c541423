"""voice and video calls

Revision ID: 0007_calls
Revises: 0007_telephony
Create Date: 2026-12-04 16:00:00

One row per call between a chat's rep and its visitor (features/calls): its state, who is on
it, how it ended. A partial unique index keeps at most one live call per chat.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_calls"
down_revision: str | None = "0007_telephony"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "state <> 'ended'"


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=True),
        sa.Column("initiated_by", sa.String(length=16), nullable=False),
        sa.Column("media", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("end_detail", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("rep_leg", sa.String(length=64), nullable=True),
        sa.Column("visitor_leg", sa.String(length=64), nullable=True),
        sa.Column("visitor_media", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rep_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visitor_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_calls_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_calls_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_calls_rep_id_reps"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_calls_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "ix_calls_conversation", ["conversation_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_calls_visitor", ["visitor_id", "created_at"], unique=False)
    op.create_index(
        "uq_calls_one_live_per_conversation",
        "calls",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_calls_one_live_per_conversation", table_name="calls")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_visitor")
        batch_op.drop_index("ix_calls_conversation")
        batch_op.drop_index(batch_op.f("ix_calls_org_id"))
    op.drop_table("calls")
