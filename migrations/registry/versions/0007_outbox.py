"""outbox for departure SMS and return notices

Revision ID: 0007
Revises: 0005
"""

from collections.abc import Sequence

from shared.outbox.migration import create_outbox_table, drop_outbox_table

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_table()


def downgrade() -> None:
    drop_outbox_table()
