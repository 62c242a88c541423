"""rep emails unique per org, not across orgs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:00:00

A globally unique email let an admin learn, by creating a rep, that another org on the same
server has that address (409). Emails are now unique within an org; sign-in picks the rep
whose password matches (features/orgs/service.py).

On SQLite the reps table is rebuilt (batch mode). env.py turns foreign keys off for the
migration run: dropping the old table with them on would cascade into sessions, teams and
conversations.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_constraint("uq_reps_email", type_="unique")
        batch_op.create_unique_constraint("uq_reps_org_id_email", ["org_id", "email"])
        batch_op.create_index("ix_reps_email", ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_index("ix_reps_email")
        batch_op.drop_constraint("uq_reps_org_id_email", type_="unique")
        batch_op.create_unique_constraint("uq_reps_email", ["email"])
