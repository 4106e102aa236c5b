"""The first large load builds the secondary indexes it fills once, at its end.

Keeping a GIN index on search tokens and three b-trees current row by row
costs more than half a bulk load's database time; building them once over the
loaded table takes seconds. So when a command-line import starts on an empty
``persons`` table, its non-unique indexes (read from the catalogue, never a
list kept here) are dropped and rebuilt when the run ends, and so are
``audit_events``' plain lookup indexes (by person, resource, actor and time:
four of the seven an event's insert touched, a third of the audit append's
time), whose readers are an auditor's searches; the audit trail's primary
key, unique id and the sealer's partial index of unsealed rows stay. Their definitions
are written to ``import_deferred_indexes`` in the transaction that drops them,
and every import starts by rebuilding whatever a stopped run left there, so
an interrupted run loses no index for good. The unique PIN index and the
primary key stay: they are rules, and the import's own look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

SECONDARY = """
    SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.indrelid IN ('persons'::regclass, 'audit_events'::regclass)
      AND NOT i.indisunique AND NOT i.indisprimary
      AND (i.indrelid = 'persons'::regclass OR i.indpred IS NULL)
"""


def first_load(conn: psycopg.Connection) -> bool:
    """Whether ``persons`` is empty (nobody's searches are slowed by a rebuild)."""
    return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM persons)").fetchone() == (True,)


@contextmanager
def deferred_indexes(conn: psycopg.Connection, defer: bool) -> Iterator[None]:
    """Run the block with the secondary indexes dropped when ``defer``."""
    restore(conn)
    if defer:
        with conn.transaction():
            found = conn.execute(SECONDARY).fetchall()
            for schema, name, definition in found:
                conn.execute(
                    "INSERT INTO import_deferred_indexes (name, definition) VALUES (%s, %s)",
                    (f"{schema}.{name}", definition),
                )
                conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, name)))
    try:
        yield
    finally:
        restore(conn)


def restore(conn: psycopg.Connection) -> None:
    """Build every index an import dropped and has not rebuilt yet."""
    with conn.transaction():
        pending = conn.execute(
            "SELECT name, definition FROM import_deferred_indexes FOR UPDATE"
        ).fetchall()
        for _, definition in pending:
            conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        conn.execute("DELETE FROM import_deferred_indexes")
