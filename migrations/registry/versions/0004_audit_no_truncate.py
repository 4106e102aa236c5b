"""audit trail refuses TRUNCATE

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:50:00

The row triggers of 0002 refuse UPDATE and DELETE; TRUNCATE fires no row
triggers, so one statement could still empty the whole trail (and the chain
would then verify again from the genesis hash). A statement trigger closes
that: the same function raises for TG_OP = 'TRUNCATE'. Only a superuser who
switches triggers off (``session_replication_role = replica``, as the test
clean-up does) gets past it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
