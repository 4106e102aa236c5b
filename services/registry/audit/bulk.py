"""The bulk path of the audit appender: many events in one statement, in the
caller's transaction (the legacy-list import writes a million people at a time).

Like ``service.record`` it only appends; the sealer chains the rows later.
The rows are made by the database from two arrays of ids (one INSERT …
SELECT, ids and seqs drawn server-side) rather than sent row by row, and
they come with their ``seq``, so the per-row trigger is skipped (migration
0013): the transaction's xid is taken first, then each row's seq, the order
the sealer's watermark relies on (see ``sealer.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import psycopg

INSERT = """
    INSERT INTO audit_events
        (seq, id, occurred_at, actor, role, action, resource_type, resource_id, person_id)
    SELECT nextval('audit_events_seq'), gen_random_uuid(), %(now)s, %(actor)s, %(role)s,
        %(action)s, %(resource_type)s, t.resource_id::text, t.person_id
    FROM unnest(%(resources)s::uuid[], %(persons)s::uuid[]) WITH ORDINALITY
        AS t(resource_id, person_id, n)
    ORDER BY t.n
"""


def copy_events(
    conn: psycopg.Connection,
    *,
    actor: str,
    role: str,
    action: str,
    resource_type: str,
    touched: Iterable[tuple[uuid.UUID | str, uuid.UUID | str]],
) -> int:
    """One event per (resource id, person id); the number appended."""
    pairs = list(touched)
    if not pairs:
        return 0
    # As array literals: psycopg's array dumper is Python code, a second a
    # hundred thousand ids; the server parses the text in C.
    resources, persons = ("{" + ",".join(map(str, c)) + "}" for c in zip(*pairs, strict=True))
    params = {
        "now": datetime.now(UTC),
        "actor": actor[:200],
        "role": role,
        "action": action,
        "resource_type": resource_type,
        "resources": resources,
        "persons": persons,
    }
    with conn.transaction():  # one transaction: its xid before any seq
        conn.execute("SELECT pg_current_xact_id()")
        conn.execute(INSERT, params)
    return len(pairs)
