"""Notes, assignments and referrals: work on a case that does not move its status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases import timeline
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.models import Case, CaseEvent, Officer, Referral
from services.consular.cases.schemas import ReferralIn, ReferralStatusIn
from shared.auth.principal import Principal
from shared.errors import Conflict, InvalidInput, NotFound
from shared.etag import check_if_match

# A referral's own small workflow: the partner accepts or declines, then completes.
REFERRAL_MOVES: dict[str, tuple[str, ...]] = {
    "proposed": ("accepted", "declined"),
    "accepted": ("completed",),
    "declined": (),
    "completed": (),
}


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


async def refer(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, body: ReferralIn, now: datetime
) -> Referral:
    case = await load_case(session, case_id, principal, for_update=True)
    at = case.touch(now, new_version=False)
    referral = Referral(
        id=uuid.uuid4(),
        case_id=case.id,
        organization=body.organization,
        organization_type=body.organization_type,
        reason=body.reason,
        status="proposed",
        created_by=principal.subject,
        created_at=at,
        updated_at=at,
    )
    session.add(referral)
    await session.flush()
    timeline.record(
        session,
        case,
        "referral",
        at,
        principal,
        referral_id=str(referral.id),
        organization=body.organization,
        organization_type=body.organization_type,
        reason=body.reason,
    )
    return referral


async def list_referrals(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> Sequence[Referral]:
    await load_case(session, case_id, principal)
    stmt = select(Referral).where(Referral.case_id == case_id).order_by(Referral.created_at)
    return (await session.scalars(stmt)).all()


async def update_referral(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: ReferralStatusIn,
    now: datetime,
) -> Referral:
    case = await load_case(session, case_id, principal, for_update=True)
    referral = await session.get(Referral, referral_id, with_for_update=True)
    if referral is None or referral.case_id != case.id:
        raise NotFound("No referral with this id on this case.")
    allowed = REFERRAL_MOVES[referral.status]
    if body.status not in allowed:
        raise Conflict(
            f"a referral cannot move from {referral.status} to {body.status}",
            extra={"current": referral.status, "allowed": list(allowed)},
        )
    previous = referral.status
    at = case.touch(now, new_version=False)
    referral.status = body.status
    referral.updated_at = at
    timeline.record(
        session,
        case,
        "referral_status",
        at,
        principal,
        referral_id=str(referral.id),
        **{"from": previous, "to": body.status},
        note=body.note,
    )
    return referral
