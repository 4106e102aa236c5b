"""persons by registration time: the registrar's newest-first list reads an index

Revision ID: 0011_persons_newest
Revises: 0010_import_jobs
Create Date: 2026-11-29 22:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_persons_newest"
down_revision: str | Sequence[str] | None = "0010_import_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_persons_created_at_id", "persons", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_persons_created_at_id", table_name="persons")
