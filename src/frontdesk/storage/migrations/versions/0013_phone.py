"""phone join into the rep's browser: a Twilio API key (SID and secret) per org

Revision ID: 0013_phone
Revises: 0012_reports_rollups
Create Date: 2026-12-04 22:10:00

With an API key, Frontdesk mints short-lived Twilio Access Tokens for the rep's console (a
Twilio Voice client), and an answered phone leg is dialled into the rep's browser instead of
the org's phone line (docs/telephony.md). The secret is write-only, like the auth token.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_phone"
down_revision: str | None = "0012_reports_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telephony_accounts") as batch:
        batch.add_column(sa.Column("api_key_sid", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("api_key_secret", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telephony_accounts") as batch:
        batch.drop_column("api_key_secret")
        batch.drop_column("api_key_sid")
