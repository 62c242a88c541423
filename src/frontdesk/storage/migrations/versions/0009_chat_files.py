"""files and images in chat

Revision ID: 0009_chat_files
Revises: 0008_hours_capacity
Create Date: 2026-12-04 18:45:00

One row per file sent in a chat (features/files): its name, kind, size and where its bytes
(and an image's thumbnail) are kept. Rows go with their conversation and message.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_chat_files"
down_revision: str | None = "0008_hours_capacity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("sender_kind", sa.String(length=8), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("thumb_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_chat_files_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_chat_files_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_chat_files_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_chat_files_rep_id_reps"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_files")),
    )
    with op.batch_alter_table("chat_files", schema=None) as batch_op:
        batch_op.create_index("ix_chat_files_conversation", ["conversation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_files", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_files_conversation")
    op.drop_table("chat_files")
