"""Stock abroad and flows: disaggregated counts, small cells withheld, analysts only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from services.registry.audit.verify import psycopg_url
from services.registry.clock import today
from services.registry.demo.bulk import copy_people
from services.registry.demo.synthetic import iter_people
from services.registry.settings import RegistrySettings
from services.registry.statistics.periods import month_end
from tests.registry.conftest import REGISTRAR, MakePerson, come_back, depart
from tests.support.tokens import bearer

ANALYST = bearer("analyst", subject="stat-office")
YEAR_2025 = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
async def population(registry: httpx.AsyncClient, make_person: MakePerson) -> None:
    """On 2025-05-31: six men abroad in Russia (construction, F); of three women
    who left for Kazakhstan (trade, G) one is abroad, one came back, one died."""
    for _ in range(6):
        pid = (await make_person(sex="M", birth_date="1990-01-01", region="KG-O"))["id"]
        assert (await depart(registry, pid, "2025-03-01", sector="F")).status_code == 201
    women = [
        (await make_person(sex="F", birth_date="2000-01-01", region="KG-C"))["id"] for _ in range(3)
    ]
    for pid in women:
        response = await depart(registry, pid, "2025-04-01", destination_country="KZ", sector="G")
        assert response.status_code == 201
    assert (await come_back(registry, women[1], "2025-05-01")).status_code == 201
    died = await registry.post(
        f"/v1/persons/{women[2]}/status-events",
        json={"status": "deceased", "date": "2025-05-15", "source": "MFA"},
        headers=REGISTRAR,
    )
    assert died.status_code == 201
    # Abroad and back before the period: in neither table.
    earlier = (await make_person(sex="M", birth_date="1990-01-01", region="KG-O"))["id"]
    await depart(registry, earlier, "2024-01-01", sector="F")
    await come_back(registry, earlier, "2024-06-01")


@pytest.fixture
async def threshold(registry_app: FastAPI) -> AsyncIterator[Callable[[int], None]]:
    """Set the suppression threshold of the running app (restored afterwards)."""
    configured = registry_app.state.settings

    def set_to(value: int) -> None:
        update = {"statistics_suppression_threshold": value}
        registry_app.state.settings = configured.model_copy(update=update)

    yield set_to
    registry_app.state.settings = configured


async def _items(client: httpx.AsyncClient, path: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/statistics/{path}", params=params, headers=ANALYST)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _counts(items: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [(*(c[k] for k in keys), c["count"]) for c in items]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sex", [("F", 1), ("M", 6)]),
        ("age_group", [("25-29", 1), ("35-39", 6)]),
        ("region", [("KG-C", 1), ("KG-O", 6)]),
        ("destination_country", [("KZ", 1), ("RU", 6)]),
        ("sector", [("F", 6), ("G", 1)]),
    ],
)
async def test_stock_by_each_key(
    registry: httpx.AsyncClient,
    population: None,
    threshold: Callable[[int], None],
    key: str,
    expected: list[tuple[str, int]],
) -> None:
    threshold(1)
    items = await _items(registry, "stock", on="2025-05-31", by=key)
    assert _counts(items, key) == expected
    assert all(set(c) == {key, "count", "suppressed"} for c in items)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sex", [("departure", "F", 3), ("departure", "M", 6), ("return", "F", 1)]),
        (
            "age_group",
            [("departure", "25-29", 3), ("departure", "35-39", 6), ("return", "25-29", 1)],
        ),
        ("region", [("departure", "KG-C", 3), ("departure", "KG-O", 6), ("return", "KG-C", 1)]),
        (
            "destination_country",
            [("departure", "KZ", 3), ("departure", "RU", 6), ("return", "KZ", 1)],
        ),
        ("sector", [("departure", "F", 6), ("departure", "G", 3), ("return", "G", 1)]),
    ],
)
async def test_flows_by_each_key(
    registry: httpx.AsyncClient,
    population: None,
    threshold: Callable[[int], None],
    key: str,
    expected: list[tuple[str, str, int]],
) -> None:
    threshold(1)
    items = await _items(registry, "flows", by=key, **YEAR_2025)
    assert _counts(items, "movement", key) == expected


async def test_stock_moves_with_the_date_and_combines_keys(
    registry: httpx.AsyncClient, population: None, threshold: Callable[[int], None]
) -> None:
    threshold(1)
    # Before the deceased woman died and the other came back: all three abroad.
    april = await _items(registry, "stock", on="2025-04-30", by="sex,destination_country")
    assert _counts(april, "sex", "destination_country") == [("F", "KZ", 3), ("M", "RU", 6)]
    assert _counts(await _items(registry, "stock", on="2024-03-31")) == [(1,)]
    assert await _items(registry, "stock", on="2023-01-31") == []


async def test_small_cells_are_withheld_at_the_default_threshold(
    registry: httpx.AsyncClient, population: None
) -> None:
    response = await registry.get(
        "/v1/statistics/stock", params={"on": "2025-05-31", "by": "sex"}, headers=ANALYST
    )
    body = response.json()
    assert body["suppression_threshold"] == 5 and body["by"] == ["sex"]
    # F is under 5; M goes too, or the stock without `by` minus M would give F back.
    assert body["items"] == [
        {"sex": "F", "count": None, "suppressed": True},
        {"sex": "M", "count": None, "suppressed": True},
    ]
    assert "last_name" not in response.text and "id" not in response.text
    flows = await _items(registry, "flows", by="destination_country", **YEAR_2025)
    assert [(c["movement"], c["destination_country"], c["suppressed"]) for c in flows] == [
        ("departure", "KZ", True),
        ("departure", "RU", True),  # withheld with the lone KZ departure beside it
        ("return", "KZ", True),
    ]
    assert [c["count"] for c in flows] == [None, None, None]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("stock", {"by": "sex,colour"}, "by"),
        ("stock", {"by": "sex,sex"}, "by"),
        ("stock", {"by": "name"}, "by"),
        # An empty key is none of the keys: `by=` is not "no breakdown" (leave `by` out).
        ("stock", {"by": ""}, "by"),
        ("stock", {"by": "sex,"}, "by"),
        ("flows", {"by": "sex,,region", **YEAR_2025}, "by"),
        ("flows", {"by": "pin", **YEAR_2025}, "by"),
        ("flows", {"from": "2025-12-01", "to": "2025-01-31"}, "to"),
        ("flows", {"from": "2025-01-02", "to": "2025-01-31"}, "from"),
        ("flows", {"from": "2025-06-01", "to": "2025-06-05"}, "to"),
        ("stock", {"on": "2025-13-01"}, "on"),
        ("stock", {"on": "2025-06-30", "by": "sex,region,sector,occupation"}, "by"),
        ("stock", {"on": "2025-06-29"}, "on"),
        ("stock", {"on": "2099-12-31"}, "on"),
        ("flows", {"from": "2026-01-01", "to": "2099-12-31"}, "to"),
        ("flows", {"from": "2099-01-01", "to": "2099-01-31"}, "from"),
        ("flows", {"from": "2099-01-01"}, "from"),
    ],
)
async def test_bad_statistics_queries_are_422_naming_the_parameter(
    registry: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    response = await registry.get(f"/v1/statistics/{path}", params=params, headers=ANALYST)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    # A list parameter's item is named with its position (by.1); each is a query parameter.
    named = {(e["field"].split(".")[0], e["in"]) for e in response.json()["errors"]}
    assert named == {(field, "query")}, response.json()


async def test_a_month_is_counted_only_once_it_has_ended(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    now = today(registry_settings)
    first = now.replace(day=1)
    last_end = first - timedelta(days=1)
    this_end = month_end(now)

    async def refused(path: str, **params: str) -> dict[str, Any]:
        response = await registry.get(f"/v1/statistics/{path}", params=params, headers=ANALYST)
        assert response.status_code == 422, (params, response.text)
        (error,) = response.json()["errors"]
        assert f"the last complete month ends {last_end}" in error["reason"], error
        return dict(error)

    # This month has not ended (even on its last day): its stock and flows would be partial.
    assert (await refused("stock", on=this_end.isoformat()))["field"] == "on"
    this_month = {"from": first.isoformat(), "to": this_end.isoformat()}
    assert (await refused("flows", **this_month))["field"] == "from"
    up_to_now = {"from": last_end.replace(day=1).isoformat(), "to": this_end.isoformat()}
    assert (await refused("flows", **up_to_now))["field"] == "to"
    # The last complete month is counted.
    await _items(registry, "stock", on=last_end.isoformat())
    await _items(registry, "flows", **{"from": up_to_now["from"], "to": last_end.isoformat()})


@pytest.mark.parametrize("role", ["analyst", "admin", "consular_supervisor"])
async def test_analysts_admins_and_supervisors_see_statistics(
    registry: httpx.AsyncClient, role: str
) -> None:
    for path, params in (("stock", {}), ("flows", YEAR_2025)):
        response = await registry.get(f"/v1/statistics/{path}", params=params, headers=bearer(role))
        assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        bearer("registrar"),
        bearer("consular_officer", consulate="RU-MOW"),
        bearer("auditor"),
        bearer("service", scopes=("registry:read",)),
    ],
)
async def test_others_may_not_see_statistics(
    registry: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await registry.get("/v1/statistics/stock", headers=headers)
    assert response.status_code == 403


async def test_tables_as_csv_and_sdmx_csv(
    registry: httpx.AsyncClient, population: None, threshold: Callable[[int], None]
) -> None:
    threshold(1)
    params = {"on": "2025-05-31", "by": "sex,age_group"}
    plain = await registry.get(
        "/v1/statistics/stock", params=params, headers={**ANALYST, "Accept": "text/csv"}
    )
    assert plain.headers["content-type"].startswith("text/csv")
    assert plain.text.splitlines() == [
        "sex,age_group,count,suppressed",
        "F,25-29,1,false",
        "M,35-39,6,false",
    ]
    sdmx_accept = {**ANALYST, "Accept": "application/vnd.sdmx.data+csv"}
    sdmx = await registry.get(
        "/v1/statistics/flows", params={**YEAR_2025, "by": "sector"}, headers=sdmx_accept
    )
    assert sdmx.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    lines = sdmx.text.splitlines()
    assert lines[0] == (
        "DATAFLOW,REF_AREA,FLOW,ECONOMIC_ACTIVITY,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS"
    )
    assert lines[1] == "KG_MIGREG:DF_LM_FLOWS(1.0),KG,OUT,ISIC4_F,2025,6,PS,A"
    threshold(5)
    withheld = await registry.get(
        "/v1/statistics/stock", params={"on": "2025-05-31", "by": "region"}, headers=sdmx_accept
    )
    assert withheld.text.splitlines()[1:] == [
        "KG_MIGREG:DF_LM_STOCK(1.0),KG-C,2025-05,,PS,C",
        "KG_MIGREG:DF_LM_STOCK(1.0),KG-O,2025-05,,PS,C",
    ]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0, */*", "application/json"),  # CSV refused, anything else welcome
        ("text/csv;q=0.5, application/vnd.sdmx.data+csv", "application/vnd.sdmx.data+csv"),
        ("application/json;q=0.1, text/csv", "text/csv"),
        ("text/csv, */*", "text/csv"),  # the more specific range wins a tie
        ("application/json, text/csv", "application/json"),  # an exact tie: JSON
        ("TEXT/CSV ; Q=1", "text/csv"),
    ],
)
async def test_quality_values_choose_the_format(
    registry: httpx.AsyncClient, accept: str, expected: str
) -> None:
    for path, params in (("stock", {"on": "2025-05-31"}), ("flows", YEAR_2025)):
        response = await registry.get(
            f"/v1/statistics/{path}", params=params, headers={**ANALYST, "Accept": accept}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == expected, (path, accept)
        assert response.headers["vary"] == "Accept"  # a cache must not mix the formats


@pytest.mark.parametrize(
    "accept", ["text/csv;q=0", "application/json;q=0, text/*;q=0", "text/html", "text/csv;q=5"]
)
async def test_an_accept_admitting_no_table_format_is_406(
    registry: httpx.AsyncClient, accept: str
) -> None:
    for path, params in (("stock", {"on": "2025-05-31"}), ("flows", YEAR_2025)):
        response = await registry.get(
            f"/v1/statistics/{path}", params=params, headers={**ANALYST, "Accept": accept}
        )
        assert response.status_code == 406, (path, accept, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].endswith(
            "application/json, text/csv, application/vnd.sdmx.data+csv."
        )


async def test_the_default_period_is_the_last_complete_month(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    stock = (await registry.get("/v1/statistics/stock", headers=ANALYST)).json()
    flows = (await registry.get("/v1/statistics/flows", headers=ANALYST)).json()
    on = date.fromisoformat(stock["on"])
    assert on == today(registry_settings).replace(day=1) - timedelta(days=1)
    assert (flows["from"], flows["to"]) == (on.replace(day=1).isoformat(), on.isoformat())


async def test_a_withheld_cell_cannot_be_recovered_from_two_tables_of_the_same_period(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        copy_people(conn, iter_people(400, seed=11))
        conn.commit()
    on = {"on": "2026-09-30"}
    joint = await _items(registry, "stock", by="sex,region", **on)
    margin = await _items(registry, "stock", by="sex", **on)
    other = await _items(registry, "stock", by="sex,destination_country", **on)
    assert any(c["suppressed"] for c in joint), "the test needs a withheld cell"

    # The attacker knows a sex's total from the margin, or from a breakdown of
    # it that shows every cell, and subtracts what the joint table shows.
    totals: dict[str, int] = {c["sex"]: c["count"] for c in margin if not c["suppressed"]}
    for table in (joint, other):
        for sex in ("F", "M"):
            row = [c for c in table if c["sex"] == sex]
            if all(not c["suppressed"] for c in row):
                totals.setdefault(sex, sum(c["count"] for c in row))
    for table in (joint, other):
        for sex, total in totals.items():
            row = [c for c in table if c["sex"] == sex]
            hidden = [c for c in row if c["suppressed"]]
            # One withheld cell in a row with a known total would be recovered;
            # there are always none or several, so only their sum is known.
            assert len(hidden) != 1, (sex, total, row)
    # The same holds down each region / country column (the other margin).
    by_region = await _items(registry, "stock", by="region", **on)
    shown_regions = {c["region"] for c in by_region if not c["suppressed"]}
    for region in shown_regions:
        column = [c for c in joint if c["region"] == region]
        assert sum(c["suppressed"] for c in column) != 1, column
