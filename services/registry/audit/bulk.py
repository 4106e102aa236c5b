"""The bulk path of the audit appender: a COPY of many events in the caller's
transaction (the legacy-list import writes a million people at a time).

Like ``service.record`` it only appends; the sealer chains the rows later.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import psycopg

COLUMNS = "id, occurred_at, actor, role, action, resource_type, resource_id, person_id"


def copy_events(
    conn: psycopg.Connection,
    *,
    actor: str,
    role: str,
    action: str,
    resource_type: str,
    touched: Iterable[tuple[uuid.UUID, uuid.UUID]],
) -> int:
    """One event per (resource id, person id); the number appended."""
    now = datetime.now(UTC)
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY audit_events ({COLUMNS}) FROM STDIN") as copy:
        for resource_id, person_id in touched:
            row = (uuid.uuid4(), now, actor[:200], role, action, resource_type)
            copy.write_row((*row, str(resource_id), person_id))
            count += 1
    return count
