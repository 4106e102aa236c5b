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

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    column,
    func,
    or_,
    select,
    text,
    true,
)

from services.registry.movements.models import Movement
from services.registry.persons.models import Person

# (oldest age in the group, label): 0-14, 15-19, then five-year groups; the
# last group (65+) is open-ended. The ILO's and the UN's standard grouping.
AGE_GROUPS: tuple[tuple[int, str], ...] = (
    (14, "0-14"),
    *((low + 4, f"{low}-{low + 4}") for low in range(15, 65, 5)),
)
OLDEST_GROUP = "65+"


def _day_key(day: Any) -> Any:
    """Month * 100 + day: the order of days within a year."""
    return func.extract("month", day) * 100 + func.extract("day", day)


def _age_on(on: Any, born: Any = Person.birth_date) -> Any:
    """Age in whole years on a date (as PostgreSQL's ``age``, in plain arithmetic:
    about ten times cheaper per row, and the refresh counts tens of millions)."""
    before_birthday = cast(_day_key(on) < _day_key(born), Integer)
    return func.extract("year", on) - func.extract("year", born) - before_birthday


def _age_at_month_end(month: Any, born: Any = Person.birth_date) -> Any:
    """:func:`_age_on` the last day of month number ``month`` (year * 12 + month - 1)."""
    year, number = month // 12, month % 12 + 1
    leap = or_(and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    last_day = case((number == 2, 28 + cast(leap, Integer)), else_=31)
    before_birthday = cast(number * 100 + last_day < _day_key(born), Integer)
    return year - func.extract("year", born) - before_birthday


def _group_of(age: Any) -> ColumnElement[str]:
    return case(*((age <= oldest, label) for oldest, label in AGE_GROUPS), else_=OLDEST_GROUP)


def _age_group(on: Any) -> ColumnElement[str]:
    return _group_of(_age_on(on))


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


def _month_number(day: Any) -> Any:
    """Year * 12 + month - 1: months as consecutive integers."""
    return cast(func.extract("year", day) * 12 + func.extract("month", day) - 1, Integer)


def stock_by_month_end(first: date, last: date) -> Any:
    """The stock's rows on every month end from ``first``'s to ``last``'s, with
    ``month_end``: a movement is a person's last one on a day from its date
    until (not including) the earliest date of a movement after it; so on the
    ends of its own month to the month before that date's, and while the person
    is not reported deceased (the month before the death's, at the latest)."""
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
    died = case((Person.status == "deceased", _month_number(Person.status_date) - 1))
    months = (
        func.generate_series(
            func.greatest(_month_number(spans.c.occurred_on), _month_number(first)),
            func.least(_month_number(spans.c.until) - 1, died, _month_number(last)),
        )
        .table_valued(column("number", Integer))
        .render_derived(name="months")
        .lateral()
    )
    number = months.c.number
    each = (
        select(
            number.label("month"),
            _age_at_month_end(number).label("age"),
            Person.sex,
            Person.region,
            spans.c.destination_country,
            spans.c.sector,
            spans.c.occupation,
        )
        .select_from(spans)
        .join(Person, Person.id == spans.c.person_id)
        .join(months, true())
        # A deceased person without a date is in no stock (as in the live count).
        .where(spans.c.kind == "departure", or_(Person.status != "deceased", died.is_not(None)))
        .subquery()
    )
    keys = (each.c.sex, each.c.region, each.c.destination_country, each.c.sector, each.c.occupation)
    counted = (
        select(
            each.c.month, _group_of(each.c.age).label("age_group"), *keys, func.count().label("n")
        )
        .group_by(each.c.month, each.c.age, *keys)
        .subquery()
    )
    # Month number back to its last day, once per group.
    first_day = func.make_date(counted.c.month // 12, counted.c.month % 12 + 1, 1)
    month_end = cast(first_day + text("interval '1 month'") - text("interval '1 day'"), Date)
    return select(month_end.label("month_end"), counted).subquery()


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
    each = (
        select(
            sequence.c.occurred_on,
            sequence.c.kind,
            _age_on(sequence.c.occurred_on).label("age"),
            Person.sex,
            Person.region,
            sequence.c.destination_country,
            sequence.c.sector,
            sequence.c.occupation,
        )
        .join_from(sequence, Person, Person.id == sequence.c.person_id)
        .subquery()
    )
    # The age once per row, then its group (a CASE repeats its operand per branch).
    return select(
        each.c.occurred_on,
        cast(func.date_trunc("month", each.c.occurred_on), Date).label("month"),
        each.c.kind.label("movement"),
        each.c.sex.label("sex"),
        _group_of(each.c.age).label("age_group"),
        each.c.region.label("region"),
        each.c.destination_country,
        each.c.sector,
        each.c.occupation,
    ).subquery()


def flows_between(start: date, end: date) -> Any:
    """The flows' rows dated from ``start`` to ``end``, both included."""
    rows = flows_all()
    return select(rows).where(rows.c.occurred_on.between(start, end)).subquery()
