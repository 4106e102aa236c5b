"""Consulate zones: countries without a post of their own, served by one post, edited by
administrators beside the hotline."""

from __future__ import annotations

import secrets
import string

import httpx

from tests.consular.conftest import ADMIN, MOSCOW


async def _new_post(consular: httpx.AsyncClient, zones: list[str]) -> str:
    code = "ZY-" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(3))
    body = {
        "code": code,
        "name": "Consulate for zone tests",
        "country": "RU",
        "city": "Krasnodar",
        "time_zone": "Europe/Moscow",
        "kind": "consulate",
        "zones": zones,
    }
    created = await consular.post("/v1/consulates", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    return code


async def _patch(consular: httpx.AsyncClient, code: str, body: dict[str, object]) -> httpx.Response:
    etag = (await consular.get(f"/v1/consulates/{code}", headers=ADMIN)).headers["ETag"]
    return await consular.patch(
        f"/v1/consulates/{code}", json=body, headers={**ADMIN, "If-Match": etag}
    )


async def test_an_administrator_sets_zones_and_the_zone_is_served_by_that_post(
    consular: httpx.AsyncClient,
) -> None:
    code = await _new_post(consular, ["am", "BY", "by"])
    one = (await consular.get(f"/v1/consulates/{code}", headers=MOSCOW)).json()
    assert one["zones"] == ["AM", "BY"]
    covering = await consular.get("/v1/consulate-coverage?country=BY", headers=MOSCOW)
    assert covering.json()["code"] == code

    changed = await _patch(consular, code, {"zones": ["MD"], "hotline": "+7 861 200-00-01"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["zones"] == ["MD"] and changed.json()["hotline"] == "+78612000001"
    gone = await consular.get("/v1/consulate-coverage?country=BY", headers=MOSCOW)
    assert gone.status_code == 404
    # A post's own country keeps winning over a zone (and the seed lists have no zones).
    assert (await consular.get("/v1/consulates/RU-MOW", headers=MOSCOW)).json()["zones"] == []
    cleared = await _patch(consular, code, {"zones": []})
    assert cleared.json()["zones"] == []


async def test_zones_are_checked_and_a_country_has_one_serving_post(
    consular: httpx.AsyncClient,
) -> None:
    first = await _new_post(consular, ["GE"])
    second = await _new_post(consular, [])
    for zones, reason in (
        (["XX"], "XX is not an ISO 3166-1"),
        (["GEO"], "at most 2 characters"),
        (["RU"], "own country"),
        (["KZ"], "has a consulate of its own"),
    ):
        refused = await _patch(consular, second, {"zones": zones})
        assert refused.status_code == 422, zones
        error = refused.json()["errors"][0]
        assert error["field"].split(".")[0] == "zones" and reason in error["reason"], error
    taken = await _patch(consular, second, {"zones": ["AZ", "GE"]})
    assert taken.status_code == 409
    assert taken.json()["zone"] == "GE" and taken.json()["consulate"] == first
    assert (await _patch(consular, first, {"zones": []})).status_code == 200
    assert (await _patch(consular, second, {"zones": ["GE"]})).status_code == 200
    assert (await _patch(consular, second, {"zones": []})).status_code == 200
