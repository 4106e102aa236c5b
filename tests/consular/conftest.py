"""Consular test fixtures: the real registry app behind consular's registry calls, and
a clock the tests can move forward."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.tokens import bearer

MOSCOW = bearer("consular_officer", consulate="RU-MOW", subject="officer.moscow")
MOSCOW_2 = bearer("consular_officer", consulate="RU-MOW", subject="officer.moscow.2")
ALMATY = bearer("consular_officer", consulate="KZ-ALA", subject="officer.almaty")
SUPERVISOR = bearer("consular_supervisor", subject="supervisor.hq")
ADMIN = bearer("admin")
ANALYST = bearer("analyst")
REGISTRAR = bearer("registrar")


@pytest.fixture(autouse=True)
def registry_behind_consular(consular_app: FastAPI, registry_app: FastAPI) -> Iterator[None]:
    """Consular's person checks go to the real registry app, in process."""
    registry_url = consular_app.state.settings.registry_url
    consular_app.state.peers.route(registry_url, httpx.ASGITransport(app=registry_app))
    yield
    consular_app.state.peers.route(registry_url, None)


@dataclass
class SteppedClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(consular_app: FastAPI) -> Iterator[SteppedClock]:
    stepped = SteppedClock(datetime.now(UTC).replace(microsecond=0))
    consular_app.state.clock = stepped
    yield stepped
    del consular_app.state.clock


_pin_serial = iter(range(10000, 99999))


async def register_person(registry: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    sex = overrides.get("sex", "M")
    body = {
        # PIN: sex digit (1 F, 2 M), birth date DDMMYYYY, a serial.
        "pin": f"{1 if sex == 'F' else 2}14031990{next(_pin_serial):05d}",
        "last_name": "Абдыкадыров",
        "first_name": "Нурлан",
        "sex": "M",
        "birth_date": "1990-03-14",
        "phone": "+996555123456",
        "region": "KG-O",
        **overrides,
    }
    response = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
    assert response.status_code == 201, response.text
    return dict(response.json())


def case_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "consulate": "RU-MOW",
        "person": {"last_name": "Осмонов", "first_name": "Бакыт"},
        "category": "wage_theft",
        "priority": "normal",
        "description": "Employer withheld wages for three months at a Moscow construction site.",
        "reported_by": "family",
        "location": {"country": "RU", "city": "Moscow"},
    }
    body.update(overrides)
    return body


async def open_case(
    consular: httpx.AsyncClient, headers: dict[str, str] = MOSCOW, **overrides: Any
) -> dict[str, Any]:
    response = await consular.post("/v1/cases", json=case_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def move(
    consular: httpx.AsyncClient,
    case: dict[str, Any],
    to: str,
    headers: dict[str, str] = MOSCOW,
    **extra: Any,
) -> dict[str, Any]:
    """Transition with the case's current ETag; returns the updated case."""
    response = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": to, **extra},
        headers={**headers, "If-Match": f'W/"{case["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
async def person(registry: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:
    yield await register_person(registry)
