"""The registry's creating POSTs, made idempotent with ``Idempotency-Key``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.audit import service as audit_service
from services.registry.database import idempotency_records
from shared.auth.principal import Principal
from shared.idempotency import StoredResponse, run_idempotent


async def idempotent(
    session: AsyncSession,
    principal: Principal,
    key: str | None,
    operation: str,
    body: BaseModel,
    run: Callable[[], Awaitable[StoredResponse]],
    *,
    reveals: str,
) -> JSONResponse:
    """Run ``run`` once per key. ``reveals`` is the resource type the answer
    describes: a replay hands that record out again, so it is audited as a read
    (the first answer was audited by ``run`` as the write)."""
    response = await run_idempotent(
        session,
        idempotency_records,
        key=key,
        caller=principal.subject,
        operation=operation,
        payload=body.model_dump(mode="json"),
        run=run,
    )
    if response.headers.get("Idempotent-Replayed") == "true" and response.status_code < 300:
        await audit_service.record(session, principal, "read", [_touched(reveals, response)])
    return response


def _touched(resource_type: str, response: JSONResponse) -> audit_service.Touched:
    answer = json.loads(bytes(response.body))
    resource_id = uuid.UUID(answer["id"])
    person_id = uuid.UUID(answer["person_id"]) if "person_id" in answer else resource_id
    return audit_service.Touched(resource_type, resource_id, person_id)


def created(
    body: BaseModel, location: str | None = None, etag: str | None = None
) -> StoredResponse:
    headers = {}
    if location:
        headers["Location"] = location
    if etag:
        headers["ETag"] = etag
    return StoredResponse(201, body.model_dump(mode="json"), headers)
