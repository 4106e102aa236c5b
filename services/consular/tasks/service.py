"""Raising and listing follow-up tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.access import own_consulate
from services.consular.cases import timeline
from services.consular.cases.models import Case
from services.consular.tasks.models import Task
from shared.auth.principal import Principal
from shared.pagination import CursorKey, KeyTimestamp, KeyUuid

FAMILY_NOT_REACHED = "family_not_reached"
_CURSOR = CursorKey(tuple[KeyTimestamp, KeyUuid])


def raise_task(
    session: AsyncSession, case: Case, kind: str, detail: str, at: datetime, actor: Principal
) -> Task:
    """A task for the case's officer, and a line on the case's timeline saying so."""
    task = Task(
        id=uuid.uuid4(),
        case_id=case.id,
        consulate=case.consulate,
        assignee=case.assignee,
        kind=kind,
        detail=detail,
        status="open",
        created_at=at,
    )
    session.add(task)
    timeline.record(
        session, case, "follow_up_task", at, actor, task_id=str(task.id), task=kind, detail=detail
    )
    return task


async def list_tasks(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    case_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Task], str | None]:
    """Newest first; an officer sees their consulate's tasks, a supervisor all."""
    query = select(Task)
    consulate = own_consulate(principal)
    if consulate is not None:
        # The case's consulate now: a transferred case's tasks move with it.
        query = query.join(Case, Case.id == Task.case_id).where(Case.consulate == consulate)
    if status is not None:
        query = query.where(Task.status == status)
    if case_id is not None:
        query = query.where(Task.case_id == case_id)
    if cursor is not None:
        query = query.where(tuple_(Task.created_at, Task.id) < _CURSOR.decode(cursor))
    query = query.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(query)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _CURSOR.encode((rows[-1].created_at, rows[-1].id))
    return rows, next_cursor
