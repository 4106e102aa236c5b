"""case priority reason (vulnerability markers)

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-29 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("priority_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "priority_reason")
