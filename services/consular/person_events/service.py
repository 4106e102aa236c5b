"""A person's return home, written on each of their unfinished cases."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases import timeline
from services.consular.cases.models import Case
from services.consular.cases.sla import is_unfinished
from services.consular.person_events.schemas import PersonReturnIn
from shared.auth.principal import Principal
from shared.errors import InvalidInput

# The latest clock on Earth (UTC+14): a return dated after its today has not happened.
LATEST_UTC_OFFSET = timedelta(hours=14)


async def record_return(
    session: AsyncSession, principal: Principal, body: PersonReturnIn, now: datetime
) -> list[uuid.UUID]:
    if body.returned_on > (now + LATEST_UTC_OFFSET).date():
        raise InvalidInput("returned_on", "must not be in the future")
    cases = (
        await session.scalars(
            select(Case)
            .where(Case.person_id == body.person_id, is_unfinished())
            .order_by(Case.opened_at)
        )
    ).all()
    for case in cases:
        timeline.record(
            session,
            case,
            "person_returned",
            now,
            principal,
            returned_on=body.returned_on.isoformat(),
            reason=body.reason,
            summary=f"Returned home on {body.returned_on.isoformat()}, reason: {body.reason}",
        )
    return [case.id for case in cases]
