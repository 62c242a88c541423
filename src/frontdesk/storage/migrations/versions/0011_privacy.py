"""privacy: retention's indexes, and when a chat's transcript was deleted

Revision ID: 0011_privacy
Revises: 0010_call_queue
Create Date: 2026-12-04 19:00:00

Retention (features/privacy/retention.py) deletes an org's oldest page views, visits and
visitors a batch at a time: each batch finds its rows on an (org_id, time) index instead of
reading the whole table. A chat whose transcript the policy deleted keeps its row (reports
count it), marked with when. Adds a nullable column and indexes only, so the previous version
runs on the migrated schema (a rolling upgrade works).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_privacy"
down_revision: str | None = "0010_call_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transcript_deleted_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("page_views", schema=None) as batch_op:
        batch_op.create_index("ix_page_views_org_viewed", ["org_id", "viewed_at"], unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_org_last_seen", ["org_id", "last_seen_at"], unique=False)
    with op.batch_alter_table("visitors", schema=None) as batch_op:
        batch_op.create_index("ix_visitors_org_last_seen", ["org_id", "last_seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitors", schema=None) as batch_op:
        batch_op.drop_index("ix_visitors_org_last_seen")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_org_last_seen")
    with op.batch_alter_table("page_views", schema=None) as batch_op:
        batch_op.drop_index("ix_page_views_org_viewed")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("transcript_deleted_at")
