"""Consulates: the seeded missions, and administrators adding and changing them."""

from __future__ import annotations

import asyncio
import secrets
import string

import httpx

from tests.consular.conftest import ADMIN, MOSCOW, SUPERVISOR, open_case
from tests.support.tokens import bearer


def _new_code() -> str:
    # Consulates are reference data kept between tests, so each test takes a fresh code.
    return "ZZ-" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(3))


def _body(code: str) -> dict[str, object]:
    return {
        "code": code,
        "name": "Consulate of the Kyrgyz Republic in Krasnodar",
        "country": "RU",
        "city": "Krasnodar",
        "time_zone": "Europe/Moscow",
        "kind": "consulate",
    }


async def test_the_seeded_missions_are_listed(consular: httpx.AsyncClient) -> None:
    response = await consular.get("/v1/consulates", headers=MOSCOW)
    items = {c["code"]: c for c in response.json()["items"]}
    for code in ("RU-MOW", "RU-YEK", "RU-OVB", "RU-KZN", "KZ-NQZ", "KZ-ALA", "TR-IST", "KR-SEL"):
        assert code in items
    assert items["RU-OVB"]["time_zone"] == "Asia/Novosibirsk"
    assert items["RU-MOW"]["city"] == "Moscow"
    one = await consular.get("/v1/consulates/KZ-ALA", headers=MOSCOW)
    assert one.json()["country"] == "KZ" and one.headers["ETag"] == 'W/"1"'
    assert (await consular.get("/v1/consulates/XX-XXX", headers=MOSCOW)).status_code == 404


async def test_an_administrator_adds_and_updates_a_consulate(
    consular: httpx.AsyncClient,
) -> None:
    code = _new_code()
    created = await consular.post("/v1/consulates", json=_body(code), headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/v1/consulates/{code}"
    again = await consular.post("/v1/consulates", json=_body(code), headers=ADMIN)
    assert again.status_code == 409

    url = f"/v1/consulates/{code}"
    change = {"hotline": "+7 861 200-00-00"}
    assert (await consular.patch(url, json=change, headers=ADMIN)).status_code == 428
    stale = await consular.patch(url, json=change, headers={**ADMIN, "If-Match": 'W/"7"'})
    assert stale.status_code == 412
    updated = await consular.patch(url, json=change, headers={**ADMIN, "If-Match": 'W/"1"'})
    assert updated.status_code == 200
    assert updated.json()["hotline"] == "+78612000000"
    assert updated.headers["ETag"] == 'W/"2"'

    # The new post works cases at once, and families querying a case get its hotline.
    case = await open_case(consular, SUPERVISOR, consulate=code)
    status = await consular.get(
        f"/v1/cases/by-number/{case['case_number']}/status",
        headers=bearer("service", scopes=("cases:status",)),
    )
    assert status.json()["hotline"] == "+78612000000"


async def test_consulate_input_is_checked_and_only_admins_change_it(
    consular: httpx.AsyncClient,
) -> None:
    for field, value in (
        ("code", "Krasnodar"),
        ("country", "QQ"),
        ("time_zone", "Mars/Olympus"),
        ("hotline", "call us"),
        ("kind", "honorary"),
    ):
        body = {**_body(_new_code()), field: value}
        response = await consular.post("/v1/consulates", json=body, headers=ADMIN)
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field
    for who in (MOSCOW, SUPERVISOR):
        assert (
            await consular.post("/v1/consulates", json=_body(_new_code()), headers=who)
        ).status_code == 403
        patched = await consular.patch(
            "/v1/consulates/RU-MOW", json={"city": "X"}, headers={**who, "If-Match": 'W/"1"'}
        )
        assert patched.status_code == 403


async def test_administrators_adding_the_same_code_at_once_get_one_201(
    consular: httpx.AsyncClient,
) -> None:
    code = _new_code()
    answers = await asyncio.gather(
        *(consular.post("/v1/consulates", json=_body(code), headers=ADMIN) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == code
    listed = (await consular.get("/v1/consulates", headers=ADMIN)).json()["items"]
    assert [c["code"] for c in listed].count(code) == 1
