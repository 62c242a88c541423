"""AI Copilot: knowledge items and passages (vectors with their model id), website sources,
on/off and version per org, usage per rep

Revision ID: 0007_copilot
Revises: 0006
Create Date: 2026-12-04 15:45:00

Vectors are float32 bytes in a plain binary column next to the id of the model that made
them, so the index works on SQLite and PostgreSQL alike (no pgvector).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_copilot"
down_revision: str | None = "0007_meetings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "copilot_orgs",
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("shortcuts_seen", sa.String(length=80), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_copilot_orgs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_copilot_orgs")),
    )
    op.create_table(
        "copilot_web_sources",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("urls", sa.JSON(), nullable=False),
        sa.Column("refresh_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_copilot_web_sources_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copilot_web_sources")),
    )
    with op.batch_alter_table("copilot_web_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_copilot_web_sources_org_id"), ["org_id"], unique=False)

    op.create_table(
        "copilot_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=32), nullable=True),
        sa.Column("ref_id", sa.String(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_copilot_items_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["copilot_web_sources.id"],
            name=op.f("fk_copilot_items_source_id_copilot_web_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copilot_items")),
    )
    with op.batch_alter_table("copilot_items", schema=None) as batch_op:
        batch_op.create_index("ix_copilot_items_org_kind", ["org_id", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_copilot_items_source_id"), ["source_id"], unique=False)

    op.create_table(
        "copilot_passages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("model_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["copilot_items.id"],
            name=op.f("fk_copilot_passages_item_id_copilot_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_copilot_passages_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copilot_passages")),
    )
    with op.batch_alter_table("copilot_passages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_copilot_passages_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_copilot_passages_org_id"), ["org_id"], unique=False)

    op.create_table(
        "copilot_usage",
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_copilot_usage_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_copilot_usage_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rep_id", "action", name=op.f("pk_copilot_usage")),
    )
    with op.batch_alter_table("copilot_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_copilot_usage_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("copilot_usage")
    op.drop_table("copilot_passages")
    op.drop_table("copilot_items")
    op.drop_table("copilot_web_sources")
    op.drop_table("copilot_orgs")
