"""``GET /v1/outbox``: the delivery state of a service's side effects (administrators)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, tuple_

from shared.auth.dependencies import require
from shared.auth.principal import Principal, Role
from shared.db import DbSession
from shared.openapi import NamedEnum
from shared.outbox.models import OutboxMixin
from shared.pagination import Cursor, CursorKey, KeyTimestamp, KeyUuid, Limit

_CURSOR = CursorKey(tuple[KeyTimestamp, KeyUuid])
OutboxStatus = Annotated[
    Literal["pending", "delivered", "poisoned"],
    NamedEnum(
        "OutboxStatus",
        "`pending` (not yet delivered; retried with backoff), `delivered`, or `poisoned` "
        "(the peer refused it with a 4xx: kept with its problem, never retried).",
    ),
]
Admin = Annotated[Principal, Depends(require(Role.admin))]


class OutboxItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    subject: str | None
    status: OutboxStatus
    attempts: int
    failures: int
    next_attempt_at: datetime
    last_error: str | None
    problem: dict[str, Any] | None
    request_id: str | None
    created_at: datetime
    delivered_at: datetime | None


class OutboxPage(BaseModel):
    items: list[OutboxItemOut]
    next_cursor: str | None = None


def outbox_router(model: type[OutboxMixin]) -> APIRouter:
    router = APIRouter(prefix="/outbox", tags=["outbox"])

    @router.get(
        "",
        response_model=OutboxPage,
        summary="Side effects for other services and their delivery state (administrators)",
        description="Newest first. `poisoned` rows were refused by the peer (its problem is "
        "in `problem`): they are kept, never retried or dropped.",
    )
    async def list_outbox(
        session: DbSession,
        principal: Admin,
        status: OutboxStatus | None = None,
        kind: Annotated[str | None, Query(max_length=50)] = None,
        subject: Annotated[str | None, Query(max_length=200)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> OutboxPage:
        query = select(model)
        for column, value in ((model.status, status), (model.kind, kind), (model.subject, subject)):
            if value is not None:
                query = query.where(column == value)
        if cursor is not None:
            query = query.where(tuple_(model.created_at, model.id) < _CURSOR.decode(cursor))
        query = query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
        rows = list((await session.scalars(query)).all())
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = _CURSOR.encode((rows[-1].created_at, rows[-1].id))
        return OutboxPage(
            items=[OutboxItemOut.model_validate(r) for r in rows], next_cursor=next_cursor
        )

    return router
