"""Registry API test helpers: make people, families and movements through the API."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from services.registry.persons.pin import Sex, make_pin
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar", subject="registrar-osh")
_serials = itertools.count(1)

# A spouse who agreed to SMS: the usual family contact.
SPOUSE = {
    "relation": "spouse",
    "last_name": "Абдыкадырова",
    "first_name": "Айгүл",
    "birth_date": "1992-05-20",
    "phone": "0700 123 456",
    "sms_consent": True,
}

MakePerson = Callable[..., Awaitable[dict[str, Any]]]


def person_body(**overrides: Any) -> dict[str, Any]:
    sex: Sex = "F" if overrides.get("sex") == "F" else "M"
    born = date.fromisoformat(overrides.get("birth_date", "1990-03-14"))
    body: dict[str, Any] = {
        "pin": make_pin(sex, born, next(_serials)),
        "last_name": "Абдыкадыров",
        "first_name": "Нурлан",
        "patronymic": "Бакытович",
        "last_name_latin": "Abdykadyrov",
        "first_name_latin": "Nurlan",
        "sex": sex,
        "birth_date": born.isoformat(),
        "region": "KG-O",
        "language": "ky",
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_person(registry: httpx.AsyncClient) -> MakePerson:
    async def make(**overrides: Any) -> dict[str, Any]:
        response = await registry.post(
            "/v1/persons", json=person_body(**overrides), headers=REGISTRAR
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


async def depart(
    client: httpx.AsyncClient, person_id: str, on: str = "2025-03-01", **extra: Any
) -> httpx.Response:
    body = {"departed_on": on, "destination_country": "RU", **extra}
    return await client.post(f"/v1/persons/{person_id}/departures", json=body, headers=REGISTRAR)


async def come_back(
    client: httpx.AsyncClient, person_id: str, on: str = "2025-09-01", reason: str = "contract_end"
) -> httpx.Response:
    body = {"returned_on": on, "reason": reason}
    return await client.post(f"/v1/persons/{person_id}/returns", json=body, headers=REGISTRAR)
