"""The append-only timeline of a case."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case, CaseEvent
from shared.auth.principal import Principal
from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor


def record(
    session: AsyncSession,
    case: Case,
    kind: str,
    at: datetime,
    principal: Principal,
    **data: Any,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        at=at,
        actor=principal.subject,
        actor_role=principal.primary_role,
        data={k: v for k, v in data.items() if v is not None},
    )
    session.add(event)
    return event


# case_events.id is a BIGINT: a larger cursor value would fail in PostgreSQL, not here.
_MAX_EVENT_ID = 2**63 - 1


def _after_id(cursor: str) -> int:
    (value,) = decode_cursor(cursor, 1)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_EVENT_ID:
        raise InvalidInput(("query", "cursor"), "not a cursor this service issued")
    return value


async def page(
    session: AsyncSession, case_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[Sequence[CaseEvent], str | None]:
    """One page of the case's events in order, and the cursor of the next page."""
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if cursor is not None:
        stmt = stmt.where(CaseEvent.id > _after_id(cursor))
    stmt = stmt.order_by(CaseEvent.id).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id])
