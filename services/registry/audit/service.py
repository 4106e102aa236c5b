"""Appending to the audit trail and reading it back.

Appends take a transaction-scoped advisory lock, read the last hash and insert
the new rows with their links, so concurrent requests form one linear chain.
The lock is held until the request's transaction commits; a request that rolls
back takes its events with it and the next appender links to the last
committed row. This serialises audited requests, which is the price of a
linear chain; at the registry's write rates (clerks at desks) it is small.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.audit.chain import GENESIS, link_hash
from services.registry.audit.models import AuditEvent
from shared.auth.principal import Principal
from shared.pagination import CursorKey, KeyBigInt
from shared.request_context import current_request_id

# Any constant shared by every writer of this database's chain.
_CHAIN_LOCK = 0x6D69677265670001


@dataclass(frozen=True)
class Touched:
    """One record a request read or changed."""

    resource_type: str  # person, family_member, movement, status_event
    resource_id: uuid.UUID
    person_id: uuid.UUID | None


async def record(
    session: AsyncSession, principal: Principal, action: str, touched: Iterable[Touched]
) -> None:
    """Append one event per touched record, in the request's transaction."""
    items = list(touched)
    if not items:
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    prev = await session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    prev = prev or GENESIS
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "occurred_at": now,
            "actor": principal.subject[:200],
            "role": principal.primary_role,
            "action": action,
            "resource_type": item.resource_type,
            "resource_id": str(item.resource_id),
            "person_id": item.person_id,
            "request_id": current_request_id(),
            "prev_hash": prev,
        }
        row["hash"] = prev = link_hash(row["prev_hash"], row)
        rows.append(row)
    await session.execute(insert(AuditEvent), rows)


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
