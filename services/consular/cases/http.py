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
from services.consular.cases.workflow import SUPERVISOR_ONLY, TRANSITIONS
from shared.auth.principal import Principal
from shared.errors import NotFound, PreconditionFailed, PreconditionRequired
from shared.etag import etag_for

# A case outside the caller's jurisdiction is a 404 too (its existence does not leak).
WRITE_PROBLEMS = (NotFound, PreconditionFailed, PreconditionRequired)
REGISTRY_PROBLEMS = (RegistryUnavailable,)


def workflow_description() -> str:
    """The allowed moves, written from the workflow table itself."""
    lines = [
        f"- `{current}` → " + ", ".join(f"`{to}`" for to in allowed)
        for current, allowed in TRANSITIONS.items()
    ]
    only = ", ".join(f"`{a}` → `{b}`" for a, b in sorted(SUPERVISOR_ONLY))
    return (
        "Allowed moves:\n\n" + "\n".join(lines) + f"\n\nSupervisors only: {only}. "
        "Moving to `resolved` needs a `resolution`. Any other move is a 409 naming "
        "`current` and `allowed`. Send `If-Match` with the case's ETag."
    )


CaseId = Annotated[uuid.UUID, Path(description="The case id")]


async def answer(
    session: AsyncSession, case: Case, principal: Principal, now: datetime, response: Response
) -> CaseOut:
    """The case as this caller sees it, with its ETag for the next If-Match."""
    view = await case_view(session, case, principal, now)
    response.headers["ETag"] = etag_for(view.version)
    return view
