"""The registry's creating POSTs, made idempotent with ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

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
) -> JSONResponse:
    """Run ``run`` once per key. (A replay is audited as a read by the route's
    audit declaration: it hands the record out again.)"""
    return await run_idempotent(
        session,
        idempotency_records,
        key=key,
        caller=principal.subject,
        operation=operation,
        payload=body.model_dump(mode="json"),
        run=run,
    )


def created(
    body: BaseModel, location: str | None = None, etag: str | None = None
) -> StoredResponse:
    headers = {}
    if location:
        headers["Location"] = location
    if etag:
        headers["ETag"] = etag
    return StoredResponse(201, body.model_dump(mode="json"), headers)
