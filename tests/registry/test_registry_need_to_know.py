"""Need-to-know in people search: only registrars and administrators list the
registry; everyone else looks a person up, one small page at a time."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.registry.conftest import REGISTRAR, MakePerson
from tests.support.tokens import bearer

OFFICER = bearer("consular_officer", consulate="RU-MOW", subject="officer-moscow")
LOOKERS_UP = [
    OFFICER,
    bearer("consular_supervisor"),
    bearer("service", scopes=("registry:read",)),
]


@pytest.mark.parametrize("headers", LOOKERS_UP)
async def test_a_bare_listing_is_refused_naming_the_missing_query(
    registry: httpx.AsyncClient, make_person: MakePerson, headers: dict[str, str]
) -> None:
    await make_person()
    for params in ({}, {"limit": "200"}, {"region": "KG-O"}, {"status": "in_country"}):
        refused = await registry.get("/v1/persons", params=params, headers=headers)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "q"
        assert "q, pin or phone" in refused.json()["errors"][0]["reason"]


async def test_an_officer_search_answers_one_page_of_at_most_twenty_without_a_cursor(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    for _ in range(23):
        await make_person()
    found = await registry.get(
        "/v1/persons", params={"q": "Abdykadyrov", "limit": "200"}, headers=OFFICER
    )
    assert found.status_code == 200, found.text
    assert len(found.json()["items"]) == 20
    assert found.json()["next_cursor"] is None
    # A registrar's cursor does not let an officer page on either.
    registrar_page = await registry.get(
        "/v1/persons", params={"q": "Abdykadyrov", "limit": "5"}, headers=REGISTRAR
    )
    cursor = registrar_page.json()["next_cursor"]
    assert cursor
    paged = await registry.get(
        "/v1/persons", params={"q": "Abdykadyrov", "cursor": cursor}, headers=OFFICER
    )
    assert paged.status_code == 422
    assert paged.json()["errors"][0]["field"] == "cursor"


async def test_registrars_and_admins_still_list_and_page_with_filters(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    for _ in range(3):
        await make_person(region="KG-N")
    for headers in (REGISTRAR, bearer("admin")):
        first = await registry.get(
            "/v1/persons", params={"region": "KG-N", "limit": "2"}, headers=headers
        )
        assert first.status_code == 200 and len(first.json()["items"]) == 2
        rest = await registry.get(
            "/v1/persons",
            params={"region": "KG-N", "limit": "2", "cursor": first.json()["next_cursor"]},
            headers=headers,
        )
        assert len(rest.json()["items"]) == 1


async def test_the_page_limit_is_a_setting(
    registry_app: FastAPI, registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    for _ in range(4):
        await make_person()
    settings = registry_app.state.settings
    registry_app.state.settings = settings.model_copy(update={"person_search_max_results": 3})
    try:
        found = await registry.get("/v1/persons", params={"q": "Abdykadyrov"}, headers=OFFICER)
    finally:
        registry_app.state.settings = settings
    assert len(found.json()["items"]) == 3
