"""Loading a case within the caller's jurisdiction (rules in ``services.consular.access``)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.access import own_consulate
from services.consular.cases.models import Case
from shared.auth.principal import Principal
from shared.errors import NotFound


async def load_case(
    session: AsyncSession, case_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> Case:
    """The case if this caller may see it; 404 otherwise (locked for writes)."""
    stmt = select(Case).where(Case.id == case_id)
    consulate = own_consulate(principal)
    if consulate is not None:
        stmt = stmt.where(Case.consulate == consulate)
    if for_update:
        stmt = stmt.with_for_update()
    case = await session.scalar(stmt)
    if case is None:
        raise NotFound("No case with this id in your jurisdiction.")
    return case
