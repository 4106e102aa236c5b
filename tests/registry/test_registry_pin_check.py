"""POST /v1/pin-checks: the registration rules for a PIN, answered field by field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, person_body
from tests.support.tokens import bearer

PIN = "21403199012345"  # male, born 14.03.1990


async def _check(registry: httpx.AsyncClient, **body: str) -> dict[str, Any]:
    response = await registry.post("/v1/pin-checks", json=body, headers=REGISTRAR)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_pin_that_agrees(registry: httpx.AsyncClient) -> None:
    answer = await _check(registry, pin=PIN, sex="M", birth_date="1990-03-14")
    assert answer == {
        "valid": True,
        "agrees": True,
        "encoded": {"sex": "M", "birth_date": "1990-03-14"},
        "problems": [],
    }


async def test_each_disagreeing_field_is_named_with_both_values(
    registry: httpx.AsyncClient,
) -> None:
    answer = await _check(registry, pin=PIN, sex="F", birth_date="1990-04-14")
    assert answer["valid"] and not answer["agrees"]
    assert [p["field"] for p in answer["problems"]] == ["sex", "birth_date"]
    assert "PIN encodes sex M but sex is F" in answer["problems"][0]["reason"]
    assert "1990-03-14" in answer["problems"][1]["reason"]
    assert "1990-04-14" in answer["problems"][1]["reason"]


async def test_values_not_yet_typed_are_not_compared(registry: httpx.AsyncClient) -> None:
    answer = await _check(registry, pin=PIN, sex="F")
    assert [p["field"] for p in answer["problems"]] == ["sex"]
    assert (await _check(registry, pin=PIN))["agrees"]


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("2140319901234", "PIN must be 14 digits"),
        ("31403199012345", "PIN must start with 1 (female) or 2 (male), not 3"),
        ("23102199012345", "is not a real date"),
        ("21403299912345", "in the future"),
    ],
)
async def test_a_pin_breaking_the_rules_is_named(
    registry: httpx.AsyncClient, pin: str, reason: str
) -> None:
    answer = await _check(registry, pin=pin, sex="M")
    assert not answer["valid"] and not answer["agrees"] and answer["encoded"] is None
    (problem,) = answer["problems"]
    assert problem["field"] == "pin" and reason in problem["reason"]


async def test_the_same_rules_as_registration(registry: httpx.AsyncClient) -> None:
    """Whatever the check refuses, registration refuses with the same reason."""
    for sex, born in (("F", "1990-03-14"), ("M", "1991-03-14")):
        answer = await _check(registry, pin=PIN, sex=sex, birth_date=born)
        body = person_body(pin=PIN, sex=sex, birth_date=born)
        refused = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
        assert refused.status_code == 422
        assert answer["problems"][0]["reason"] in refused.text


async def test_bad_input_is_a_422_naming_the_field(registry: httpx.AsyncClient) -> None:
    for body, field in (
        ({"pin": PIN, "sex": "X"}, "sex"),
        ({"pin": PIN, "birth_date": "14.03.1990"}, "birth_date"),
        ({"pin": "1" * 33}, "pin"),
        ({}, "pin"),
    ):
        response = await registry.post("/v1/pin-checks", json=body, headers=REGISTRAR)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text


async def test_registrars_only(registry: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("analyst"), bearer("auditor")):
        response = await registry.post("/v1/pin-checks", json={"pin": PIN}, headers=headers)
        assert response.status_code in (401, 403)
