"""A one-value query parameter sent twice is refused, not half-read."""

from __future__ import annotations

import httpx

from tests.support.tokens import bearer

REGISTRAR = bearer("registrar")
ANALYST = bearer("analyst")


async def test_a_filter_given_twice_is_422_naming_it(registry: httpx.AsyncClient) -> None:
    response = await registry.get(
        "/v1/persons", params=[("region", "KG-O"), ("region", "KG-C")], headers=REGISTRAR
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "region", "in": "query", "reason": "give this parameter once"}
    ]


async def test_list_parameters_may_repeat(registry: httpx.AsyncClient) -> None:
    response = await registry.get(
        "/v1/statistics/stock", params=[("by", "sex"), ("by", "region")], headers=ANALYST
    )
    assert response.status_code == 200, response.text
    assert response.json()["by"] == ["sex", "region"]
    commas = await registry.get("/v1/statistics/stock?by=sex,region", headers=ANALYST)
    assert commas.json()["by"] == ["sex", "region"]
