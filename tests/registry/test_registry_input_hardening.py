"""Crafted input from the outside: text tricks, numbers for dates, forged cursors,
empty preconditions, wrong methods and scraping. Each is a clear 4xx, never a 500."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, MakePerson, person_body
from tests.support.cursors import forged_cursor
from tests.support.tokens import bearer

DECOMPOSED_I = unicodedata.normalize("NFD", "Айдай")  # й as и + U+0306


async def test_names_are_stored_composed_and_trimmed(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    assert DECOMPOSED_I != "Айдай"
    person = await make_person(first_name="Нурлан  ", last_name=f" {DECOMPOSED_I}")
    stored = (await registry.get(f"/v1/persons/{person['id']}", headers=REGISTRAR)).json()
    assert stored["first_name"] == "Нурлан"
    assert stored["last_name"] == "Айдай"


@pytest.mark.parametrize(
    "trick",
    [
        "\x1b[31mОш\x1b[0m",  # ANSI escape (C0)
        "Ош\x85",  # C1 next-line
        "\u202eшО",  # right-to-left override
        "\u2066Ош\u2069",  # isolate
        "\ufeffОш",  # byte-order mark
        "Ош\nКара-Суу",  # a line break in a one-line field
        "Ош\ud800",  # a lone surrogate: not text PostgreSQL can store
    ],
)
async def test_control_and_bidi_characters_are_refused_naming_the_field(
    registry: httpx.AsyncClient, trick: str
) -> None:
    # json.dumps escapes everything (a lone surrogate too), as a hostile client may send it.
    response = await registry.post(
        "/v1/persons",
        content=json.dumps(person_body(locality=trick)),
        headers={**REGISTRAR, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["locality"]


async def test_unknown_fields_are_refused(registry: httpx.AsyncClient) -> None:
    response = await registry.post("/v1/persons", json=person_body(bogus=1), headers=REGISTRAR)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "bogus"


@pytest.mark.parametrize("not_a_date", [0, 1_700_000_000, "0", "1700000000", 12.5])
async def test_a_number_is_not_a_birth_date(registry: httpx.AsyncClient, not_a_date: Any) -> None:
    response = await registry.post(
        "/v1/persons", json={**person_body(), "birth_date": not_a_date}, headers=REGISTRAR
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "birth_date"


async def test_a_number_is_not_a_statistics_date(registry: httpx.AsyncClient) -> None:
    analyst = bearer("analyst")
    response = await registry.get("/v1/statistics/stock", params={"on": "0"}, headers=analyst)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "on"
    good = await registry.get("/v1/statistics/stock", params={"on": "2026-01-31"}, headers=analyst)
    assert good.status_code == 200, good.text


@pytest.mark.parametrize(
    "key",
    [
        [True, "a", "00000000-0000-0000-0000-000000000000"],
        [2**63, "a", "00000000-0000-0000-0000-000000000000"],
        ["\ud800", "a", "00000000-0000-0000-0000-000000000000"],
        ["a", "a", "not-a-uuid"],
        [True],
        [2**63],
    ],
)
async def test_forged_person_cursors_are_422_on_cursor(
    registry: httpx.AsyncClient, make_person: MakePerson, key: list[Any]
) -> None:
    await make_person()
    for params in ({}, {"q": "Абдыкадыров"}):
        response = await registry.get(
            "/v1/persons", params={**params, "cursor": forged_cursor(key)}, headers=REGISTRAR
        )
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert (error["field"], error["in"]) == ("cursor", "query")


def _fields(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["in"]) for e in response.json()["errors"]]


async def test_a_bad_cursor_is_named_like_any_other_query_parameter(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    await make_person()
    bad_limit = await registry.get("/v1/persons", params={"limit": "0"}, headers=REGISTRAR)
    assert _fields(bad_limit) == [("limit", "query")]
    # Listing, name search and a search offset past its ranking: each the same shape.
    for params in (
        {"cursor": "nonsense"},
        {"q": "Абдыкадыров", "cursor": "nonsense"},
        {"q": "Абдыкадыров", "cursor": forged_cursor([10_000])},
    ):
        response = await registry.get("/v1/persons", params=params, headers=REGISTRAR)
        assert _fields(response) == [("cursor", "query")], params
        assert response.json()["detail"].startswith("cursor: ")


async def test_an_empty_if_match_is_428(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    response = await registry.patch(
        f"/v1/persons/{person['id']}",
        json={"locality": "Ош"},
        headers={**REGISTRAR, "If-Match": ""},
    )
    assert response.status_code == 428, response.text


async def test_405_lists_every_allowed_method(registry: httpx.AsyncClient) -> None:
    response = await registry.delete("/v1/persons", headers=REGISTRAR)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed


@pytest.fixture
async def strict_registry(registry_settings: RegistrySettings) -> AsyncIterator[httpx.AsyncClient]:
    settings = registry_settings.model_copy(
        update={"person_read_limits": {"registrar": "3/minute"}}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_person_reads_are_rate_limited_per_principal(
    strict_registry: httpx.AsyncClient,
) -> None:
    scraper = bearer("registrar", subject="registrar.scraper")
    colleague = bearer("registrar", subject="registrar.colleague")
    created = await strict_registry.post("/v1/persons", json=person_body(), headers=scraper)
    assert created.status_code == 201  # writes are not person reads
    url = f"/v1/persons/{created.json()['id']}"
    for _ in range(2):
        assert (await strict_registry.get(url, headers=scraper)).status_code == 200
    assert (await strict_registry.get("/v1/persons", headers=scraper)).status_code == 200
    refused = await strict_registry.get("/v1/persons", headers=scraper)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert (await strict_registry.get(url, headers=scraper)).status_code == 429
    assert (await strict_registry.get(url, headers=colleague)).status_code == 200
