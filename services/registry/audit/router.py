"""The audit trail, for auditors only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.registry.access import Auditor
from services.registry.audit import service
from services.registry.audit.schemas import AuditEventOut, AuditVerificationOut, CheckpointOut
from services.registry.audit.verification import MAX_ROWS, verify_recent
from services.registry.http import AppSettings
from shared.db import DbSession
from shared.pagination import Cursor, Limit, Page
from shared.schemas import IsoDateTime

router = APIRouter(tags=["audit"])

ResourceType = Literal[
    "person", "family_member", "movement", "status_event", "marker", "protection"
]


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


@router.get(
    "/audit/verification",
    response_model=AuditVerificationOut,
    summary="Whether the audit chain holds, checked now at a bounded cost",
    description=f"Checks the newest signed checkpoint (signature; its event still there "
    "with the same hash, else TRUNCATED or REWRITTEN) and re-hashes the events after it, "
    f"at most {MAX_ROWS} (more: `incomplete`). Without checkpoints, the newest "
    f"{MAX_ROWS} events. `migreg audit verify` walks the whole trail.",
)
async def audit_verification(
    session: DbSession, principal: Auditor, settings: AppSettings
) -> AuditVerificationOut:
    result = await verify_recent(session, settings)
    now = datetime.now(UTC)
    cp = result.checkpoint
    return AuditVerificationOut(
        status=result.status,
        scope=result.scope,
        checked_at=now,
        events_checked=result.checked,
        verified_from_seq=result.verified_from_seq,
        verified_through_seq=result.verified_through_seq,
        verified_through_time=result.verified_through_time,
        unsealed=result.unsealed,
        reason=result.reason,
        broken_seq=result.broken_seq,
        checkpoint=None
        if cp is None
        else CheckpointOut(seq=cp.seq, time=cp.time, age_seconds=(now - cp.time).total_seconds()),
    )
