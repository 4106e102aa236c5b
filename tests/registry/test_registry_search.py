"""Search by PIN, phone in any format, and names across scripts and typos."""

from __future__ import annotations

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, MakePerson


async def _search(client: httpx.AsyncClient, q: str, **params: str) -> list[dict[str, str]]:
    response = await client.get("/v1/persons", params={"q": q, **params}, headers=REGISTRAR)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture
async def people(make_person: MakePerson) -> dict[str, dict[str, str]]:
    return {
        "abdykadyrov": await make_person(phone="+996555123456"),
        "zheenbekova": await make_person(
            last_name="Жээнбекова",
            first_name="Жылдыз",
            patronymic=None,
            last_name_latin="Zheenbekova",
            first_name_latin="Zhyldyz",
            sex="F",
            birth_date="1994-07-02",
            phone="+996700000111",
        ),
        "usonov": await make_person(
            last_name="Үсөнов",
            first_name="Улан",
            patronymic=None,
            last_name_latin=None,
            first_name_latin=None,
            region="KG-N",
        ),
        "kadyrov": await make_person(
            last_name="Кадыров",
            first_name="Нурлан",
            last_name_latin="Kadyrov",
            first_name_latin="Nurlan",
        ),
    }


@pytest.mark.parametrize(
    ("q", "who"),
    [
        ("Abdikadirov", "abdykadyrov"),  # ы as i, one typo-free variant
        ("Abdykadyrow", "abdykadyrov"),  # one-letter typo
        ("Абдыкадыров", "abdykadyrov"),  # Cyrillic
        ("абдыкадиров", "abdykadyrov"),  # Cyrillic with a typo, lower case
        ("Jeenbekova", "zheenbekova"),  # ж as j
        ("Zhyldyz Zheenbekova", "zheenbekova"),
        ("Usonov", "usonov"),  # ү/ө as u/o; no Latin name stored
        ("Uesonov", "usonov"),  # one extra letter
    ],
)
async def test_names_are_found_across_scripts_and_typos(
    registry: httpx.AsyncClient, people: dict[str, dict[str, str]], q: str, who: str
) -> None:
    found = await _search(registry, q)
    assert found, f"{q!r} found nobody"
    assert found[0]["id"] == people[who]["id"]


async def test_best_match_first(
    registry: httpx.AsyncClient, people: dict[str, dict[str, str]]
) -> None:
    # "Kadyrov" is exact for one person and a deletion away from Abdykadyrov's
    # key set only through other tokens: the exact one must come first.
    found = await _search(registry, "Kadyrov Nurlan")
    assert found[0]["id"] == people["kadyrov"]["id"]
    both = await _search(registry, "Nurlan")
    assert {p["id"] for p in both} >= {people["kadyrov"]["id"], people["abdykadyrov"]["id"]}


@pytest.mark.parametrize(
    "q", ["0555 123 456", "+996555123456", "+996 (555) 12-34-56", "996555123456"]
)
async def test_phone_in_any_common_format(
    registry: httpx.AsyncClient, people: dict[str, dict[str, str]], q: str
) -> None:
    assert [p["id"] for p in await _search(registry, q)] == [people["abdykadyrov"]["id"]]


async def test_pin_and_filters(
    registry: httpx.AsyncClient, people: dict[str, dict[str, str]]
) -> None:
    person = people["zheenbekova"]
    assert [p["id"] for p in await _search(registry, person["pin"])] == [person["id"]]
    by_pin = await registry.get("/v1/persons", params={"pin": person["pin"]}, headers=REGISTRAR)
    assert [p["id"] for p in by_pin.json()["items"]] == [person["id"]]
    by_phone = await registry.get(
        "/v1/persons", params={"phone": "0700 000 111"}, headers=REGISTRAR
    )
    assert [p["id"] for p in by_phone.json()["items"]] == [person["id"]]
    naryn = await _search(registry, "Usonov", region="KG-N")
    assert [p["id"] for p in naryn] == [people["usonov"]["id"]]
    assert await _search(registry, "Usonov", region="KG-O") == []


async def test_nothing_matches_nonsense(
    registry: httpx.AsyncClient, people: dict[str, dict[str, str]]
) -> None:
    assert await _search(registry, "Smith") == []
    assert await _search(registry, "12345") == []
    assert await _search(registry, "!!!") == []


async def test_search_pages_with_a_cursor(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    for _ in range(5):
        await make_person()
    first = (
        await registry.get(
            "/v1/persons", params={"q": "Abdykadyrov", "limit": 3}, headers=REGISTRAR
        )
    ).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = (
        await registry.get(
            "/v1/persons",
            params={"q": "Abdykadyrov", "limit": 3, "cursor": first["next_cursor"]},
            headers=REGISTRAR,
        )
    ).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert len(set(ids)) == 5
