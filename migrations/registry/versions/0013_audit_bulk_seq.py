"""audit rows that arrive with their seq skip the per-row trigger

Revision ID: 0013_audit_bulk_seq
Revises: 0012_statistics_aggregates
Create Date: 2026-11-29 22:00:00

A bulk import appends a million audit events. Each went through the PL/pgSQL
``audit_events_next_seq`` trigger (0005), a fifth of the load's database time.
The trigger now fires only for rows that come without a ``seq`` or with a
hash (every request's row, as before): a bulk writer that has made sure its
transaction has an xid (``pg_current_xact_id()``) and then takes each row's
seq with ``nextval('audit_events_seq')`` in its own INSERT … SELECT keeps the
sealer's watermark rule (xid before seq) without the per-row call.
A row given a seq below the sealed head is still named a GAP by ``migreg
audit verify``.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_audit_bulk_seq"
down_revision: str | Sequence[str] | None = "0012_statistics_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = (
    "CREATE TRIGGER audit_events_next_seq BEFORE INSERT ON audit_events FOR EACH ROW {when}"
    "EXECUTE FUNCTION audit_events_next_seq()"
)
WHEN = "WHEN (NEW.seq IS NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL) "


def upgrade() -> None:
    op.execute("DROP TRIGGER audit_events_next_seq ON audit_events")
    op.execute(CREATE.format(when=WHEN))


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_events_next_seq ON audit_events")
    op.execute(CREATE.format(when=""))
