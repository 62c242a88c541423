"""report rollups: chats and proactive events summed per local day, per offset

Revision ID: 0012_reports_rollups
Revises: 0011_privacy
Create Date: 2026-12-04 18:30:00

Reports read whole days from these tables (features/reports/rollups.py, docs/reports.md,
"Speed"). They start empty: the server fills them in the background for the offsets reports
are read in, and `frontdesk report-rollups --zone ZONE` fills them at once (both skip what is
built and unchanged).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_reports_rollups"
down_revision: str | None = "0011_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_marks",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("utc_day", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_marks_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "utc_day", name="pk_report_marks"),
    )
    op.create_table(
        "report_offsets",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_offsets_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "offset_minutes", name="pk_report_offsets"),
    )
    op.create_table(
        "report_built_days",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("marks", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_built_days_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "offset_minutes", "day", name="pk_report_built_days"),
    )

    def keys() -> list[sa.Column]:  # type: ignore[type-arg]
        return [
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("org_id", sa.String(length=32), nullable=False),
            sa.Column("offset_minutes", sa.Integer(), nullable=False),
            sa.Column("day", sa.Integer(), nullable=False),
        ]

    op.create_table(
        "report_day_chats",
        *keys(),
        sa.Column("owner_rep_id", sa.String(length=32), nullable=False),
        sa.Column("routed_key", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.String(length=32), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("inbound", sa.Integer(), nullable=False),
        sa.Column("queue", sa.Integer(), nullable=False),
        sa.Column("qualified", sa.Integer(), nullable=False),
        sa.Column("deal_value", sa.Float(), nullable=False),
        sa.Column("length_n", sa.Integer(), nullable=False),
        sa.Column("length_sum", sa.BigInteger(), nullable=False),
        sa.Column("csat_n", sa.Integer(), nullable=False),
        sa.Column("csat_satisfied", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_day_chats_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_day_chats"),
    )
    op.create_table(
        "report_day_responses",
        *keys(),
        sa.Column("owner_rep_id", sa.String(length=32), nullable=False),
        sa.Column("routed_key", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.String(length=32), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name="fk_report_day_responses_org_id_orgs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_day_responses"),
    )
    op.create_table(
        "report_day_events",
        *keys(),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("segment_id", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_day_events_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_day_events"),
    )
    for table in ("report_day_chats", "report_day_responses", "report_day_events"):
        op.create_index(f"ix_{table}_day", table, ["org_id", "offset_minutes", "day"])
    # Reports count calls and meetings from their rows, by the day they were placed or booked.
    op.create_index("ix_calls_org_created", "calls", ["org_id", "created_at"])
    op.create_index("ix_meetings_org_created", "meetings", ["org_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_meetings_org_created", table_name="meetings")
    op.drop_index("ix_calls_org_created", table_name="calls")
    for table in ("report_day_chats", "report_day_responses", "report_day_events"):
        op.drop_index(f"ix_{table}_day", table_name=table)
        op.drop_table(table)
    op.drop_table("report_built_days")
    op.drop_table("report_offsets")
    op.drop_table("report_marks")
