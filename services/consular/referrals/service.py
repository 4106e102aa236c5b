"""Referring a case to a partner organization and recording the partner's answers.

Each step touches the case (not its version: a referral adds to the case without changing
its fields) and writes a line to the case's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases import timeline
from services.consular.cases.jurisdiction import load_case
from services.consular.referrals.errors import ReferralMoveRefused, ReferralNotFound
from services.consular.referrals.models import Referral
from services.consular.referrals.schemas import ReferralIn, ReferralStatusIn
from shared.auth.principal import Principal

# A referral's own small workflow: the partner accepts or declines, then completes.
REFERRAL_MOVES: dict[str, tuple[str, ...]] = {
    "proposed": ("accepted", "declined"),
    "accepted": ("completed",),
    "declined": (),
    "completed": (),
}


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
        raise ReferralNotFound
    allowed = REFERRAL_MOVES[referral.status]
    if body.status not in allowed:
        raise ReferralMoveRefused(referral.status, body.status, allowed)
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
