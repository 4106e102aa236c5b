"""The audit trail, for auditors only."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.registry.access import Auditor
from services.registry.audit import service
from services.registry.audit.schemas import AuditEventOut
from shared.db import DbSession
from shared.pagination import Cursor, Limit, Page
from shared.schemas import IsoDateTime

router = APIRouter(tags=["audit"])

ResourceType = Literal["person", "family_member", "movement", "status_event"]


@router.get(
    "/audit-events",
    response_model=Page[AuditEventOut],
    summary="Who read or changed which record, newest first",
    description="Filters combine. `person_id` finds every event about one person, including "
    "their family members and movements. Each event carries its hash link; "
    "`migreg audit verify` recomputes the chain.",
)
async def list_audit_events(
    session: DbSession,
    principal: Auditor,
    limit: Limit = 50,
    cursor: Cursor = None,
    resource_type: ResourceType | None = None,
    resource_id: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z-]{1,64}$")] = None,
    person_id: uuid.UUID | None = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    since: Annotated[IsoDateTime | None, Query(alias="from", description="Inclusive")] = None,
    until: Annotated[IsoDateTime | None, Query(alias="to", description="Exclusive")] = None,
) -> Page[AuditEventOut]:
    rows, next_cursor = await service.list_events(
        session,
        resource_type=resource_type,
        resource_id=resource_id,
        person_id=person_id,
        actor=actor,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[AuditEventOut.model_validate(r) for r in rows], next_cursor=next_cursor)
