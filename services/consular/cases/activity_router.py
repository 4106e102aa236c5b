"""Notes, assignments and the timeline: HTTP only (rules in ``activity`` and
``timeline``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.consular.access import CaseReader, CaseWorker
from services.consular.cases import activity, timeline
from services.consular.cases.http import WRITE_PROBLEMS, CaseId, answer
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.schemas import (
    AssignmentIn,
    CaseOut,
    NoteIn,
    OfficerList,
    OfficerOut,
    Timeline,
    TimelineEventOut,
)
from services.consular.clock import Now
from shared.db import DbSession
from shared.errors import NotFound, problems
from shared.etag import IfMatch
from shared.pagination import Cursor, Limit

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post(
    "/{case_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=TimelineEventOut,
    summary="Add a note to the timeline",
    responses=problems(NotFound),
)
async def add_note(
    case_id: CaseId, body: NoteIn, session: DbSession, principal: CaseWorker, now: Now
) -> TimelineEventOut:
    event = await activity.add_note(session, principal, case_id, body.text, now)
    return TimelineEventOut.model_validate(event)


@router.get(
    "/{case_id}/officers",
    response_model=OfficerList,
    summary="The officers the case may be assigned to (known at its consulate)",
    responses=problems(NotFound),
)
async def assignable_officers(
    case_id: CaseId, session: DbSession, principal: CaseReader
) -> OfficerList:
    found = await activity.assignable(session, principal, case_id)
    return OfficerList(items=[OfficerOut.model_validate(o) for o in found])


@router.post(
    "/{case_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Assign the case to an officer of its consulate (If-Match required)",
    responses=problems(*WRITE_PROBLEMS),
)
async def assign(
    case_id: CaseId,
    body: AssignmentIn,
    session: DbSession,
    principal: CaseWorker,
    now: Now,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    case = await activity.assign(session, principal, case_id, body.assignee, if_match, now)
    return await answer(session, case, principal, now, response)


@router.get(
    "/{case_id}/timeline",
    response_model=Timeline,
    summary="Everything that happened to the case, in order",
    responses=problems(NotFound),
)
async def read_timeline(
    case_id: CaseId,
    session: DbSession,
    principal: CaseReader,
    limit: Limit = 200,
    cursor: Cursor = None,
) -> Timeline:
    await load_case(session, case_id, principal)
    rows, next_cursor = await timeline.page(session, case_id, cursor=cursor, limit=limit)
    return Timeline(
        items=[TimelineEventOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )
