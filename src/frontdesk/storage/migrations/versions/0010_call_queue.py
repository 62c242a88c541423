"""call queue: the reps a visitor's "Call us" rings

Revision ID: 0010_call_queue
Revises: 0009_chat_files
Create Date: 2026-12-04 18:40:00

A call from the messenger's "Call us" (issue 15, the voice call queue) has no rep until one
answers it; `queue_rep_ids` lists the reps it rang (null: not a queued call). The first rep to
answer takes it with a conditional update (rep_id still null, state still requested).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_call_queue"
down_revision: str | None = "0009_chat_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("queue_rep_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("queue_rep_ids")
