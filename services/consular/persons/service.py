"""What consular tells peers about a person's cases (rules only)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case
from services.consular.cases.workflow import FINISHED_STATUSES


async def has_open_case(session: AsyncSession, consulate: str, person_id: uuid.UUID) -> bool:
    """A case for the person at the consulate that is neither resolved nor closed."""
    query = select(
        exists().where(
            Case.person_id == person_id,
            Case.consulate == consulate,
            Case.status.not_in([s.value for s in FINISHED_STATUSES]),
        )
    )
    return bool(await session.scalar(query))
