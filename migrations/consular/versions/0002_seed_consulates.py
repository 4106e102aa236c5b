"""seed the Kyrgyz Republic's consulates

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from dataclasses import asdict

import sqlalchemy as sa
from alembic import op

from services.consular.consulates.seed_data import SEED_CONSULATES

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

consulates = sa.table(
    "consulates",
    *(
        sa.column(name)
        for name in ("code", "name", "country", "city", "hotline", "time_zone", "kind")
    ),
)


def upgrade() -> None:
    op.bulk_insert(consulates, [asdict(c) for c in SEED_CONSULATES])


def downgrade() -> None:
    op.execute(consulates.delete())
