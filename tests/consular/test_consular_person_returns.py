"""A reported return is checked like any other input before it is written on cases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx

from tests.support.tokens import bearer

REGISTRY = bearer("service", scopes=("cases:events",), subject="service:registry")


def _return(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "person_id": str(uuid.uuid4()),
        "returned_on": date.today().isoformat(),
        "reason": "contract_end",
    }
    return {**body, **overrides}


async def test_a_return_reason_is_one_of_the_registrys(consular: httpx.AsyncClient) -> None:
    # Free text here would be written on every open case's timeline as the reason.
    refused = await consular.post(
        "/v1/person-returns", json=_return(reason="<b>anything</b>"), headers=REGISTRY
    )
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["reason"]
    kept = await consular.post("/v1/person-returns", json=_return(), headers=REGISTRY)
    assert kept.status_code == 200, kept.text
    assert kept.json() == {"cases": []}


async def test_a_return_in_the_future_is_refused(consular: httpx.AsyncClient) -> None:
    later = (date.today() + timedelta(days=3)).isoformat()
    response = await consular.post(
        "/v1/person-returns", json=_return(returned_on=later), headers=REGISTRY
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["returned_on"]
