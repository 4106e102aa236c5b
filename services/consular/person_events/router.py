"""``POST /v1/person-returns``: the registry reports a return. HTTP only."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.consular.access import EventSource
from services.consular.clock import Now
from services.consular.person_events import service
from services.consular.person_events.schemas import PersonReturnIn, PersonReturnOut
from shared.db import DbSession
from shared.idempotency import IdempotencyKey, StoredResponse, idempotent

router = APIRouter(tags=["person events"])


@router.post(
    "/person-returns",
    response_model=PersonReturnOut,
    summary="A person came home: each of their unfinished cases gets a timeline entry",
)
async def person_returned(
    body: PersonReturnIn,
    session: DbSession,
    principal: EventSource,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        cases = await service.record_return(session, principal, body, now)
        return StoredResponse(200, PersonReturnOut(cases=cases).model_dump(mode="json"))

    async def revisit(_answer: object) -> None:
        return None  # the answer names only case ids the caller itself was told

    return await idempotent(
        session, principal, idempotency_key, "POST /v1/person-returns", body, run, revisit=revisit
    )
