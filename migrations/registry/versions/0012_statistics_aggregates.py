"""monthly statistics aggregates

Revision ID: 0012_statistics_aggregates
Revises: 0011_persons_newest
Create Date: 2026-11-29 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_statistics_aggregates"
down_revision: str | Sequence[str] | None = "0011_persons_newest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("age_group", sa.String(length=5), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("sector", sa.String(length=1), nullable=True),
        sa.Column("occupation", sa.String(length=1), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "statistics_stock_monthly",
        *_keys(),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_statistics_stock_monthly_generation",
        "statistics_stock_monthly",
        ["generation", "month_end"],
    )
    op.create_table(
        "statistics_flows_monthly",
        *_keys(),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("movement", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_statistics_flows_monthly_generation",
        "statistics_flows_monthly",
        ["generation", "month"],
    )
    op.create_table(
        "statistics_refresh",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("took_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("statistics_refresh")
    op.drop_table("statistics_flows_monthly")
    op.drop_table("statistics_stock_monthly")
