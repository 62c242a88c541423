"""report rollups: a day's first response median and p90, blocks of days' histograms; an
index for Account 360's visitors

Revision ID: 0014_reportsperf
Revises: 0013_phone
Create Date: 2026-12-04 22:00:00

An unfiltered report reads each rolled-up day's median and p90 from `report_built_days` and
its per-rep percentiles from histograms summed over blocks of days (features/reports/rollups.py,
docs/reports.md, "Speed"). Days built before this migration have no median stored: they are
rebuilt by the background catch-up (their built rows are deleted here), and read from the
chats until then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_reportsperf"
down_revision: str | None = "0013_phone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("report_built_days", sa.Column("frt_p50", sa.Integer(), nullable=True))
    op.add_column("report_built_days", sa.Column("frt_p90", sa.Integer(), nullable=True))
    # Built without the medians: rebuilt by the next catch-up (read from the chats until then).
    op.execute("DELETE FROM report_built_days")
    op.create_table(
        "report_built_blocks",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("marks", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_report_built_blocks_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "offset_minutes", "block", name="pk_report_built_blocks"),
    )
    op.create_table(
        "report_block_responses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("owner_rep_id", sa.String(length=32), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name="fk_report_block_responses_org_id_orgs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_block_responses"),
    )
    # Account 360 reads a big company's visitors (and their last visit) from this index alone.
    op.create_index(
        "ix_visits_org_account_visitor",
        "visits",
        ["org_id", "account_id", "visitor_id", "last_seen_at"],
    )
    # ...and the campaigns that brought it (visits with a UTM parameter), likewise.
    has_utm = sa.text(
        "utm_source IS NOT NULL OR utm_medium IS NOT NULL OR utm_campaign IS NOT NULL "
        "OR utm_term IS NOT NULL OR utm_content IS NOT NULL"
    )
    op.create_index(
        "ix_visits_account_campaigns",
        "visits",
        [
            "org_id",
            "account_id",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "visitor_id",
            "started_at",
        ],
        sqlite_where=has_utm,
        postgresql_where=has_utm,
    )
    op.create_index(
        "ix_report_block_responses_block",
        "report_block_responses",
        ["org_id", "offset_minutes", "block"],
    )


def downgrade() -> None:
    op.drop_index("ix_visits_account_campaigns", table_name="visits")
    op.drop_index("ix_visits_org_account_visitor", table_name="visits")
    op.drop_index("ix_report_block_responses_block", table_name="report_block_responses")
    op.drop_table("report_block_responses")
    op.drop_table("report_built_blocks")
    with op.batch_alter_table("report_built_days") as batch:
        batch.drop_column("frt_p90")
        batch.drop_column("frt_p50")
