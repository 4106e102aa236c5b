"""Each kind of record and each action on it lands in the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.registry.conftest import REGISTRAR, MakePerson, depart
from tests.support.tokens import bearer

AUDITOR = bearer("auditor", subject="dpo")
SUPERVISOR = bearer("consular_supervisor", subject="hq-supervisor")


async def _actions(client: httpx.AsyncClient, resource_type: str, resource_id: str) -> list[str]:
    """ "actor:action" of every event about one record, oldest first."""
    response = await client.get(
        "/v1/audit-events",
        params={"resource_type": resource_type, "resource_id": resource_id, "limit": 100},
        headers=AUDITOR,
    )
    assert response.status_code == 200, response.text
    return [f"{e['actor']}:{e['action']}" for e in reversed(response.json()["items"])]


def _child(first_name: str, **extra: Any) -> dict[str, Any]:
    born = date(date.today().year - 7, 1, 15).isoformat()
    return {
        "relation": "child",
        "last_name": "Абдыкадырова",
        "first_name": first_name,
        "birth_date": born,
        **extra,
    }


async def test_family_member_reads_and_writes_are_audited(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    url = f"/v1/persons/{pid}/family-members"
    spouse_body = {
        "relation": "spouse",
        "last_name": "Абдыкадырова",
        "first_name": "Айгүл",
        "birth_date": "1992-05-20",
        "phone": "0700 123 456",
        "sms_consent": True,
    }
    spouse = (await registry.post(url, json=spouse_body, headers=REGISTRAR)).json()
    await registry.get(url, headers=SUPERVISOR)
    await registry.get(f"{url}/{spouse['id']}", headers=SUPERVISOR)
    patched = await registry.patch(
        f"{url}/{spouse['id']}",
        json={"language": "ru"},
        headers={**REGISTRAR, "If-Match": 'W/"1"'},
    )
    assert patched.status_code == 200
    withdrawn = await registry.post(
        f"{url}/{spouse['id']}/consent-withdrawals", json={"reason": "asked"}, headers=REGISTRAR
    )
    assert withdrawn.status_code == 201
    assert await _actions(registry, "family_member", spouse["id"]) == [
        "registrar-osh:create",
        "hq-supervisor:read",
        "hq-supervisor:read",
        "registrar-osh:update",
        "registrar-osh:withdraw_consent",
    ]


async def test_status_event_reads_and_writes_are_audited(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    url = f"/v1/persons/{pid}/status-events"
    body = {"status": "missing", "date": "2025-06-01", "source": "family"}
    event = (await registry.post(url, json=body, headers=REGISTRAR)).json()
    assert (await registry.get(url, headers=SUPERVISOR)).status_code == 200
    assert await _actions(registry, "status_event", event["id"]) == [
        "registrar-osh:status_change",
        "hq-supervisor:read",
    ]


async def test_a_movement_correction_is_audited_on_both_rows(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    old = (await depart(registry, pid, "2025-03-01")).json()
    fixed = await registry.post(
        f"/v1/persons/{pid}/movements/{old['id']}/corrections",
        json={"reason": "misread stamp", "changes": {"date": "2025-03-02"}},
        headers=REGISTRAR,
    )
    assert fixed.status_code == 201
    assert await _actions(registry, "movement", old["id"]) == [
        "registrar-osh:create",
        "registrar-osh:correct",
    ]
    assert await _actions(registry, "movement", fixed.json()["id"]) == ["registrar-osh:correct"]


async def test_an_idempotent_replay_is_audited_as_a_read(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    headers = {**REGISTRAR, "Idempotency-Key": "border-post-7"}
    url = f"/v1/persons/{pid}/family-members"
    first = await registry.post(url, json=_child("Бермет"), headers=headers)
    replay = await registry.post(url, json=_child("Бермет"), headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert await _actions(registry, "family_member", first.json()["id"]) == [
        "registrar-osh:create",
        "registrar-osh:read",
    ]


async def test_the_at_risk_list_audits_the_child_and_the_migrant_parent(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    child = (
        await registry.post(
            f"/v1/persons/{pid}/family-members", json=_child("Нурай"), headers=REGISTRAR
        )
    ).json()
    await depart(registry, pid)
    listed = await registry.get("/v1/at-risk-children", headers=SUPERVISOR)
    assert [c["family_member_id"] for c in listed.json()["items"]] == [child["id"]]
    assert await _actions(registry, "family_member", child["id"]) == [
        "registrar-osh:create",
        "hq-supervisor:read",
    ]
    assert await _actions(registry, "person", pid) == [
        "registrar-osh:create",
        "hq-supervisor:read",
    ]
