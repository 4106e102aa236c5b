"""A family member texts a case number and gets its status; a stranger learns nothing.

Needs the consular ``GET /v1/cases/by-number/{n}/status`` and the registry
``GET /v1/persons/{id}/family-contacts`` endpoints, so it runs green once the
three services' branches are merged.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.notifications.callbacks.signature import sign
from services.notifications.settings import NotificationsSettings
from services.notifications.worker import work
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e  # starts the services as separate processes

FAMILY_PHONE = "+996555987654"
STRANGER_PHONE = "+996555111222"
PROVIDER = bearer("service", scopes=("notifications:callbacks",), subject="provider:gateway")


async def text_in(
    http: httpx.AsyncClient, live: LiveSystem, secret: str, phone: str, text: str
) -> dict[str, Any]:
    raw = httpx.Request(
        "POST", "/", json={"id": f"in-{uuid.uuid4()}", "from": phone, "text": text}
    ).read()
    response = await http.post(
        f"{live.urls['notifications']}/v1/provider-callbacks/inbound",
        content=raw,
        headers={**PROVIDER, "X-Signature": sign(raw, secret), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def reply_to(http: httpx.AsyncClient, live: LiveSystem, phone: str) -> dict[str, Any]:
    response = await http.get(
        f"{live.urls['notifications']}/v1/messages", params={"to": phone}, headers=bearer("admin")
    )
    assert response.status_code == 200, response.text
    replies = [m for m in response.json()["items"] if (m["reference"] or "").startswith("inbound:")]
    assert len(replies) == 1, replies
    detail = (
        await http.get(
            f"{live.urls['notifications']}/v1/messages/{replies[0]['id']}", headers=bearer("admin")
        )
    ).json()
    result: dict[str, Any] = detail
    return result


async def test_a_family_contact_gets_the_case_status_and_a_stranger_does_not(
    live: LiveSystem, notifications_settings: NotificationsSettings
) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        await _scenario(http, live, notifications_settings)


async def _scenario(
    http: httpx.AsyncClient, live: LiveSystem, notifications_settings: NotificationsSettings
) -> None:
    registry, consular = live.urls["registry"], live.urls["consular"]
    person = await http.post(
        f"{registry}/v1/persons",
        json={
            "pin": "21503199012345",
            "last_name": "Абдыкадыров",
            "first_name": "Бакыт",
            "sex": "M",
            "birth_date": "1990-03-15",
            "phone": "+996700555444",
            "region": "KG-C",
            "language": "ky",
        },
        headers=bearer("registrar"),
    )
    assert person.status_code == 201, person.text
    person_id = person.json()["id"]
    member = await http.post(
        f"{registry}/v1/persons/{person_id}/family-members",
        json={
            "relation": "spouse",
            "last_name": "Абдыкадырова",
            "first_name": "Айгүл",
            "birth_date": "1992-06-01",
            "sex": "F",
            "phone": FAMILY_PHONE,
            "language": "ky",
            "sms_consent": True,
        },
        headers=bearer("registrar"),
    )
    assert member.status_code == 201, member.text
    case = await http.post(
        f"{consular}/v1/cases",
        json={
            "consulate": "RU-MOW",
            "person_id": person_id,
            "category": "wage_theft",
            "priority": "normal",
            "description": "Wages unpaid for three months",
        },
        headers=bearer("consular_officer", consulate="RU-MOW"),
    )
    assert case.status_code == 201, case.text
    case_number = case.json()["case_number"]

    secret = notifications_settings.callback_secret
    assert (await text_in(http, live, secret, FAMILY_PHONE, f" {case_number.lower()} "))[
        "kind"
    ] == "case_query"
    await text_in(http, live, secret, STRANGER_PHONE, case_number)
    settings = notifications_settings.model_copy(
        update={
            "consular_url": consular,
            "registry_url": registry,
            "quiet_hours_start": 0,
            "quiet_hours_end": 0,
        }
    )
    await work(settings, once=True)

    family = await reply_to(http, live, FAMILY_PHONE)
    assert family["template"] == "case_status_reply" and family["language"] == "ky"
    assert case_number in family["text"] and "ачык" in family["text"]  # status "open"
    stranger = await reply_to(http, live, STRANGER_PHONE)
    assert stranger["template"] == "case_unknown_reply"
    assert case_number not in stranger["text"]
