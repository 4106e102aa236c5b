"""seed SMS templates in Kyrgyz, Russian and English

Revision ID: 0002
Revises: 0001
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.notifications.templates.seed_data import SEED_TEMPLATES

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

templates = sa.table(
    "templates",
    sa.column("id", sa.Uuid()),
    sa.column("key"),
    sa.column("language"),
    sa.column("version"),
    sa.column("body"),
    sa.column("created_by"),
)


def upgrade() -> None:
    op.bulk_insert(
        templates,
        [
            {
                "id": uuid.uuid4(),
                "key": t.key,
                "language": t.language,
                "version": 1,
                "body": t.body,
                "created_by": "seed",
            }
            for t in SEED_TEMPLATES
        ],
    )


def downgrade() -> None:
    op.execute(templates.delete())
