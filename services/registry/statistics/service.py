"""Stock abroad on a date and flows over a period, disaggregated, small cells withheld.

- Stock on a date: the persons whose last active (not superseded) movement on
  or before that date is a departure, less those reported deceased by then.
  ``destination_country`` and ``sector`` come from that departure.
- Flows over [from, to] (both days included): every active departure and
  return dated in the period. A return carries the destination and sector of
  the departure it ended.
- Age groups use the age on the stock date, or at the movement.
- A cell under the suppression threshold keeps its keys but loses its count.
  No totals are given: a total next to one withheld cell would reveal it.

Never a name, PIN or id: the answer is counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.movements.models import Movement
from services.registry.persons.models import Person
from services.registry.statistics.schemas import ByKey, Cell
from shared.disclosure import suppress
from shared.errors import InvalidInput

# (oldest age in the group, label): 0-14, 15-19, then five-year groups; the
# last group (65+) is open-ended. The ILO's and the UN's standard grouping.
AGE_GROUPS: tuple[tuple[int, str], ...] = (
    (14, "0-14"),
    *((low + 4, f"{low}-{low + 4}") for low in range(15, 65, 5)),
)
OLDEST_GROUP = "65+"
MAX_BY = 3


def parse_by(raw: list[ByKey] | None) -> list[ByKey]:
    """The breakdown keys asked for (the query checked each); a repeated key is a
    422 on ``by``."""
    keys: list[ByKey] = []
    for key in raw or ():
        if key in keys:
            raise InvalidInput("by", f"{key!r} is given twice")
        keys.append(key)
    if len(keys) > MAX_BY:
        raise InvalidInput("by", f"at most {MAX_BY} keys")
    return keys


def _age_group(on: Any) -> ColumnElement[str]:
    age = func.date_part("year", func.age(on, Person.birth_date))
    return case(*((age <= oldest, label) for oldest, label in AGE_GROUPS), else_=OLDEST_GROUP)


def _alive_on(on: Any) -> ColumnElement[bool]:
    return or_(Person.status != "deceased", Person.status_date > on)


async def stock(session: AsyncSession, on: date, by: Sequence[ByKey], threshold: int) -> list[Cell]:
    last = (
        select(
            Movement.person_id,
            Movement.kind,
            Movement.destination_country,
            Movement.sector,
            Movement.occupation,
        )
        .where(Movement.superseded_at.is_(None), Movement.occurred_on <= on)
        .distinct(Movement.person_id)
        .order_by(Movement.person_id, Movement.position.desc())
        .subquery()
    )
    rows = (
        select(
            Person.sex.label("sex"),
            _age_group(on).label("age_group"),
            Person.region.label("region"),
            last.c.destination_country.label("destination_country"),
            last.c.sector.label("sector"),
            last.c.occupation.label("occupation"),
        )
        .join_from(last, Person, Person.id == last.c.person_id)
        .where(last.c.kind == "departure", _alive_on(on))
        .subquery()
    )
    return await _cells(session, rows, list(by), threshold)


async def flows(
    session: AsyncSession, start: date, end: date, by: Sequence[ByKey], threshold: int
) -> list[Cell]:
    def before(column: Any) -> Any:
        return func.lag(column).over(partition_by=Movement.person_id, order_by=Movement.position)

    sequence = (
        select(
            Movement.person_id,
            Movement.kind,
            Movement.occurred_on,
            # The sequence alternates, so the row before a return is its departure.
            case(
                (Movement.kind == "departure", Movement.destination_country),
                else_=before(Movement.destination_country),
            ).label("destination_country"),
            case(
                (Movement.kind == "departure", Movement.sector),
                else_=before(Movement.sector),
            ).label("sector"),
            case(
                (Movement.kind == "departure", Movement.occupation),
                else_=before(Movement.occupation),
            ).label("occupation"),
        )
        .where(Movement.superseded_at.is_(None))
        .subquery()
    )
    rows = (
        select(
            sequence.c.kind.label("movement"),
            Person.sex.label("sex"),
            _age_group(sequence.c.occurred_on).label("age_group"),
            Person.region.label("region"),
            sequence.c.destination_country,
            sequence.c.sector,
            sequence.c.occupation,
        )
        .join_from(sequence, Person, Person.id == sequence.c.person_id)
        .where(sequence.c.occurred_on.between(start, end))
        .subquery()
    )
    return await _cells(session, rows, ["movement", *by], threshold)


async def _cells(session: AsyncSession, rows: Any, keys: list[str], threshold: int) -> list[Cell]:
    # Grouped in an outer query so the age CASE (with bound parameters) is
    # grouped as one column, not re-evaluated per parameter.
    columns = [rows.c[key] for key in keys]
    query: Select[Any] = (
        select(*columns, func.count().label("n"))
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
