"""The name-search statement: what it reads from the query, what it writes into the SQL."""

from __future__ import annotations

from datetime import date

import pytest

from services.registry.persons.name_search import (
    Filters,
    NameQuery,
    _literal,
    birth_range,
    statement,
)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Жээнбекова Жылдыз 1994-07-02", (date(1994, 7, 2), date(1994, 7, 2))),
        ("Zheenbekova 2.7.1994", (date(1994, 7, 2), date(1994, 7, 2))),
        ("Zheenbekova 02/07/1994", (date(1994, 7, 2), date(1994, 7, 2))),
        ("Жылдыз 1994", (date(1994, 1, 1), date(1994, 12, 31))),
        ("Жылдыз 31.02.1994", None),  # not a date: no guess
        ("Жылдыз", None),
    ],
)
def test_a_birth_date_or_year_is_read_from_the_query(
    q: str, expected: tuple[date, date] | None
) -> None:
    assert birth_range(q) == expected


def test_only_skeletons_and_numbers_are_written_into_the_statement() -> None:
    query = NameQuery.parse("O'Брайен Жылдыз'; DROP TABLE persons; -- 1994")
    sql, params = statement(query, Filters(region="KG-O"), cap=200, offset=0, limit=11)
    assert "DROP" not in sql and "Брайен" not in sql
    assert "Брайен" in params["words"]  # typed words stay bound
    with pytest.raises(ValueError):
        _literal(["jildiz", "x'; --"])
