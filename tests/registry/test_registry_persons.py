"""Registering, reading, updating and listing people; roles; idempotency."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, MakePerson, person_body
from tests.support.tokens import bearer

READERS = [
    bearer("registrar"),
    bearer("consular_officer", consulate="RU-MOW"),
    bearer("consular_supervisor"),
    bearer("admin"),
    bearer("service", scopes=("registry:read",)),
]


async def test_register_returns_the_person_with_location_and_etag(
    registry: httpx.AsyncClient,
) -> None:
    body = person_body(phone="0555 123 456")
    response = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
    assert response.status_code == 201
    person = response.json()
    assert person["status"] == "in_country"
    assert person["phone"] == "+996555123456"
    assert response.headers["Location"] == f"/v1/persons/{person['id']}"
    assert response.headers["ETag"] == 'W/"1"'
    read = await registry.get(response.headers["Location"], headers=REGISTRAR)
    assert read.status_code == 200
    assert read.json()["last_name_latin"] == "Abdykadyrov"


async def test_second_registration_of_a_pin_is_409_with_the_existing_id(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    first = await make_person()
    again = person_body(pin=first["pin"], first_name="Бакыт")
    response = await registry.post("/v1/persons", json=again, headers=REGISTRAR)
    assert response.status_code == 409
    assert response.json()["id"] == first["id"]


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("2140319901234", "14 digits"),
        ("2140319901234X", "14 digits"),
        ("31403199012345", "must start with 1 (female) or 2 (male), not 3"),
        ("23102199012345", "not a real date"),
    ],
)
async def test_malformed_pins_are_422_on_pin(
    registry: httpx.AsyncClient, pin: str, reason: str
) -> None:
    response = await registry.post("/v1/persons", json=person_body(pin=pin), headers=REGISTRAR)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "pin"
    assert reason in problem["errors"][0]["reason"]


async def test_pin_disagreeing_with_sex_and_birth_date_names_both_values(
    registry: httpx.AsyncClient,
) -> None:
    body = person_body(pin="21403199012345", sex="F", birth_date="1991-03-14")
    response = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
    assert response.status_code == 422
    reason = response.json()["errors"][0]["reason"]
    assert "PIN encodes sex M but sex is F" in reason
    assert "PIN encodes birth date 1990-03-14 but birth_date is 1991-03-14" in reason


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region": "KZ-ALA"}, "region"),
        ({"region": "KG-XX"}, "region"),
        ({"phone": "12345"}, "phone"),
        ({"last_name": "Abdykadyrov"}, "last_name"),
        ({"first_name_latin": "Нурлан"}, "first_name_latin"),
        ({"patronymic": "Bakytovich"}, "patronymic"),
        ({"language": "de"}, "language"),
        ({"sex": "X"}, "sex"),
    ],
)
async def test_bad_fields_are_422_naming_the_field(
    registry: httpx.AsyncClient, overrides: dict[str, str], field: str
) -> None:
    response = await registry.post("/v1/persons", json=person_body(**overrides), headers=REGISTRAR)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_unknown_person_is_404(registry: httpx.AsyncClient) -> None:
    response = await registry.get(
        "/v1/persons/00000000-0000-4000-8000-000000000000", headers=REGISTRAR
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_patch_needs_if_match_and_refuses_stale_versions(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    url = f"/v1/persons/{person['id']}"
    missing = await registry.patch(url, json={"locality": "Ош"}, headers=REGISTRAR)
    assert missing.status_code == 428
    ok = await registry.patch(
        url,
        json={"locality": "Ош", "phone": "+996 700 123 456"},
        headers={**REGISTRAR, "If-Match": 'W/"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["phone"] == "+996700123456"
    assert ok.headers["ETag"] == 'W/"2"'
    stale = await registry.patch(
        url, json={"locality": "Кара-Суу"}, headers={**REGISTRAR, "If-Match": 'W/"1"'}
    )
    assert stale.status_code == 412
    assert (await registry.get(url, headers=REGISTRAR)).json()["locality"] == "Ош"
    latin = await registry.patch(
        url, json={"patronymic": "Bakytovich"}, headers={**REGISTRAR, "If-Match": 'W/"2"'}
    )
    assert latin.status_code == 422
    assert [e["field"] for e in latin.json()["errors"]] == ["patronymic"]


async def test_patch_rechecks_the_pin_and_refuses_a_taken_one(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    first, second = await make_person(), await make_person()
    url = f"/v1/persons/{second['id']}"
    headers = {**REGISTRAR, "If-Match": 'W/"1"'}
    mismatch = await registry.patch(url, json={"sex": "F"}, headers=headers)
    assert mismatch.status_code == 422
    assert "PIN encodes sex M but sex is F" in mismatch.json()["errors"][0]["reason"]
    taken = await registry.patch(url, json={"pin": first["pin"]}, headers=headers)
    assert taken.status_code == 409
    assert taken.json()["id"] == first["id"]
    null = await registry.patch(url, json={"last_name": None}, headers=headers)
    assert null.status_code == 422


async def test_patch_of_names_updates_search(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    await registry.patch(
        f"/v1/persons/{person['id']}",
        json={"last_name": "Токтогулов", "last_name_latin": "Toktogulov"},
        headers={**REGISTRAR, "If-Match": 'W/"1"'},
    )
    found = await registry.get("/v1/persons", params={"q": "Toktogulov"}, headers=REGISTRAR)
    assert [p["id"] for p in found.json()["items"]] == [person["id"]]
    old = await registry.get("/v1/persons", params={"q": "Abdykadyrov"}, headers=REGISTRAR)
    assert old.json()["items"] == []


async def test_list_pages_with_a_cursor_and_filters(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    for _ in range(3):
        await make_person()
    await make_person(region="KG-N")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await registry.get("/v1/persons", params=params, headers=REGISTRAR)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    naryn = await registry.get("/v1/persons", params={"region": "KG-N"}, headers=REGISTRAR)
    assert len(naryn.json()["items"]) == 1
    abroad = await registry.get("/v1/persons", params={"status": "abroad"}, headers=REGISTRAR)
    assert abroad.json()["items"] == []
    bad = await registry.get("/v1/persons", params={"cursor": "nonsense"}, headers=REGISTRAR)
    assert bad.status_code == 422


@pytest.mark.parametrize("headers", READERS)
async def test_readers_may_read(
    registry: httpx.AsyncClient, make_person: MakePerson, headers: dict[str, str]
) -> None:
    person = await make_person()
    assert (await registry.get(f"/v1/persons/{person['id']}", headers=headers)).status_code == 200
    found = await registry.get("/v1/persons", params={"pin": person["pin"]}, headers=headers)
    assert [p["id"] for p in found.json()["items"]] == [person["id"]]


@pytest.mark.parametrize(
    "headers",
    [
        bearer("analyst"),
        bearer("auditor"),
        bearer("service", scopes=("registry:contacts",)),
        bearer("service", scopes=("notifications:send",)),
    ],
)
async def test_analysts_auditors_and_other_scopes_cannot_read_people(
    registry: httpx.AsyncClient, make_person: MakePerson, headers: dict[str, str]
) -> None:
    person = await make_person()
    pid = person["id"]
    for path in (
        f"/v1/persons/{pid}",
        "/v1/persons",
        f"/v1/persons/{pid}/family-members",
        f"/v1/persons/{pid}/movements",
    ):
        assert (await registry.get(path, headers=headers)).status_code == 403, path


@pytest.mark.parametrize(
    "headers",
    [
        bearer("analyst"),
        bearer("consular_officer", consulate="RU-MOW"),
        bearer("consular_supervisor"),
        bearer("admin"),
        bearer("service", scopes=("registry:read",)),
    ],
)
async def test_only_registrars_write(
    registry: httpx.AsyncClient, make_person: MakePerson, headers: dict[str, str]
) -> None:
    person = await make_person()
    pid = person["id"]
    assert (
        await registry.post("/v1/persons", json=person_body(), headers=headers)
    ).status_code == 403
    writes = [
        ("patch", f"/v1/persons/{pid}", {"locality": "Ош"}),
        ("post", f"/v1/persons/{pid}/departures", {"departed_on": "2025-01-01"}),
        ("post", f"/v1/persons/{pid}/family-members", {"relation": "child"}),
        ("post", f"/v1/persons/{pid}/status-events", {"status": "missing"}),
    ]
    for method, path, body in writes:
        response = await registry.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, path


async def test_idempotency_key_replays_and_refuses_another_body(
    registry: httpx.AsyncClient,
) -> None:
    body = person_body()
    headers = {**REGISTRAR, "Idempotency-Key": "border-post-7-0001"}
    first = await registry.post("/v1/persons", json=body, headers=headers)
    replay = await registry.post("/v1/persons", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"] == first.headers["Location"]
    listed = await registry.get("/v1/persons", headers=REGISTRAR)
    assert len(listed.json()["items"]) == 1
    other = await registry.post(
        "/v1/persons", json=person_body(first_name="Бакыт"), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_failed_request_does_not_use_up_its_idempotency_key(
    registry: httpx.AsyncClient,
) -> None:
    headers = {**REGISTRAR, "Idempotency-Key": "retry-after-fix"}
    bad = await registry.post("/v1/persons", json=person_body(region="KG-XX"), headers=headers)
    assert bad.status_code == 422
    body = person_body()
    good = await registry.post("/v1/persons", json=body, headers=headers)
    assert good.status_code == 201


async def test_simultaneous_registrations_of_one_pin_give_one_person_and_a_409(
    registry: httpx.AsyncClient,
) -> None:
    body = person_body()
    responses = await asyncio.gather(
        *(registry.post("/v1/persons", json=body, headers=REGISTRAR) for _ in range(4))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409]
    winner = next(r for r in responses if r.status_code == 201).json()["id"]
    assert {r.json()["id"] for r in responses} == {winner}
