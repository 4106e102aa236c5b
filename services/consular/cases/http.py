"""What the case routers share: the case id path parameter, the problems most case
routes answer, and answering with a case view and its ETag."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Path, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.errors import RegistryUnavailable
from services.consular.cases.models import Case
from services.consular.cases.schemas import CaseOut
from services.consular.cases.views import case_view
from shared.auth.principal import Principal
from shared.errors import NotFound, PreconditionFailed, PreconditionRequired
from shared.etag import etag_for

# A case outside the caller's jurisdiction is a 404 too (its existence does not leak).
WRITE_PROBLEMS = (NotFound, PreconditionFailed, PreconditionRequired)
REGISTRY_PROBLEMS = (RegistryUnavailable,)

CaseId = Annotated[uuid.UUID, Path(description="The case id")]


async def answer(
    session: AsyncSession, case: Case, principal: Principal, now: datetime, response: Response
) -> CaseOut:
    """The case as this caller sees it, with its ETag for the next If-Match."""
    view = await case_view(session, case, principal, now)
    response.headers["ETag"] = etag_for(view.version)
    return view
