"""Stock abroad on a date and flows over a period, disaggregated, small cells withheld.

What is counted is defined once, in ``population.py``. A table is summed from
the monthly aggregates when their last refresh covers its period (``as_of``:
that refresh's snapshot), else counted live (``as_of``: now).
A cell under the suppression threshold keeps its keys but loses its count.
No totals are given: a total next to one withheld cell would reveal it.

Never a name, PIN or id: the answer is counts only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.statistics import aggregates, population
from services.registry.statistics.schemas import ByKey, Cell
from shared.disclosure import suppress
from shared.errors import InvalidInput
from shared.openapi import once_each

MAX_BY = 3


@dataclass(frozen=True)
class Table:
    cells: list[Cell]
    as_of: datetime


def parse_by(raw: list[ByKey] | None) -> list[ByKey]:
    """The breakdown keys asked for (the query checked each); a repeated key is a
    422 on ``by``."""
    keys = once_each(raw or [], "by")
    if len(keys) > MAX_BY:
        raise InvalidInput(("query", "by"), f"at most {MAX_BY} keys")
    return keys


async def stock(session: AsyncSession, on: date, by: Sequence[ByKey], threshold: int) -> Table:
    summed = await _summed(
        session, on, on, lambda g: aggregates.stock_rows(g, on), list(by), threshold
    )
    if summed is not None:
        return summed
    return Table(await _cells(session, population.stock_on(on), list(by), threshold), _now())


async def flows(
    session: AsyncSession, start: date, end: date, by: Sequence[ByKey], threshold: int
) -> Table:
    keys = ["movement", *by]
    rows = partial(aggregates.flows_rows, start=start, end=end)
    summed = await _summed(session, start, end, rows, keys, threshold)
    if summed is not None:
        return summed
    live = population.flows_between(start, end)
    return Table(await _cells(session, live, keys, threshold), _now())


async def _summed(
    session: AsyncSession,
    start: date,
    end: date,
    rows: Callable[[int], Select[Any]],
    keys: list[str],
    threshold: int,
) -> Table | None:
    """The table summed from the answering generation, when it covers the period.

    A refresh switching generations (then deleting the old one) between reading
    which generation answers and summing its rows would show a part-deleted one:
    the generation is read again after, and the sum retaken if it changed.
    """
    while True:
        covered = await aggregates.coverage(session)
        if covered is None or not covered.covers(start, end):
            return None
        summed = rows(covered.generation).subquery()
        cells = await _cells(session, summed, keys, threshold, summed=True)
        now = await aggregates.coverage(session)
        if now is not None and now.generation == covered.generation:
            return Table(cells, covered.as_of)


def _now() -> datetime:
    return datetime.now(UTC)


async def _cells(
    session: AsyncSession, rows: Any, keys: list[str], threshold: int, summed: bool = False
) -> list[Cell]:
    # Grouped in an outer query so the age CASE (with bound parameters) is
    # grouped as one column, not re-evaluated per parameter.
    columns = [rows.c[key] for key in keys]
    count = func.coalesce(func.sum(rows.c.n), 0) if summed else func.count()
    query: Select[Any] = (
        select(*columns, count.label("n"))
        .select_from(rows)
        .group_by(*columns)
        .order_by(*(c.asc().nulls_last() for c in columns))
    )
    # An empty population gives one row with no keys and 0: no cell, not a zero cell.
    rows_found = [(tuple(row[:-1]), int(row[-1])) for row in (await session.execute(query)).all()]
    counted = [(values, count) for values, count in rows_found if count]
    return [
        Cell(**dict(zip(keys, values, strict=True)), count=shown, suppressed=shown is None)
        for (values, _), shown in zip(counted, suppress(counted, threshold), strict=True)
    ]
