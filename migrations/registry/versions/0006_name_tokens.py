"""name search that does not grow with the population

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:30:00

``person_name_keys`` (a row per name key per person, ~25 per person) is
replaced by ``persons.name_tokens`` (the few name tokens of a person, GIN
indexed: PostgreSQL's built-in array operator class, so it works without
contrib) and ``name_vocabulary`` (the deletion keys of every distinct token:
it grows with the number of distinct names, not of people). Existing rows are
re-indexed here with the same Python functions the application uses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from services.registry.persons.names import search_tokens, vocabulary_rows

    op.add_column(
        "persons",
        sa.Column(
            "name_tokens",
            postgresql.ARRAY(sa.String(25)),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )
    op.create_table(
        "name_vocabulary",
        sa.Column("key", sa.String(24), nullable=False),
        sa.Column("token", sa.String(24), nullable=False),
        sa.PrimaryKeyConstraint("key", "token", name=op.f("pk_name_vocabulary")),
    )
    bind = op.get_bind()
    people = bind.execute(
        sa.text(
            "SELECT id, last_name, first_name, patronymic, last_name_latin, first_name_latin "
            "FROM persons"
        )
    ).all()
    vocabulary: set[str] = set()
    for pid, *names in people:
        tokens = search_tokens(*names)
        vocabulary.update(t.lstrip("~") for t in tokens)
        bind.execute(
            sa.text("UPDATE persons SET name_tokens = :t WHERE id = :id"), {"t": tokens, "id": pid}
        )
    rows = vocabulary_rows(vocabulary)
    if rows:
        bind.execute(
            sa.text("INSERT INTO name_vocabulary (key, token) VALUES (:k, :t)"),
            [{"k": k, "t": t} for k, t in rows],
        )
    op.create_index("ix_persons_name_tokens", "persons", ["name_tokens"], postgresql_using="gin")
    op.drop_index("ix_person_name_keys_key", table_name="person_name_keys")
    op.drop_table("person_name_keys")


def downgrade() -> None:
    op.create_table(
        "person_name_keys",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(24), nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_name_keys_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "key", name=op.f("pk_person_name_keys")),
    )
    op.create_index(
        "ix_person_name_keys_key", "person_name_keys", ["key", "person_id", "exact"], unique=False
    )
    op.drop_index("ix_persons_name_tokens", table_name="persons")
    op.drop_table("name_vocabulary")
    op.drop_column("persons", "name_tokens")
