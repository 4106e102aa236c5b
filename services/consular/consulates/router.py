"""Consulate endpoints: HTTP only."""

from __future__ import annotations

from fastapi import APIRouter

from services.consular.consulates import service
from services.consular.consulates.schemas import ConsulateList, ConsulateOut
from shared.auth.dependencies import CurrentPrincipal
from shared.db import DbSession

router = APIRouter(prefix="/consulates", tags=["consulates"])


@router.get("", response_model=ConsulateList, summary="Consulates and their hotlines")
async def list_consulates(session: DbSession, principal: CurrentPrincipal) -> ConsulateList:
    # Consulate contacts are public information: any authenticated caller may read them.
    rows = await service.list_consulates(session)
    return ConsulateList(items=[ConsulateOut.model_validate(r) for r in rows])
