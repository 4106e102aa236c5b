"""Counts of cases by category, consulate, status and month opened, small cells withheld.

A cell with fewer cases than the threshold (but more than none) is returned with
``count: null, suppressed: true``: a count of 1 death case at a small consulate in a
given month can identify the family. No total is returned, since total minus the shown
cells would give the suppressed ones back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case
from services.consular.statistics.schemas import CaseStatistics, Cell, Dimension
from shared.disclosure import suppress

_DIMENSIONS: dict[str, Any] = {
    "category": Case.category,
    "consulate": Case.consulate,
    "status": Case.status,
    # Months in UTC: one calendar for every consulate, so cells add up across them.
    "month": func.to_char(func.timezone("UTC", Case.opened_at), "YYYY-MM"),
}


async def case_statistics(
    session: AsyncSession,
    by: list[Dimension],
    threshold: int,
    opened_from: date | None = None,
    opened_to: date | None = None,
) -> CaseStatistics:
    columns = [_DIMENSIONS[d].label(d) for d in by]
    stmt = select(*columns, func.count().label("n")).group_by(*columns).order_by(*columns)
    opened_on = func.date(func.timezone("UTC", Case.opened_at))
    if opened_from is not None:
        stmt = stmt.where(opened_on >= opened_from)
    if opened_to is not None:
        stmt = stmt.where(opened_on <= opened_to)
    counted = [
        (tuple(row[d] for d in by), int(row["n"]))
        for row in (await session.execute(stmt)).mappings()
    ]
    cells = [
        Cell(**dict(zip(by, values, strict=True)), count=shown, suppressed=shown is None)
        for (values, _), shown in zip(counted, suppress(counted, threshold), strict=True)
    ]
    return CaseStatistics(by=by, suppression_threshold=threshold, cells=cells)
