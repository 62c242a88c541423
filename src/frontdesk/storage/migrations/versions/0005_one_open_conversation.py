"""one open conversation per visitor

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('incoming', 'active')"


def upgrade() -> None:
    # Older versions kept this invariant by locking the visitor; should a database hold two
    # open chats for one visitor anyway, the older ones are ended so the index can be built.
    op.execute(
        sa.text(
            """
            UPDATE conversations
            SET status = 'ended', ended_reason = 'superseded',
                ended_at = COALESCE(last_message_at, created_at)
            WHERE status IN ('incoming', 'active') AND EXISTS (
                SELECT 1 FROM conversations AS newer
                WHERE newer.visitor_id = conversations.visitor_id
                  AND newer.status IN ('incoming', 'active')
                  AND (newer.created_at > conversations.created_at
                       OR (newer.created_at = conversations.created_at
                           AND newer.id > conversations.id))
            )
            """
        )
    )
    op.create_index(
        "uq_conversations_one_open_per_visitor",
        "conversations",
        ["visitor_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_conversations_one_open_per_visitor", table_name="conversations")
