"""Referrals of a case: HTTP only (rules in ``service``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.consular.access import CaseReader, CaseWorker
from services.consular.cases.http import CaseId
from services.consular.clock import Now
from services.consular.referrals import service
from services.consular.referrals.errors import ReferralMoveRefused, ReferralNotFound
from services.consular.referrals.schemas import (
    ReferralIn,
    ReferralList,
    ReferralOut,
    ReferralStatusIn,
)
from shared.db import DbSession
from shared.errors import NotFound, problems

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post(
    "/{case_id}/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    summary="Refer the case to a partner organization",
    responses=problems(NotFound),
)
async def refer(
    case_id: CaseId, body: ReferralIn, session: DbSession, principal: CaseWorker, now: Now
) -> ReferralOut:
    return ReferralOut.model_validate(await service.refer(session, principal, case_id, body, now))


@router.get(
    "/{case_id}/referrals",
    response_model=ReferralList,
    summary="The case's referrals",
    responses=problems(NotFound),
)
async def list_referrals(
    case_id: CaseId, session: DbSession, principal: CaseReader
) -> ReferralList:
    rows = await service.list_referrals(session, principal, case_id)
    return ReferralList(items=[ReferralOut.model_validate(r) for r in rows])


@router.post(
    "/{case_id}/referrals/{referral_id}/status",
    response_model=ReferralOut,
    summary="Record the partner's answer or completion",
    responses=problems(NotFound, ReferralNotFound, ReferralMoveRefused),
)
async def update_referral(
    case_id: CaseId,
    referral_id: uuid.UUID,
    body: ReferralStatusIn,
    session: DbSession,
    principal: CaseWorker,
    now: Now,
) -> ReferralOut:
    referral = await service.update_referral(session, principal, case_id, referral_id, body, now)
    return ReferralOut.model_validate(referral)
