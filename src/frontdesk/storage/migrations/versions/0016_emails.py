"""reps: per-rep email preferences (missed-chat emails, the admins' daily summary)

Revision ID: 0016_emails
Revises: 0015_ops
Create Date: 2026-12-04 23:20:00

`missed_chat_emails` (on by default): the rep is emailed about missed chats routed to them.
`daily_summary_email` (off by default): an admin gets yesterday's figures each morning.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_emails"
down_revision: str | None = "0015_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "reps",
        sa.Column("missed_chat_emails", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "reps",
        sa.Column("daily_summary_email", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("reps", "daily_summary_email")
    op.drop_column("reps", "missed_chat_emails")
