"""Notes and assignments: work on a case that does not move its status."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases import timeline
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.models import Case, CaseEvent, Officer
from shared.auth.principal import Principal
from shared.errors import InvalidInput
from shared.etag import check_if_match


async def add_note(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, text: str, now: datetime
) -> CaseEvent:
    case = await load_case(session, case_id, principal, for_update=True)
    at = case.touch(now, new_version=False)
    event = timeline.record(session, case, "note", at, principal, text=text)
    await session.flush()
    return event


async def assign(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    assignee: str,
    if_match: str | None,
    now: datetime,
) -> Case:
    case = await load_case(session, case_id, principal, for_update=True)
    check_if_match(if_match, case.version)
    officer = await session.get(Officer, assignee)
    if officer is None or officer.consulate != case.consulate:
        raise InvalidInput(
            "assignee",
            f"not a consular officer known at {case.consulate}; an officer becomes "
            "assignable after changing a case in the consular service once",
        )
    previous = case.assignee
    case.assignee = assignee
    at = case.touch(now)
    timeline.record(
        session,
        case,
        "assignment",
        at,
        principal,
        assignee=assignee,
        previous_assignee=previous,
    )
    return case


async def assignable(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> list[Officer]:
    """The officers a case may be assigned to: those known at its consulate, by name."""
    case = await load_case(session, case_id, principal)
    rows = await session.scalars(
        select(Officer).where(Officer.consulate == case.consulate).order_by(Officer.subject)
    )
    return list(rows.all())
