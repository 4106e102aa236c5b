"""Case endpoints: opening, reading, listing, status moves, linking and transfers.
HTTP only (rules live in service and transitions); notes, assignments, referrals and
the timeline are in ``activity_router``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from services.consular.access import CaseReader, CaseWorker, Overseer, StatusReader, Supervisor
from services.consular.cases import service, summary, transitions
from services.consular.cases.errors import AlreadyLinked, TransitionConflict
from services.consular.cases.http import (
    REGISTRY_PROBLEMS,
    WRITE_PROBLEMS,
    CaseId,
    answer,
    workflow_description,
)
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.schemas import (
    CaseCreate,
    CaseList,
    CaseOut,
    CaseStatusOut,
    LinkPersonIn,
    TransferIn,
    TransitionIn,
)
from services.consular.cases.summary import SlaSummary
from services.consular.cases.views import case_view, case_views
from services.consular.cases.workflow import CaseCategory, CaseStatus, Priority
from services.consular.clock import Now
from shared.db import DbSession
from shared.errors import Forbidden, NotFound, problems
from shared.etag import IfMatch, etag_for
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    StoredResponse,
    idempotent,
)
from shared.pagination import Cursor, Limit

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Open a protection case",
    responses=problems(*REGISTRY_PROBLEMS, Forbidden, IdempotencyKeyReused),
)
async def open_case(
    body: CaseCreate,
    session: DbSession,
    principal: CaseWorker,
    request: Request,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        case = await service.open_case(session, request.app.state, principal, body, now)
        view = await case_view(session, case, principal, now)
        headers = {"Location": f"/v1/cases/{case.id}", "ETag": etag_for(view.version)}
        return StoredResponse(201, view.model_dump(mode="json"), headers)

    async def revisit(answer: Any) -> None:
        await load_case(session, uuid.UUID(answer["id"]), principal)

    return await idempotent(
        session, principal, idempotency_key, "POST /v1/cases", body, run, revisit=revisit
    )


@router.get("", response_model=CaseList, summary="List and search cases")
async def list_cases(
    session: DbSession,
    principal: CaseReader,
    now: Now,
    status: CaseStatus | None = None,
    category: CaseCategory | None = None,
    priority: Priority | None = None,
    overdue: Annotated[
        bool | None, Query(description="true: past the SLA deadline and not finished")
    ] = None,
    finished: Annotated[
        bool | None,
        Query(description="false: only cases still being worked (not resolved or closed)"),
    ] = None,
    consulate: Annotated[str | None, Query(pattern=r"^[A-Z]{2}-[A-Z]{3}$")] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Case number, person name, or description words",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CaseList:
    filters = service.CaseFilters(
        status=status,
        category=category,
        priority=priority,
        overdue=overdue,
        consulate=consulate,
        assignee=assignee,
        q=q,
        finished=finished,
    )
    rows, next_cursor = await service.list_cases(
        session, principal, filters, now, limit=limit, cursor=cursor
    )
    return CaseList(items=await case_views(session, rows, principal, now), next_cursor=next_cursor)


@router.get(
    "/sla-summary",
    response_model=SlaSummary,
    summary="Unfinished cases per consulate by SLA state (supervisors, administrators)",
)
async def sla_summary(session: DbSession, principal: Overseer, now: Now) -> SlaSummary:
    return await summary.sla_summary(session, now)


@router.get(
    "/by-number/{case_number}/status",
    response_model=CaseStatusOut,
    summary="A case's status by its number (family SMS queries)",
    responses=problems(NotFound),
)
async def case_status(
    case_number: Annotated[
        str, Path(pattern=r"^[A-Za-z0-9-]{1,40}$", examples=["RU-MOW-2026-000042"])
    ],
    session: DbSession,
    principal: StatusReader,
) -> CaseStatusOut:
    case, consulate = await service.status_by_number(session, case_number)
    return CaseStatusOut(
        case_number=case.case_number,
        status=CaseStatus(case.status),
        updated_at=case.updated_at,
        consulate=case.consulate,
        hotline=consulate.hotline,
        person_id=case.person_id,
    )


@router.get(
    "/{case_id}", response_model=CaseOut, summary="Read a case", responses=problems(NotFound)
)
async def read_case(
    case_id: CaseId, session: DbSession, principal: CaseReader, now: Now, response: Response
) -> CaseOut:
    case = await load_case(session, case_id, principal)
    return await answer(session, case, principal, now, response)


@router.post(
    "/{case_id}/transitions",
    response_model=CaseOut,
    summary="Move a case to its next status",
    description=workflow_description(),
    responses=problems(*WRITE_PROBLEMS, TransitionConflict),
)
async def transition(
    case_id: CaseId,
    body: TransitionIn,
    session: DbSession,
    principal: CaseWorker,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    case = await transitions.apply_transition(session, principal, case_id, body, if_match, now)
    return await answer(session, case, principal, now, response)


@router.post(
    "/{case_id}/link-person",
    response_model=CaseOut,
    summary="Link the case to the person now registered (If-Match required)",
    responses=problems(*WRITE_PROBLEMS, *REGISTRY_PROBLEMS, AlreadyLinked),
)
async def link_person(
    case_id: CaseId,
    body: LinkPersonIn,
    session: DbSession,
    principal: CaseWorker,
    request: Request,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    case = await service.link_person(
        session, request.app.state, principal, case_id, body.person_id, if_match, now
    )
    return await answer(session, case, principal, now, response)


@router.post(
    "/{case_id}/transfer",
    response_model=CaseOut,
    summary="Move the case to another consulate (supervisors)",
    responses=problems(*WRITE_PROBLEMS),
)
async def transfer(
    case_id: CaseId,
    body: TransferIn,
    session: DbSession,
    principal: Supervisor,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    case = await service.transfer(session, principal, case_id, body, if_match, now)
    return await answer(session, case, principal, now, response)
