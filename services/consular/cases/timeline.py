"""The append-only timeline, and the status history the SLA clock reads from it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case, CaseEvent
from services.consular.cases.sla import StatusSpan
from services.consular.cases.workflow import CaseStatus
from shared.auth.principal import Principal
from shared.pagination import CursorKey, KeyBigInt

_STATUS_KINDS = ("created", "transition")


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


async def status_spans(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StatusSpan]]:
    """Each case's status history, read from its created and transition events."""
    rows = await session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.at, CaseEvent.data)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind.in_(_STATUS_KINDS))
        .order_by(CaseEvent.case_id, CaseEvent.id)
    )
    changes: dict[uuid.UUID, list[tuple[datetime, CaseStatus]]] = defaultdict(list)
    for case_id, kind, at, data in rows:
        status = CaseStatus.open if kind == "created" else CaseStatus(data["to"])
        changes[case_id].append((at, status))
    return {case_id: _spans(history) for case_id, history in changes.items()}


def _spans(history: list[tuple[datetime, CaseStatus]]) -> list[StatusSpan]:
    spans = []
    for index, (started_at, status) in enumerate(history):
        ended_at = history[index + 1][0] if index + 1 < len(history) else None
        spans.append(StatusSpan(status=status, started_at=started_at, ended_at=ended_at))
    return spans
