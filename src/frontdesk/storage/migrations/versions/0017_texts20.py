"""visits: the visitor's language (what the server writes into their chat is in it)

Revision ID: 0017_texts20
Revises: 0016_emails
Create Date: 2026-12-05 01:40:00

`language`: a short BCP-47 tag ("de", "pt-BR") from the visitor's browser (the WebSocket
upgrade's Accept-Language, or the hello's `language`); null: not known (English).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_texts20"
down_revision: str | None = "0016_emails"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("visits", sa.Column("language", sa.String(length=35), nullable=True))


def downgrade() -> None:
    op.drop_column("visits", "language")
