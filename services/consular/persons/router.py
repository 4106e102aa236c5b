"""Whether a consulate has an open case for a person: the registry asks before
it shows a consular officer that person's restricted markers. HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.consular.access import OpenCaseChecker
from services.consular.persons import service
from services.consular.persons.schemas import OpenCasesOut
from shared.db import DbSession

router = APIRouter(prefix="/persons/{person_id}", tags=["persons"])


@router.get(
    "/open-cases",
    response_model=OpenCasesOut,
    summary="Does this consulate have an unresolved case for the person? (registry only)",
)
async def open_cases(
    person_id: uuid.UUID,
    consulate: Annotated[str, Query(pattern=r"^[A-Z]{2}-[A-Z]{3}$")],
    session: DbSession,
    principal: OpenCaseChecker,
) -> OpenCasesOut:
    return OpenCasesOut(open=await service.has_open_case(session, consulate, person_id))
