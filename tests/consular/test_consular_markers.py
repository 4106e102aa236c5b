"""A case for a person the registry marks vulnerable opens at least ``high``
(with that SLA), and says why only to those who may see markers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.consular.conftest import (
    ADMIN,
    MOSCOW,
    REGISTRAR,
    SUPERVISOR,
    case_body,
    move,
    register_person,
)


async def _marked(registry: httpx.AsyncClient, kind: str = "trafficking_survivor") -> str:
    person = await register_person(registry)
    response = await registry.post(
        f"/v1/persons/{person['id']}/markers", json={"kind": kind}, headers=REGISTRAR
    )
    assert response.status_code == 201, response.text
    return str(person["id"])


async def _open(consular: httpx.AsyncClient, person_id: str, priority: str) -> dict[str, Any]:
    response = await consular.post(
        "/v1/cases",
        json=case_body(person=None, person_id=person_id, priority=priority),
        headers=MOSCOW,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _budget(case: dict[str, Any]) -> timedelta:
    return datetime.fromisoformat(case["due_at"]) - datetime.fromisoformat(case["opened_at"])


@pytest.mark.parametrize("asked", ["low", "normal"])
async def test_a_marked_person_s_case_opens_high_with_its_sla(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient, asked: str
) -> None:
    case = await _open(consular, await _marked(registry, "disability"), asked)
    assert case["priority"] == "high"
    assert _budget(case) == timedelta(hours=72)
    assert "vulnerability marker" in case["priority_reason"]


async def test_critical_stays_critical_and_unmarked_people_keep_what_was_asked(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    critical = await _open(consular, await _marked(registry), "critical")
    assert critical["priority"] == "critical" and _budget(critical) == timedelta(hours=24)
    plain = await _open(consular, (await register_person(registry))["id"], "normal")
    assert plain["priority"] == "normal" and plain["priority_reason"] is None
    assert _budget(plain) == timedelta(hours=240)


async def test_a_withdrawn_marker_no_longer_raises_priority(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    person_id = await _marked(registry)
    listed = await registry.get(f"/v1/persons/{person_id}/markers", headers=SUPERVISOR)
    marker_id = listed.json()["items"][0]["id"]
    await registry.post(
        f"/v1/persons/{person_id}/markers/{marker_id}/withdrawal",
        json={"reason": "recorded in error"},
        headers=REGISTRAR,
    )
    assert (await _open(consular, person_id, "normal"))["priority"] == "normal"


async def test_the_reason_is_shown_only_to_those_who_may_see_markers(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    case = await _open(consular, await _marked(registry), "normal")
    url = f"/v1/cases/{case['id']}"

    async def reason(headers: dict[str, str]) -> Any:
        response = await consular.get(url, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["priority_reason"]

    assert await reason(MOSCOW) and await reason(SUPERVISOR)
    assert await reason(ADMIN) is None  # reads cases, has no need for markers
    case = await move(consular, case, "in_progress")
    await move(consular, case, "resolved", resolution="assisted")
    assert await reason(MOSCOW) is None  # no open case any more
    assert await reason(SUPERVISOR)


async def test_linking_a_case_to_a_marked_person_raises_it_and_moves_the_deadline(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    response = await consular.post("/v1/cases", json=case_body(priority="low"), headers=MOSCOW)
    case = response.json()
    assert _budget(case) == timedelta(hours=720)
    linked = await consular.post(
        f"/v1/cases/{case['id']}/link-person",
        json={"person_id": await _marked(registry)},
        headers={**MOSCOW, "If-Match": 'W/"1"'},
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["priority"] == "high" and linked.json()["priority_reason"]
    assert _budget(linked.json()) == timedelta(hours=72)
    assert linked.json()["sla"]["budget_hours"] == 72
