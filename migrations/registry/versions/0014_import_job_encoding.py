"""an uploaded list's text encoding is kept with its import job

Revision ID: 0014_import_job_encoding
Revises: 0013_audit_bulk_seq
Create Date: 2026-11-30 10:00:00

``POST /v1/imports`` takes an ``encoding`` (cp1251 for lists saved by older
Windows software); the runner decodes the stored file with it. Jobs queued
before this revision were UTF-8, which the server default says.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_import_job_encoding"
down_revision: str | Sequence[str] | None = "0013_audit_bulk_seq"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "import_jobs",
        sa.Column("encoding", sa.String(40), nullable=False, server_default="utf-8"),
    )


def downgrade() -> None:
    op.drop_column("import_jobs", "encoding")
