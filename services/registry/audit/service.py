"""Appending to the audit trail and reading it back.

A request only inserts its events, in its own transaction: no lock, no read
of the chain's head, so audited requests run side by side. A row that rolls
back with its request never existed. The sealer (``sealer.py``) links the
committed rows into the hash chain in seq order a moment later.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.registry.audit.models import AuditEvent
from shared.auth.principal import Principal
from shared.pagination import CursorKey, KeyBigInt
from shared.request_context import current_request_id


@dataclass(frozen=True)
class Touched:
    """One record a request read or changed."""

    resource_type: str  # person, family_member, movement, status_event
    resource_id: uuid.UUID
    person_id: uuid.UUID | None


async def record(
    session: AsyncSession | AsyncConnection,
    principal: Principal,
    action: str,
    touched: Iterable[Touched],
) -> None:
    """Append one event per touched record, in the caller's transaction."""
    items = list(touched)
    if not items:
        return
    await session.execute(
        _APPEND,
        {
            "now": datetime.now(UTC),
            "actor": principal.subject[:200],
            "role": principal.primary_role,
            "action": str(action),
            "request_id": current_request_id(),
            "types": [item.resource_type for item in items],
            "resources": [str(item.resource_id) for item in items],
            "persons": [item.person_id for item in items],
        },
    )


# One statement for all of a request's events (a page of ten people read is
# ten): a list of parameter sets would go as one INSERT per event. The rows
# keep the order given, so the seq trigger numbers them in that order.
_APPEND = text(
    """
    INSERT INTO audit_events
        (id, occurred_at, actor, role, action, resource_type, resource_id, person_id, request_id)
    SELECT gen_random_uuid(), :now, :actor, :role, :action, t.resource_type, t.resource_id,
        t.person_id, :request_id
    FROM unnest(CAST(:types AS text[]), CAST(:resources AS text[]), CAST(:persons AS uuid[]))
        WITH ORDINALITY AS t(resource_type, resource_id, person_id, n)
    ORDER BY t.n
    """
)


def person(person_id: uuid.UUID) -> Touched:
    return Touched("person", person_id, person_id)


_CURSOR = CursorKey(tuple[KeyBigInt])


async def list_events(
    session: AsyncSession,
    *,
    resource_type: str | None,
    resource_id: str | None,
    person_id: uuid.UUID | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[AuditEvent], str | None]:
    """Newest first, keyset-paginated on ``seq``."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit + 1)
    if resource_type:
        query = query.where(AuditEvent.resource_type == resource_type)
    if resource_id:
        query = query.where(AuditEvent.resource_id == resource_id)
    if person_id:
        query = query.where(AuditEvent.person_id == person_id)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    if cursor:
        (last_seq,) = _CURSOR.decode(cursor)
        query = query.where(AuditEvent.seq < last_seq)
    rows = (await session.scalars(query)).all()
    next_cursor = _CURSOR.encode((rows[limit - 1].seq,)) if len(rows) > limit else None
    return rows[:limit], next_cursor
