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
from shared.pagination import CursorKey, KeyBigInt


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


_CURSOR = CursorKey(tuple[KeyBigInt])


async def page(
    session: AsyncSession, case_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[Sequence[CaseEvent], str | None]:
    """One page of the case's events in order, and the cursor of the next page."""
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if cursor is not None:
        (after_id,) = _CURSOR.decode(cursor)
        stmt = stmt.where(CaseEvent.id > after_id)
    stmt = stmt.order_by(CaseEvent.id).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, _CURSOR.encode((rows[-1].id,))
