"""``GET /v1/tasks``: the follow-up inbox. HTTP only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.consular.access import CaseReader
from services.consular.tasks import service
from services.consular.tasks.schemas import TaskList, TaskOut, TaskStatus
from shared.db import DbSession
from shared.pagination import Cursor, Limit

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get(
    "",
    response_model=TaskList,
    summary="Follow-ups, newest first: officers see their consulate's, supervisors all",
)
async def list_tasks(
    session: DbSession,
    principal: CaseReader,
    status: TaskStatus | None = None,
    case_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TaskList:
    rows, next_cursor = await service.list_tasks(
        session, principal, status=status, case_id=case_id, limit=limit, cursor=cursor
    )
    return TaskList(items=[TaskOut.model_validate(r) for r in rows], next_cursor=next_cursor)
