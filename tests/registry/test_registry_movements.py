"""Departures, returns, impossible sequences, corrections, explicit statuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, MakePerson, come_back, depart
from tests.support.tokens import bearer


async def _status(client: httpx.AsyncClient, person_id: str) -> str:
    return str((await client.get(f"/v1/persons/{person_id}", headers=REGISTRAR)).json()["status"])


async def test_departure_and_return_drive_the_status(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    left = await depart(
        registry,
        pid,
        destination_city="Moscow",
        purpose="work",
        employer="Monolit Stroi",
        sector="F",
        occupation="7",
        recruitment_agency="Agency 1",
        contract_end="2026-03-01",
        border_crossing="Manas airport",
    )
    assert left.status_code == 201, left.text
    assert left.json()["sector"] == "F" and left.json()["kind"] == "departure"
    assert await _status(registry, pid) == "abroad"
    back = await come_back(registry, pid)
    assert back.status_code == 201
    assert await _status(registry, pid) == "returned"
    listed = await registry.get(
        f"/v1/persons/{pid}/movements", headers=bearer("consular_officer", consulate="RU-MOW")
    )
    assert [m["kind"] for m in listed.json()["items"]] == ["departure", "return"]


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ([("return", "2025-01-01")], "no departure"),
        ([("departure", "2025-01-01"), ("departure", "2025-02-01")], "second departure"),
        (
            [("departure", "2025-01-01"), ("return", "2025-02-01"), ("return", "2025-03-01")],
            "no departure since",
        ),
        ([("departure", "2025-05-01"), ("return", "2025-04-01")], "before the previous"),
    ],
)
async def test_impossible_sequences_are_409_saying_why(
    registry: httpx.AsyncClient,
    make_person: MakePerson,
    steps: list[tuple[str, str]],
    needle: str,
) -> None:
    pid = (await make_person())["id"]
    responses = [
        await (depart(registry, pid, on) if kind == "departure" else come_back(registry, pid, on))
        for kind, on in steps
    ]
    assert all(r.status_code == 201 for r in responses[:-1])
    assert responses[-1].status_code == 409
    assert needle in responses[-1].json()["detail"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"destination_country": "XX"}, "destination_country"),
        ({"destination_country": "KG"}, "destination_country"),
        ({"destination_country": "rus"}, "destination_country"),
        ({"sector": "Z"}, "sector"),
        ({"occupation": "10"}, "occupation"),
        ({"contract_end": "2024-01-01"}, "contract_end"),
        ({"contract_end": "9999-12-31"}, "contract_end"),
        ({"contract_end": "2035-03-02"}, "contract_end"),  # ten years and a day
        ({"departed_on": "2999-01-01"}, "departed_on"),
        ({"departed_on": "1980-01-01"}, "departed_on"),
    ],
)
async def test_bad_departures_are_422(
    registry: httpx.AsyncClient, make_person: MakePerson, extra: dict[str, str], field: str
) -> None:
    pid = (await make_person())["id"]
    body = {"departed_on": "2025-03-01", "destination_country": "RU", **extra}
    response = await registry.post(f"/v1/persons/{pid}/departures", json=body, headers=REGISTRAR)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_movements_of_an_unknown_person_are_404(registry: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await depart(registry, missing)).status_code == 404
    response = await registry.get(f"/v1/persons/{missing}/movements", headers=REGISTRAR)
    assert response.status_code == 404


async def test_a_correction_supersedes_and_keeps_the_old_row(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    old = (await depart(registry, pid, "2025-03-01")).json()
    url = f"/v1/persons/{pid}/movements/{old['id']}/corrections"
    body = {
        "reason": "Misread stamp",
        "changes": {"date": "2025-03-02", "destination_country": "KZ"},
    }
    fixed = await registry.post(url, json=body, headers=REGISTRAR)
    assert fixed.status_code == 201, fixed.text
    new = fixed.json()
    assert new["date"] == "2025-03-02" and new["destination_country"] == "KZ"
    assert new["corrects"] == old["id"]
    active = (await registry.get(f"/v1/persons/{pid}/movements", headers=REGISTRAR)).json()
    assert [m["id"] for m in active["items"]] == [new["id"]]
    everything = (
        await registry.get(
            f"/v1/persons/{pid}/movements", params={"include_superseded": True}, headers=REGISTRAR
        )
    ).json()["items"]
    kept = next(m for m in everything if m["id"] == old["id"])
    assert kept["superseded"] and kept["superseded_by"] == new["id"]
    assert kept["superseded_reason"] == "Misread stamp"
    assert kept["superseded_by_actor"] == "registrar-osh"
    assert kept["date"] == "2025-03-01"
    again = await registry.post(url, json=body, headers=REGISTRAR)
    assert again.status_code == 409
    assert again.json()["superseded_by"] == new["id"]


async def test_a_correction_that_breaks_the_sequence_is_409_and_changes_nothing(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    departure = (await depart(registry, pid, "2025-03-01")).json()
    await come_back(registry, pid, "2025-09-01")
    url = f"/v1/persons/{pid}/movements/{departure['id']}/corrections"
    late = {"reason": "typo", "changes": {"date": "2025-10-01"}}
    response = await registry.post(url, json=late, headers=REGISTRAR)
    assert response.status_code == 409
    assert "before the previous" in response.json()["detail"]
    withdraw = await registry.post(
        url, json={"reason": "wrong person", "withdraw": True}, headers=REGISTRAR
    )
    assert withdraw.status_code == 409  # the return would then have no departure
    wrong_field = {"reason": "x", "changes": {"return_reason": "health"}}
    assert (await registry.post(url, json=wrong_field, headers=REGISTRAR)).status_code == 422
    nothing = {"reason": "x"}
    assert (await registry.post(url, json=nothing, headers=REGISTRAR)).status_code == 422
    active = (await registry.get(f"/v1/persons/{pid}/movements", headers=REGISTRAR)).json()
    assert [m["date"] for m in active["items"]] == ["2025-03-01", "2025-09-01"]


async def test_withdrawing_the_last_departure_brings_the_person_home(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    departure = (await depart(registry, pid)).json()
    assert await _status(registry, pid) == "abroad"
    response = await registry.post(
        f"/v1/persons/{pid}/movements/{departure['id']}/corrections",
        json={"reason": "entered in error", "withdraw": True},
        headers=REGISTRAR,
    )
    assert response.status_code == 201
    assert response.json()["superseded"] is True
    assert await _status(registry, pid) == "in_country"
    unknown = await registry.post(
        f"/v1/persons/{pid}/movements/00000000-0000-4000-8000-000000000000/corrections",
        json={"reason": "x", "withdraw": True},
        headers=REGISTRAR,
    )
    assert unknown.status_code == 404


async def test_departure_retry_with_idempotency_key_records_one_movement(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    headers = {**REGISTRAR, "Idempotency-Key": "bp-42"}
    body = {"departed_on": "2025-03-01", "destination_country": "RU"}
    url = f"/v1/persons/{pid}/departures"
    first = await registry.post(url, json=body, headers=headers)
    second = await registry.post(url, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listed = (await registry.get(f"/v1/persons/{pid}/movements", headers=REGISTRAR)).json()
    assert len(listed["items"]) == 1
    changed = await registry.post(url, json={**body, "destination_country": "KZ"}, headers=headers)
    assert changed.status_code == 422


async def test_status_events_missing_found_deceased(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    await depart(registry, pid)
    url = f"/v1/persons/{pid}/status-events"
    found_first = await registry.post(
        url, json={"status": "found", "date": "2025-06-01", "source": "x"}, headers=REGISTRAR
    )
    assert found_first.status_code == 409
    missing = await registry.post(
        url,
        json={"status": "missing", "date": "2025-06-01", "source": "Consulate RU-MOW"},
        headers=REGISTRAR,
    )
    assert missing.status_code == 201
    assert missing.json()["person_status"] == "missing"
    person = (await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)).json()
    assert (person["status"], person["status_date"], person["status_source"]) == (
        "missing",
        "2025-06-01",
        "Consulate RU-MOW",
    )
    found = await registry.post(
        url, json={"status": "found", "date": "2025-07-01", "source": "family"}, headers=REGISTRAR
    )
    assert found.json()["person_status"] == "abroad"  # back to what movements say
    died = await registry.post(
        url, json={"status": "deceased", "date": "2025-08-01", "source": "MFA"}, headers=REGISTRAR
    )
    assert died.status_code == 201 and died.json()["person_status"] == "deceased"
    assert (await come_back(registry, pid, "2025-09-01")).status_code == 409
    again = await registry.post(
        url, json={"status": "missing", "date": "2025-09-01", "source": "x"}, headers=REGISTRAR
    )
    assert again.status_code == 409
    future = await registry.post(
        url, json={"status": "missing", "date": "2999-01-01", "source": "x"}, headers=REGISTRAR
    )
    assert future.status_code == 422
    history = await registry.get(url, headers=bearer("consular_supervisor"))
    assert [(e["status"], e["date"], e["source"]) for e in history.json()["items"]] == [
        ("missing", "2025-06-01", "Consulate RU-MOW"),
        ("found", "2025-07-01", "family"),
        ("deceased", "2025-08-01", "MFA"),
    ]
    assert (await registry.get(url, headers=bearer("analyst"))).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "nothing to change", "changes": {}},
        {"reason": "nothing to change"},
        {"reason": "both at once", "withdraw": True, "changes": {"date": "2025-03-02"}},
    ],
)
async def test_a_correction_must_change_something_or_withdraw_but_not_both(
    registry: httpx.AsyncClient, make_person: MakePerson, body: dict[str, Any]
) -> None:
    pid = (await make_person())["id"]
    departure = (await depart(registry, pid, "2025-03-01")).json()
    url = f"/v1/persons/{pid}/movements/{departure['id']}/corrections"
    response = await registry.post(url, json=body, headers=REGISTRAR)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["changes"]
    everything = await registry.get(
        f"/v1/persons/{pid}/movements", params={"include_superseded": True}, headers=REGISTRAR
    )
    assert [m["superseded"] for m in everything.json()["items"]] == [False]


async def test_a_death_or_disappearance_before_the_last_movement_is_409(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    await depart(registry, pid, "2025-03-01")
    await come_back(registry, pid, "2025-09-01")
    url = f"/v1/persons/{pid}/status-events"
    for status in ("deceased", "missing"):
        early = await registry.post(
            url, json={"status": status, "date": "2025-08-31", "source": "x"}, headers=REGISTRAR
        )
        assert early.status_code == 409
        assert "return on 2025-09-01" in early.json()["detail"]
    assert await _status(registry, pid) == "returned"
    same_day = await registry.post(
        url, json={"status": "missing", "date": "2025-09-01", "source": "x"}, headers=REGISTRAR
    )
    assert same_day.status_code == 201
