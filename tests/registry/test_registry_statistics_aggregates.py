"""Monthly aggregates give the same tables as the live computation, and say how fresh."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import Date, cast, column, func, select, text, true

from services.registry.audit.verify import psycopg_url
from services.registry.demo.bulk import copy_people
from services.registry.demo.synthetic import iter_people
from services.registry.settings import RegistrySettings
from services.registry.statistics import population as counted
from services.registry.statistics.background import refresh_now
from services.registry.statistics.schemas import BY_KEYS
from tests.registry.conftest import MakePerson, depart
from tests.registry.test_registry_statistics import ANALYST, population, threshold

__all__ = ["population", "threshold"]

STOCK_DAYS = ["2024-03-31", "2025-04-30", "2025-05-31", "2026-09-30", "2026-10-31"]
PERIODS = [
    ("2025-01-01", "2025-12-31"),
    ("2025-04-01", "2025-06-30"),
    ("2026-03-01", "2026-03-31"),
    ("2026-01-01", "2026-10-31"),
]
BREAKDOWNS = [[], *([k] for k in BY_KEYS), *itertools.combinations(BY_KEYS, 2)]
BREAKDOWNS += [("sex", "age_group", "destination_country"), ("region", "sector", "occupation")]


async def _tables(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for by in BREAKDOWNS:
        keys = ",".join(by)
        breakdown = {"by": keys} if by else {}  # no breakdown: no `by` at all
        for on in STOCK_DAYS:
            answers[f"stock {on} {keys}"] = await _get(client, "stock", on=on, **breakdown)
        for start, end in PERIODS:
            params = {"from": start, "to": end, **breakdown}
            answers[f"flows {start} {end} {keys}"] = await _get(client, "flows", **params)
    return answers


async def _get(client: httpx.AsyncClient, table: str, **params: str) -> dict[str, Any]:
    response = await client.get(f"/v1/statistics/{table}", params=params, headers=ANALYST)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("cut", [1, 5])
async def test_aggregates_answer_exactly_as_the_live_count(
    registry: httpx.AsyncClient,
    registry_app: FastAPI,
    registry_settings: RegistrySettings,
    population: None,
    threshold: Callable[[int], None],
    cut: int,
) -> None:
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        copy_people(conn, iter_people(400, seed=11))
        conn.commit()
    threshold(cut)
    live = await _tables(registry)
    done = await refresh_now(registry_app.state.engine, registry_settings)
    assert done is not None
    summed = await _tables(registry)
    assert any(t["items"] for t in live.values())
    assert any(c["suppressed"] for t in live.values() for c in t["items"]) == (cut > 1)
    for name, table in live.items():
        assert summed[name]["items"] == table["items"], name
        # Live answers are as of the request (before the refresh); summed ones as of it.
        assert datetime.fromisoformat(summed[name]["as_of"]) == done.as_of, name
        assert datetime.fromisoformat(table["as_of"]) < done.as_of, name


async def test_what_is_recorded_after_a_refresh_shows_at_the_next(
    registry: httpx.AsyncClient,
    registry_app: FastAPI,
    registry_settings: RegistrySettings,
    population: None,
    make_person: MakePerson,
    threshold: Callable[[int], None],
) -> None:
    threshold(1)
    first = await refresh_now(registry_app.state.engine, registry_settings)
    assert first is not None
    pid = (await make_person(sex="F", birth_date="2000-01-01", region="KG-C"))["id"]
    assert (await depart(registry, pid, "2025-04-01", destination_country="KZ")).status_code == 201
    stale = await _get(registry, "stock", on="2025-05-31", by="sex")
    assert datetime.fromisoformat(stale["as_of"]) == first.as_of
    assert [(c["sex"], c["count"]) for c in stale["items"]] == [("F", 1), ("M", 6)]

    second = await refresh_now(registry_app.state.engine, registry_settings)
    assert second is not None and second.as_of > first.as_of
    fresh = await _get(registry, "stock", on="2025-05-31", by="sex")
    assert datetime.fromisoformat(fresh["as_of"]) == second.as_of
    assert [(c["sex"], c["count"]) for c in fresh["items"]] == [("F", 2), ("M", 6)]
    csv = await registry.get(
        "/v1/statistics/stock",
        params={"on": "2025-05-31"},
        headers={**ANALYST, "Accept": "text/csv"},
    )
    assert datetime.fromisoformat(csv.headers["Data-As-Of"]) == second.as_of
    metrics = (await registry.get("/metrics")).text.splitlines()
    gauge = "registry_statistics_aggregates_as_of_timestamp_seconds "
    shown = [float(line.removeprefix(gauge)) for line in metrics if line.startswith(gauge)]
    assert shown == [pytest.approx(second.as_of.timestamp())]


async def test_ages_in_plain_arithmetic_are_postgresql_ages(registry_app: FastAPI) -> None:
    """Every birthday of four years (29 February included) against every day of six
    years: the arithmetic the counts use is ``age()`` in whole years, on any day
    (live) and on month ends (the aggregates)."""
    day = text("interval '1 day'")
    b = func.generate_series(date(1996, 1, 1), date(1999, 12, 31), day)
    d = func.generate_series(date(2022, 1, 1), date(2027, 12, 31), day)
    births = b.table_valued(column("value", Date)).render_derived(name="b")
    days = d.table_valued(column("value", Date)).render_derived(name="d")
    born, on = cast(births.c.value, Date), cast(days.c.value, Date)
    expected = func.date_part("year", func.age(on, born))
    month_end = cast(func.date_trunc("month", on) + text("interval '1 month - 1 day'"), Date)
    at_month_end = counted._age_at_month_end(counted._month_number(on), born)
    query = select(
        func.count().filter(counted._age_on(on, born) != expected),
        func.count().filter(on == month_end, at_month_end != expected),
        func.count().filter(on == month_end),
    ).select_from(births.join(days, true()))
    async with registry_app.state.engine.connect() as conn:
        wrong_days, wrong_month_ends, month_ends = (await conn.execute(query)).one()
    assert month_ends == 1461 * 72
    assert (wrong_days, wrong_month_ends) == (0, 0)
