"""Opening cases: registered people checked against the real registry, unregistered
people linked later, idempotent retries, and what is refused."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from services.consular.app import create_app
from services.consular.settings import ConsularSettings
from tests.consular.conftest import (
    ALMATY,
    ANALYST,
    MOSCOW,
    SUPERVISOR,
    case_body,
    open_case,
    register_person,
)


async def test_opening_for_a_registered_person_checks_the_registry(
    consular: httpx.AsyncClient, person: dict[str, Any]
) -> None:
    response = await consular.post(
        "/v1/cases",
        json=case_body(person=None, person_id=person["id"], priority="high"),
        headers=MOSCOW,
    )
    assert response.status_code == 201, response.text
    case = response.json()
    year = datetime.now(ZoneInfo("Europe/Moscow")).year  # the consulate's year
    assert re.fullmatch(rf"RU-MOW-{year}-\d{{6}}", case["case_number"])
    assert case["status"] == "open"
    assert case["person_id"] == person["id"]
    assert case["person"]["last_name"] == "Абдыкадыров"  # names come from the registry
    opened = datetime.fromisoformat(case["opened_at"])
    assert datetime.fromisoformat(case["due_at"]) - opened == timedelta(days=3)
    assert case["sla_state"] == "green"
    assert case["allowed_transitions"] == ["in_progress"]
    assert response.headers["Location"] == f"/v1/cases/{case['id']}"
    assert response.headers["ETag"] == 'W/"1"'


async def test_unknown_person_id_is_a_422_naming_the_field(consular: httpx.AsyncClient) -> None:
    response = await consular.post(
        "/v1/cases", json=case_body(person=None, person_id=str(uuid.uuid4())), headers=MOSCOW
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "person_id"
    listed = await consular.get("/v1/cases", headers=SUPERVISOR)
    assert listed.json()["items"] == []


async def test_person_id_and_person_are_exclusive(
    consular: httpx.AsyncClient, person: dict[str, Any]
) -> None:
    both = await consular.post("/v1/cases", json=case_body(person_id=person["id"]), headers=MOSCOW)
    neither = await consular.post("/v1/cases", json=case_body(person=None), headers=MOSCOW)
    assert both.status_code == neither.status_code == 422
    assert both.json()["errors"][0]["field"] == "person_id"
    assert neither.json()["errors"][0]["field"] == "person_id"
    assert "not both and not neither" in neither.json()["errors"][0]["reason"]


async def test_bad_input_is_a_422(consular: httpx.AsyncClient) -> None:
    for bad in (
        {"category": "robbery"},
        {"priority": "urgent"},
        {"description": "   "},
        {"reported_by": "neighbour"},
        {"location": {"country": "XX"}},
        {"person": {"last_name": "Осмонов", "first_name": "Бакыт", "phone": "12345"}},
    ):
        response = await consular.post("/v1/cases", json=case_body(**bad), headers=MOSCOW)
        assert response.status_code == 422, bad


async def test_an_officer_cannot_open_a_case_for_another_consulate(
    consular: httpx.AsyncClient,
) -> None:
    response = await consular.post("/v1/cases", json=case_body(consulate="KZ-ALA"), headers=MOSCOW)
    assert response.status_code == 403
    assert "RU-MOW" in response.json()["detail"]


async def test_a_supervisor_opens_anywhere_but_not_at_an_unknown_consulate(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular, SUPERVISOR, consulate="KZ-ALA")
    assert case["case_number"].startswith("KZ-ALA-")
    response = await consular.post(
        "/v1/cases", json=case_body(consulate="ZZ-ZZZ"), headers=SUPERVISOR
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consulate"


async def test_analysts_and_registrars_cannot_open_or_read_cases(
    consular: httpx.AsyncClient,
) -> None:
    assert (await consular.post("/v1/cases", json=case_body(), headers=ANALYST)).status_code == 403
    assert (await consular.get("/v1/cases", headers=ANALYST)).status_code == 403


async def test_an_unregistered_person_is_linked_later(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    case = await open_case(
        consular,
        person={"last_name": "Осмонов", "first_name": "Бакыт", "phone": "+996 555 123 457"},
    )
    assert case["person_id"] is None
    assert case["person"]["phone"] == "+996555123457"
    registered = await register_person(registry, last_name="Осмонов", first_name="Бакыт")

    url = f"/v1/cases/{case['id']}/link-person"
    body = {"person_id": registered["id"]}
    v1 = {"If-Match": 'W/"1"'}
    unknown = await consular.post(
        url, json={"person_id": str(uuid.uuid4())}, headers={**MOSCOW, **v1}
    )
    assert unknown.status_code == 422
    assert (await consular.post(url, json=body, headers=MOSCOW)).status_code == 428
    stale = await consular.post(url, json=body, headers={**MOSCOW, "If-Match": 'W/"7"'})
    assert stale.status_code == 412
    linked = await consular.post(url, json=body, headers={**MOSCOW, **v1})
    assert linked.status_code == 200, linked.text
    assert linked.json()["person_id"] == registered["id"]
    assert linked.json()["version"] == 2
    assert linked.headers["ETag"] == 'W/"2"'
    assert linked.json()["person"]["phone"] is None  # the registry holds it now
    again = await consular.post(url, json=body, headers={**MOSCOW, "If-Match": 'W/"2"'})
    assert again.status_code == 409
    assert again.json()["person_id"] == registered["id"]
    assert again.json()["type"].endswith("already-linked")
    other = await consular.post(url, json=body, headers={**ALMATY, **v1})
    assert other.status_code == 404
    events = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    assert [e["kind"] for e in events["items"]] == ["created", "person_linked"]
    assert events["items"][1]["data"] == {"person_id": registered["id"]}


async def test_a_retried_opening_with_the_same_key_opens_one_case(
    consular: httpx.AsyncClient,
) -> None:
    headers = {**MOSCOW, "Idempotency-Key": "open-once-1"}
    first = await consular.post("/v1/cases", json=case_body(), headers=headers)
    second = await consular.post("/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    other_body = await consular.post(
        "/v1/cases", json=case_body(description="Something else"), headers=headers
    )
    assert other_body.status_code == 422
    listed = await consular.get("/v1/cases", headers=MOSCOW)
    assert len(listed.json()["items"]) == 1


async def test_notify_family_is_stored_but_refused_for_sensitive_categories(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular, notify_family=True)
    assert case["notify_family"] is True
    events = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    assert events["items"][1]["kind"] == "family_notification_requested"
    assert events["items"][1]["data"] == {"on": "opening"}
    for category in ("death", "trafficking", "violence", "missing_person"):
        response = await consular.post(
            "/v1/cases", json=case_body(category=category, notify_family=True), headers=MOSCOW
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "notify_family"
        assert "must contact the family" in response.json()["detail"]
    # Without the intent, sensitive cases open normally.
    assert (await open_case(consular, category="death"))["notify_family"] is False


async def test_a_registry_refusing_our_token_is_a_503_and_nothing_is_written(
    consular_settings: ConsularSettings,
    registry_app: FastAPI,
    consular: httpx.AsyncClient,
    person: dict[str, Any],
) -> None:
    # A consular instance misconfigured with a token the real registry rejects.
    app = create_app(consular_settings.model_copy(update={"service_token": "not-a-token"}))
    async with app.router.lifespan_context(app):
        app.state.peers.route(consular_settings.registry_url, httpx.ASGITransport(app=registry_app))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/v1/cases", json=case_body(person=None, person_id=person["id"]), headers=MOSCOW
            )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "401" in response.json()["detail"]
    assert (await consular.get("/v1/cases", headers=SUPERVISOR)).json()["items"] == []
