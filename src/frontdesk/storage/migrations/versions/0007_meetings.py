"""meeting booker: meeting types, reps' hours and calendars, offers, meetings, slot claims

Revision ID: 0007_meetings
Revises: 0006
Create Date: 2026-12-04 15:38:25

meeting_claims holds one row per 5-minute block of a rep's time a booked meeting takes (its
buffers included): its primary key is what makes booking a slot atomic across processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_meetings"
down_revision: str | None = "0007_calls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_types",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("member_rep_ids", sa.JSON(), nullable=False),
        sa.Column("routing", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_meeting_types_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_types")),
        sa.UniqueConstraint("org_id", "name", name="uq_meeting_types_org_name"),
    )
    with op.batch_alter_table("meeting_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_types_org_id"), ["org_id"], unique=False)

    op.create_table(
        "calendar_connections",
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=True),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("busy", sa.JSON(), nullable=False),
        sa.Column("busy_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("busy_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_calendar_connections_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
            name=op.f("fk_calendar_connections_rep_id_reps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_calendar_connections")),
    )
    with op.batch_alter_table("calendar_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_connections_org_id"), ["org_id"], unique=False
        )

    op.create_table(
        "rep_availability",
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("days_off", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_rep_availability_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
            name=op.f("fk_rep_availability_rep_id_reps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_rep_availability")),
    )
    with op.batch_alter_table("rep_availability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rep_availability_org_id"), ["org_id"], unique=False)

    op.create_table(
        "meeting_offers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_type_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("visitor_id", sa.String(length=32), nullable=True),
        sa.Column("owner_rep_id", sa.String(length=32), nullable=False),
        sa.Column("attendee_rep_ids", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("routing_note", sa.Text(), nullable=False),
        sa.Column("created_by_rep_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_meeting_offers_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_rep_id"],
            ["reps.id"],
            name=op.f("fk_meeting_offers_created_by_rep_id_reps"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_type_id"],
            ["meeting_types.id"],
            name=op.f("fk_meeting_offers_meeting_type_id_meeting_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_meeting_offers_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_rep_id"],
            ["reps.id"],
            name=op.f("fk_meeting_offers_owner_rep_id_reps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_meeting_offers_visitor_id_visitors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_offers")),
    )
    with op.batch_alter_table("meeting_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_offers_org_id"), ["org_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("offer_id", sa.String(length=32), nullable=True),
        sa.Column("meeting_type_id", sa.String(length=32), nullable=True),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("visitor_id", sa.String(length=32), nullable=True),
        sa.Column("owner_rep_id", sa.String(length=32), nullable=True),
        sa.Column("attendee_rep_ids", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("visitor_name", sa.String(length=200), nullable=False),
        sa.Column("visitor_email", sa.String(length=320), nullable=False),
        sa.Column("visitor_time_zone", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("caldav_href", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_meetings_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_type_id"],
            ["meeting_types.id"],
            name=op.f("fk_meetings_meeting_type_id_meeting_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["meeting_offers.id"],
            name=op.f("fk_meetings_offer_id_meeting_offers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_meetings_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_rep_id"],
            ["reps.id"],
            name=op.f("fk_meetings_owner_rep_id_reps"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_meetings_visitor_id_visitors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("uid", name=op.f("uq_meetings_uid")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index("ix_meetings_org_start", ["org_id", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_visitor_id"), ["visitor_id"], unique=False)
        batch_op.create_index(
            "uq_meetings_one_booked_per_offer",
            ["offer_id"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )

    op.create_table(
        "meeting_claims",
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("block_start", sa.BigInteger(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_claims_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_meeting_claims_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rep_id", "block_start", name=op.f("pk_meeting_claims")),
    )
    with op.batch_alter_table("meeting_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_claims_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("booker_meeting_type_id", sa.String(length=32), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_experiences_booker_meeting_type_id_meeting_types"),
            "meeting_types",
            ["booker_meeting_type_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_experiences_booker_meeting_type_id_meeting_types"), type_="foreignkey"
        )
        batch_op.drop_column("booker_meeting_type_id")

    with op.batch_alter_table("meeting_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_claims_meeting_id"))

    op.drop_table("meeting_claims")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_meetings_one_booked_per_offer",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_meetings_visitor_id"))
        batch_op.drop_index("ix_meetings_org_start")
        batch_op.drop_index(batch_op.f("ix_meetings_conversation_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("meeting_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_offers_org_id"))

    op.drop_table("meeting_offers")
    with op.batch_alter_table("rep_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rep_availability_org_id"))

    op.drop_table("rep_availability")
    with op.batch_alter_table("calendar_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_connections_org_id"))

    op.drop_table("calendar_connections")
    with op.batch_alter_table("meeting_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_types_org_id"))

    op.drop_table("meeting_types")
