"""What the statistics count, as SQL: one row per person in the stock, one per
movement in the flows, carrying every breakdown key. The live tables count
these rows for one date or period; the monthly aggregates count the same rows
for every month at once, so both give the same numbers.

- Stock on a date: the persons whose last active (not superseded) movement on
  or before that date is a departure, less those reported deceased by then.
  ``destination_country``, ``sector`` and ``occupation`` come from that departure.
- Flows: every active departure and return; a return carries the destination,
  sector and occupation of the departure it ended.
- Age groups use the age on the stock date, or at the movement.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, cast, func, or_, select, text

from services.registry.movements.models import Movement
from services.registry.persons.models import Person

# (oldest age in the group, label): 0-14, 15-19, then five-year groups; the
# last group (65+) is open-ended. The ILO's and the UN's standard grouping.
AGE_GROUPS: tuple[tuple[int, str], ...] = (
    (14, "0-14"),
    *((low + 4, f"{low}-{low + 4}") for low in range(15, 65, 5)),
)
OLDEST_GROUP = "65+"


def _age_group(on: Any) -> ColumnElement[str]:
    age = func.date_part("year", func.age(on, Person.birth_date))
    return case(*((age <= oldest, label) for oldest, label in AGE_GROUPS), else_=OLDEST_GROUP)


def _alive_on(on: Any) -> ColumnElement[bool]:
    return or_(Person.status != "deceased", Person.status_date > on)


def _stock_rows(last: Any, on: Any, *extra: Any) -> Select[Any]:
    """The persons whose movement ``last`` (a departure) is the last one on ``on``."""
    return (
        select(
            *extra,
            Person.sex.label("sex"),
            _age_group(on).label("age_group"),
            Person.region.label("region"),
            last.c.destination_country.label("destination_country"),
            last.c.sector.label("sector"),
            last.c.occupation.label("occupation"),
        )
        .join_from(last, Person, Person.id == last.c.person_id)
        .where(last.c.kind == "departure", _alive_on(on))
    )


def stock_on(on: date) -> Any:
    """The stock's rows on one date."""
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
    return _stock_rows(last, on).subquery()


def stock_by_month_end(first: date, last: date) -> Any:
    """The stock's rows on every month end from ``first``'s to ``last``'s, with
    ``month_end``: a movement is a person's last one on a day from its date
    until (not including) the earliest date of a movement after it."""
    later = func.min(Movement.occurred_on).over(
        partition_by=Movement.person_id, order_by=Movement.position.desc(), rows=(None, -1)
    )
    spans = (
        select(
            Movement.person_id,
            Movement.kind,
            Movement.occurred_on,
            later.label("until"),
            Movement.destination_country,
            Movement.sector,
            Movement.occupation,
        )
        .where(Movement.superseded_at.is_(None))
        .subquery()
    )
    month = text("interval '1 month'")
    starts = func.generate_series(first.replace(day=1), last.replace(day=1), month)
    ends = select(cast(starts + month - text("interval '1 day'"), Date).label("on")).subquery()
    rows = _stock_rows(spans, ends.c.on, ends.c.on.label("month_end")).join(
        ends,
        (spans.c.occurred_on <= ends.c.on)
        & or_(spans.c.until.is_(None), spans.c.until > ends.c.on),
    )
    return rows.subquery()


def flows_all() -> Any:
    """Every active movement's row, with ``occurred_on`` and its ``month`` (first day)."""

    def before(column: Any) -> Any:
        return func.lag(column).over(partition_by=Movement.person_id, order_by=Movement.position)

    def departures(column: Any) -> Any:
        # The sequence alternates, so the row before a return is its departure.
        return case((Movement.kind == "departure", column), else_=before(column))

    sequence = (
        select(
            Movement.person_id,
            Movement.kind,
            Movement.occurred_on,
            departures(Movement.destination_country).label("destination_country"),
            departures(Movement.sector).label("sector"),
            departures(Movement.occupation).label("occupation"),
        )
        .where(Movement.superseded_at.is_(None))
        .subquery()
    )
    return (
        select(
            sequence.c.occurred_on,
            cast(func.date_trunc("month", sequence.c.occurred_on), Date).label("month"),
            sequence.c.kind.label("movement"),
            Person.sex.label("sex"),
            _age_group(sequence.c.occurred_on).label("age_group"),
            Person.region.label("region"),
            sequence.c.destination_country,
            sequence.c.sector,
            sequence.c.occupation,
        )
        .join_from(sequence, Person, Person.id == sequence.c.person_id)
        .subquery()
    )


def flows_between(start: date, end: date) -> Any:
    """The flows' rows dated from ``start`` to ``end``, both included."""
    rows = flows_all()
    return select(rows).where(rows.c.occurred_on.between(start, end)).subquery()
