"""No automatic family SMS for a trafficking or violence survivor, on opening or
resolution and whatever the category: the request is kept and the officer told why."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.consular.family.service import PROTECTED
from shared.outbox.relay import Relay
from tests.consular.conftest import MOSCOW, REGISTRAR, move, open_case, register_person
from tests.consular.test_consular_family_sms import _drain, relay  # noqa: F401 (fixture)
from tests.support.tokens import bearer

SPOUSE_PHONE = "+996555987611"


async def _family(registry: httpx.AsyncClient, kind: str) -> str:
    person_id = str((await register_person(registry))["id"])
    spouse: dict[str, Any] = {"relation": "spouse", "last_name": "Абдыкадырова"}
    spouse |= {"first_name": "Айгүл"}
    spouse |= {"birth_date": "1992-06-01", "phone": SPOUSE_PHONE, "sms_consent": True}
    added = await registry.post(
        f"/v1/persons/{person_id}/family-members", json=spouse, headers=REGISTRAR
    )
    assert added.status_code == 201, added.text
    marked = await registry.post(
        f"/v1/persons/{person_id}/markers", json={"kind": kind}, headers=REGISTRAR
    )
    assert marked.status_code == 201, marked.text
    return person_id


async def _timeline(consular: httpx.AsyncClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    answer = await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)
    return list(answer.json()["items"])


async def _sent_to_spouse(notifications: httpx.AsyncClient) -> list[Any]:
    answer = await notifications.get(
        "/v1/messages", params={"to": SPOUSE_PHONE}, headers=bearer("admin")
    )
    return list(answer.json()["items"])


@pytest.mark.parametrize("kind", ["trafficking_survivor", "violence_survivor"])
async def test_a_survivor_s_family_is_never_texted_and_the_officer_knows_why(
    registry: httpx.AsyncClient,
    consular: httpx.AsyncClient,
    notifications: httpx.AsyncClient,
    consular_app: FastAPI,
    relay: Relay,  # noqa: F811
    kind: str,
) -> None:
    person_id = await _family(registry, kind)
    case = await open_case(consular, person=None, person_id=person_id, notify_family=True)
    await _drain(consular_app, relay)
    case = await move(consular, case, "in_progress")
    await move(consular, case, "resolved", resolution="assisted", notify_family=True)
    await _drain(consular_app, relay)

    events = await _timeline(consular, case)
    kinds = [e["kind"] for e in events]
    assert kinds.count("family_notification_requested") == 2  # both requests are kept
    assert "family_sms" not in kinds
    withheld = [e["data"]["reason"] for e in events if e["kind"] == "family_sms_not_sent"]
    assert withheld == [PROTECTED, PROTECTED]
    tasks = (await consular.get("/v1/tasks", headers=MOSCOW)).json()["items"]
    assert [t["case_id"] for t in tasks] == [case["id"], case["id"]]
    assert await _sent_to_spouse(notifications) == []


async def test_other_markers_do_not_hold_family_sms(
    registry: httpx.AsyncClient,
    consular: httpx.AsyncClient,
    notifications: httpx.AsyncClient,
    consular_app: FastAPI,
    relay: Relay,  # noqa: F811
) -> None:
    person_id = await _family(registry, "disability")
    case = await open_case(consular, person=None, person_id=person_id, notify_family=True)
    await _drain(consular_app, relay)
    assert "family_sms" in [e["kind"] for e in await _timeline(consular, case)]
    assert len(await _sent_to_spouse(notifications)) == 1
