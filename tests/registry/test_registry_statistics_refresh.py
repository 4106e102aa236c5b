"""A refresh writes its generation in short transactions: the audit sealer is not
held back, a half-done refresh is never answered from, two at once do not clash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.registry.audit.sealer import seal
from services.registry.statistics import aggregates
from tests.registry.audit_helpers import migreg
from tests.registry.conftest import REGISTRAR, MakePerson, depart
from tests.registry.test_registry_statistics import ANALYST, population, threshold

__all__ = ["population", "threshold"]

FIRST, LAST = date(2025, 1, 1), date(2026, 10, 31)


class Interrupted(Exception):
    pass


async def _stock(client: httpx.AsyncClient) -> dict[str, Any]:
    params = {"on": "2025-05-31", "by": "sex"}
    response = await client.get("/v1/statistics/stock", params=params, headers=ANALYST)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _rows_by_generation(app: FastAPI) -> dict[int, int]:
    query = text(
        "SELECT generation, count(*) FROM (SELECT generation FROM statistics_stock_monthly "
        "UNION ALL SELECT generation FROM statistics_flows_monthly) AS r GROUP BY generation"
    )
    async with app.state.engine.connect() as conn:
        return {int(g): int(n) for g, n in (await conn.execute(query)).all()}


async def test_audit_events_are_sealed_while_a_refresh_runs(
    registry: httpx.AsyncClient, registry_app: FastAPI, population: None, make_person: MakePerson
) -> None:
    engine = registry_app.state.engine
    pid = (await make_person())["id"]
    await seal(engine, wait=5)
    sealed_midway: list[int] = []

    async def read_and_seal() -> None:
        if sealed_midway:
            return
        assert (await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)).status_code == 200
        sealed_midway.append(await seal(engine, wait=3))
        async with engine.connect() as conn:
            newest = await conn.scalar(
                text("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            )
        assert newest is not None, "the read's audit event waits for the refresh"

    done = await aggregates.refresh(
        engine, FIRST, LAST, rows_per_transaction=5, after_batch=read_and_seal
    )
    assert done is not None
    assert sealed_midway == [1]


async def test_an_interrupted_refresh_is_never_answered_from(
    registry: httpx.AsyncClient,
    registry_app: FastAPI,
    population: None,
    make_person: MakePerson,
    threshold: Callable[[int], None],
) -> None:
    threshold(1)
    engine = registry_app.state.engine
    first = await aggregates.refresh(engine, FIRST, LAST)
    assert first is not None
    before = await _stock(registry)
    assert datetime.fromisoformat(before["as_of"]) == first.as_of
    pid = (await make_person(sex="F", birth_date="2000-01-01", region="KG-C"))["id"]
    assert (await depart(registry, pid, "2025-04-01", destination_country="KZ")).status_code == 201

    batches: list[None] = []

    async def fail_midway() -> None:
        batches.append(None)
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        await aggregates.refresh(
            engine, FIRST, LAST, rows_per_transaction=3, after_batch=fail_midway
        )
    assert set(await _rows_by_generation(registry_app)) == {first.generation, first.generation + 1}
    assert await _stock(registry) == before

    second = await aggregates.refresh(engine, FIRST, LAST)
    assert second is not None and second.generation == first.generation + 1
    assert set(await _rows_by_generation(registry_app)) == {second.generation}
    after = await _stock(registry)
    assert datetime.fromisoformat(after["as_of"]) == second.as_of
    assert [(c["sex"], c["count"]) for c in after["items"]] == [("F", 2), ("M", 6)]


async def test_a_second_refresh_at_the_same_time_skips(
    registry: httpx.AsyncClient,
    registry_app: FastAPI,
    population: None,
    threshold: Callable[[int], None],
) -> None:
    threshold(1)
    engine = registry_app.state.engine
    meanwhile: list[aggregates.Coverage | None] = []

    async def refresh_again() -> None:
        if not meanwhile:
            meanwhile.append(await aggregates.refresh(engine, FIRST, LAST))

    done = await aggregates.refresh(
        engine, FIRST, LAST, rows_per_transaction=4, after_batch=refresh_again
    )
    assert meanwhile == [None]
    assert done is not None
    assert set(await _rows_by_generation(registry_app)) == {done.generation}
    stock = await _stock(registry)
    assert datetime.fromisoformat(stock["as_of"]) == done.as_of
    assert [(c["sex"], c["count"]) for c in stock["items"]] == [("F", 1), ("M", 6)]
    # Released at the end: the next refresh runs.
    again = await aggregates.refresh(engine, FIRST, LAST)
    assert again is not None and again.generation == done.generation + 1


async def test_migreg_statistics_refresh_on_a_one_connection_pool(
    registry: httpx.AsyncClient, population: None, database_urls: dict[str, str]
) -> None:
    """The CLI's engine has a pool of one (and one overflow): the snapshot's
    session and a batch's writing one are open together."""
    result = await migreg("statistics", "refresh", "--database-url", database_urls["registry"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("refreshed ")
    as_of = result.output.rstrip().rsplit("as of ", 1)[1]
    assert datetime.fromisoformat((await _stock(registry))["as_of"]) == datetime.fromisoformat(
        as_of
    )
