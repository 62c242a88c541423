"""page views: the retention index carries the id, so purge batches go on in key order

Revision ID: 0015_ops
Revises: 0014_reportsperf
Create Date: 2026-12-04 22:00:00

A retention purge (features/privacy/retention.py) finds each batch of an org's old page views
after the last (viewed_at, id) it deleted; with the id in the index that is one index range,
however many page views share a timestamp. The index replaces (org_id, viewed_at), which
reports read as before (the new one starts with the same columns). On a large page_views table
building it takes a while (PostgreSQL: about as long as reading the table).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_ops"
down_revision: str | None = "0014_reportsperf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_page_views_org_viewed_id", "page_views", ["org_id", "viewed_at", "id"], unique=False
    )
    op.drop_index("ix_page_views_org_viewed", table_name="page_views")


def downgrade() -> None:
    op.create_index("ix_page_views_org_viewed", "page_views", ["org_id", "viewed_at"], unique=False)
    op.drop_index("ix_page_views_org_viewed_id", table_name="page_views")
