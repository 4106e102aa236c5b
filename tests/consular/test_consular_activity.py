"""Notes and referrals (with their own status), listing and search."""

from __future__ import annotations

from typing import Any

import httpx

from tests.consular.conftest import MOSCOW, SUPERVISOR, open_case, register_person


async def test_notes_and_referrals_land_in_the_timeline(consular: httpx.AsyncClient) -> None:
    case = await open_case(consular)
    base = f"/v1/cases/{case['id']}"
    note = await consular.post(
        f"{base}/notes", json={"text": "Spoke to the foreman."}, headers=MOSCOW
    )
    assert note.status_code == 201
    assert note.json()["kind"] == "note"
    assert (
        await consular.post(f"{base}/notes", json={"text": " "}, headers=MOSCOW)
    ).status_code == 422

    created = await consular.post(
        f"{base}/referrals",
        json={"organization": "IOM Moscow", "organization_type": "iom", "reason": "Shelter"},
        headers=MOSCOW,
    )
    assert created.status_code == 201
    referral = created.json()
    assert referral["status"] == "proposed"
    status_url = f"{base}/referrals/{referral['id']}/status"
    done_early = await consular.post(status_url, json={"status": "completed"}, headers=MOSCOW)
    assert done_early.status_code == 409
    assert done_early.json()["allowed"] == ["accepted", "declined"]
    accepted = await consular.post(status_url, json={"status": "accepted"}, headers=MOSCOW)
    assert accepted.json()["status"] == "accepted"
    declined = await consular.post(status_url, json={"status": "declined"}, headers=MOSCOW)
    assert declined.status_code == 409
    completed = await consular.post(
        status_url, json={"status": "completed", "note": "Placed in shelter"}, headers=MOSCOW
    )
    assert completed.json()["status"] == "completed"
    missing = await consular.post(
        f"{base}/referrals/00000000-0000-0000-0000-000000000000/status",
        json={"status": "accepted"},
        headers=MOSCOW,
    )
    assert missing.status_code == 404

    listed = (await consular.get(f"{base}/referrals", headers=MOSCOW)).json()["items"]
    assert [(r["organization"], r["status"]) for r in listed] == [("IOM Moscow", "completed")]
    kinds = [
        e["kind"] for e in (await consular.get(f"{base}/timeline", headers=MOSCOW)).json()["items"]
    ]
    assert kinds == ["created", "note", "referral", "referral_status", "referral_status"]
    # The case's own status is unchanged by referrals.
    assert (await consular.get(base, headers=MOSCOW)).json()["status"] == "open"


async def test_search_by_number_name_and_description_words(
    consular: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    person = await register_person(registry, last_name="Токтогулова", first_name="Айгуль", sex="F")
    wages = await open_case(consular, person={"last_name": "Осмонов", "first_name": "Бакыт"})
    passport = await open_case(
        consular,
        person=None,
        person_id=person["id"],
        category="document_confiscation",
        description="Работодатель забрал паспорт и не возвращает.",
    )

    async def found(q: str) -> list[Any]:
        response = await consular.get("/v1/cases", params={"q": q}, headers=MOSCOW)
        return [c["id"] for c in response.json()["items"]]

    assert await found(passport["case_number"].lower()) == [passport["id"]]
    assert await found("осмонов") == [wages["id"]]
    assert await found("Бакыт Осмонов") == [wages["id"]]
    assert await found("Токтогулова") == [passport["id"]]  # a registered person's name
    assert await found("паспорт") == [passport["id"]]
    assert await found("wages construction") == [wages["id"]]
    assert await found("repatriation") == []
    assert await found("100%_") == []


async def test_listing_pages_with_a_cursor(consular: httpx.AsyncClient) -> None:
    opened = [await open_case(consular) for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await consular.get("/v1/cases", params=params, headers=SUPERVISOR)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(c["id"] for c in opened)
    assert len(seen) == 5
    bad = await consular.get("/v1/cases", params={"cursor": "nonsense"}, headers=SUPERVISOR)
    assert bad.status_code == 422
    filtered = await consular.get(
        "/v1/cases",
        params={"status": "open", "category": "wage_theft", "priority": "normal"},
        headers=MOSCOW,
    )
    assert len(filtered.json()["items"]) == 5
    none = await consular.get("/v1/cases", params={"status": "closed"}, headers=MOSCOW)
    assert none.json()["items"] == []
