"""Opt-out endpoints: HTTP only. Owners opt out by texting STOP; administrators see the
list and may add a number (a written request) or remove one (consent given again)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.notifications.access import Admin
from services.notifications.recipients import service
from services.notifications.recipients.schemas import OptOutList, OptOutOut
from shared.db import DbSession
from shared.errors import NotFound, problems
from shared.pagination import Cursor, Limit

router = APIRouter(prefix="/opt-outs", tags=["opt-outs"])

Phone = Annotated[str, Path(max_length=20, description="E.164", examples=["+996700123456"])]


@router.get("", response_model=OptOutList, summary="Numbers that opted out, latest first")
async def list_opt_outs(
    session: DbSession, principal: Admin, limit: Limit = 50, cursor: Cursor = None
) -> OptOutList:
    rows, next_cursor = await service.opted_out(session, limit=limit, cursor=cursor)
    return OptOutList(items=[OptOutOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.put(
    "/{phone}",
    response_model=OptOutOut,
    summary="Opt a number out (administrators); an existing opt-out is kept as it was",
)
async def add_opt_out(phone: Phone, session: DbSession, principal: Admin) -> OptOutOut:
    recipient = await service.opt_out_by_admin(session, service.phone_from_path(phone))
    return OptOutOut.model_validate(recipient)


@router.delete(
    "/{phone}",
    status_code=204,
    responses=problems(NotFound),
    summary="Remove an opt-out (administrators): messages reach the number again",
)
async def remove_opt_out(phone: Phone, session: DbSession, principal: Admin) -> Response:
    await service.opt_back_in(session, service.phone_from_path(phone))
    return Response(status_code=204)
