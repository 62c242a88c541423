"""business hours and chat capacity (features/staffing)

Revision ID: 0008_hours_capacity
Revises: 0007_reports
Create Date: 2026-12-04 18:25:36

Business hours per org ("org") and per team, with holidays; the org's chat capacity (its row
is also the lock that serialises queue changes across processes), per-rep limits, and the
queue of inbound chats waiting for a rep with room.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_hours_capacity"
down_revision: str | None = "0007_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_capacity",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("default_max_chats", sa.Integer(), nullable=True),
        sa.Column("overflow", sa.String(length=8), nullable=False),
        sa.Column("queue_timeout_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_chat_capacity_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_chat_capacity")),
    )
    op.create_table(
        "business_hours",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("away_mode", sa.String(length=16), nullable=False),
        sa.Column("booker_meeting_type_id", sa.String(length=32), nullable=True),
        sa.Column("away_message", sa.Text(), nullable=False),
        sa.Column("holiday_feed_url", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booker_meeting_type_id"],
            ["meeting_types.id"],
            name=op.f("fk_business_hours_booker_meeting_type_id_meeting_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_business_hours_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_business_hours_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_hours")),
        sa.UniqueConstraint("org_id", "scope", name="uq_business_hours_org_scope"),
    )
    op.create_table(
        "rep_chat_limits",
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_rep_chat_limits_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_rep_chat_limits_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_rep_chat_limits")),
    )
    with op.batch_alter_table("rep_chat_limits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rep_chat_limits_org_id"), ["org_id"], unique=False)

    op.create_table(
        "business_holidays",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("hours_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["hours_id"],
            ["business_hours.id"],
            name=op.f("fk_business_holidays_hours_id_business_hours"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_holidays")),
        sa.UniqueConstraint("hours_id", "day", name="uq_business_holidays_day"),
    )
    op.create_table(
        "chat_queue",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_chat_queue_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_chat_queue_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_chat_queue")),
    )
    with op.batch_alter_table("chat_queue", schema=None) as batch_op:
        batch_op.create_index("ix_chat_queue_org_queued", ["org_id", "queued_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_queue_org_queued")

    op.drop_table("chat_queue")
    op.drop_table("business_holidays")
    with op.batch_alter_table("rep_chat_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rep_chat_limits_org_id"))

    op.drop_table("rep_chat_limits")
    op.drop_table("business_hours")
    op.drop_table("chat_capacity")
