"""What the case routers share: the case id path parameter, declared problem answers,
and answering with a case view and its ETag."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Path, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case
from services.consular.cases.schemas import CaseOut
from services.consular.cases.views import case_view
from services.consular.problems import Responses, problem
from shared.auth.principal import Principal
from shared.etag import etag_for

NOT_FOUND: Responses = {404: problem("No such case in your jurisdiction")}
WRITE: Responses = {**NOT_FOUND, 412: problem("Stale If-Match"), 428: problem("If-Match missing")}
REGISTRY: Responses = {503: problem("The registry could not confirm the person; nothing was saved")}

CaseId = Annotated[uuid.UUID, Path(description="The case id")]


async def answer(
    session: AsyncSession, case: Case, principal: Principal, now: datetime, response: Response
) -> CaseOut:
    """The case as this caller sees it, with its ETag for the next If-Match."""
    view = await case_view(session, case, principal, now)
    response.headers["ETag"] = etag_for(view.version)
    return view
