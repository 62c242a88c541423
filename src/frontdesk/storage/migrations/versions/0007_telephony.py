"""telephony: each org's phone provider account, and phone legs (join by phone)

Revision ID: 0007_telephony
Revises: 0007_ops (re-chained after merging main, which has it)
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_telephony"
down_revision: str | None = "0007_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telephony_accounts",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("account_sid", sa.String(length=64), nullable=True),
        sa.Column("auth_token", sa.String(length=128), nullable=True),
        sa.Column("caller_number", sa.String(length=20), nullable=True),
        sa.Column("connect_number", sa.String(length=20), nullable=True),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("allowed_regions", sa.JSON(), nullable=False),
        sa.Column("visitor_limit", sa.String(length=100), nullable=False),
        sa.Column("org_limit", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_telephony_accounts_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_telephony_accounts")),
    )
    op.create_table(
        "phone_legs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_call_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ringing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_phone_legs_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_phone_legs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_phone_legs_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_legs")),
        sa.UniqueConstraint("provider_call_id", name=op.f("uq_phone_legs_provider_call_id")),
    )
    with op.batch_alter_table("phone_legs", schema=None) as batch_op:
        batch_op.create_index("ix_phone_legs_conversation", ["conversation_id"], unique=False)
        batch_op.create_index("ix_phone_legs_org_created", ["org_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phone_legs", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_legs_org_created")
        batch_op.drop_index("ix_phone_legs_conversation")
    op.drop_table("phone_legs")
    op.drop_table("telephony_accounts")
