"""Which namesake comes first: what a user who typed the query would expect."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, MakePerson


async def _first(client: httpx.AsyncClient, q: str) -> str:
    response = await client.get("/v1/persons", params={"q": q}, headers=REGISTRAR)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items, f"{q!r} found nobody"
    return str(items[0]["id"])


def _woman(last: str, first: str, **extra: Any) -> dict[str, Any]:
    return {
        "last_name": last,
        "first_name": first,
        "patronymic": None,
        "last_name_latin": "Zheenbekova",
        "first_name_latin": "Zhyldyz",
        "sex": "F",
        **extra,
    }


async def test_the_spelling_typed_comes_first_among_namesakes(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    # Жээнбекова and Жеенбекова are one name to search (same skeleton): the
    # person written exactly as typed comes first, whichever was registered first.
    ee = await make_person(**_woman("Жээнбекова", "Жылдыз"))
    ye = await make_person(**_woman("Жеенбекова", "Жылдыз"))
    assert await _first(registry, "Жээнбекова Жылдыз") == ee["id"]
    assert await _first(registry, "Жеенбекова Жылдыз") == ye["id"]
    assert await _first(registry, "жеенбекова жылдыз") == ye["id"]  # letter case aside


@pytest.mark.parametrize(
    ("typed", "born"),
    [("1994", "1994-07-02"), ("02.07.1994", "1994-07-02"), ("1988-11-30", "1988-11-30")],
)
async def test_a_birth_date_in_the_query_picks_the_namesake(
    registry: httpx.AsyncClient, make_person: MakePerson, typed: str, born: str
) -> None:
    people = {
        day: await make_person(**_woman("Жээнбекова", "Жылдыз", birth_date=day))
        for day in ("1988-11-30", "1994-07-02", "1993-03-01", "2001-01-15")
    }
    assert await _first(registry, f"Zheenbekova Zhyldyz {typed}") == people[born]["id"]
    assert await _first(registry, f"Жээнбекова Жылдыз {typed}") == people[born]["id"]


async def test_a_near_birth_date_ranks_before_a_far_one(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    far = await make_person(**_woman("Жээнбекова", "Жылдыз", birth_date="1970-05-05"))
    near = await make_person(**_woman("Жээнбекова", "Жылдыз", birth_date="1995-01-10"))
    assert far["id"] != near["id"]
    assert await _first(registry, "Жээнбекова Жылдыз 1994") == near["id"]


async def test_names_in_the_order_typed_come_first(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    # Эрлан уулу Кубаныч and Кубаныч уулу Эрлан carry the same two names.
    names = {"Эрлан": "Erlan", "Кубаныч": "Kubanych"}

    async def son_of(father: str, name: str) -> dict[str, Any]:
        return await make_person(
            last_name=f"{father} уулу",
            first_name=name,
            patronymic=None,
            last_name_latin=f"{names[father]} uulu",
            first_name_latin=names[name],
        )

    swapped = await son_of("Кубаныч", "Эрлан")
    typed = await son_of("Эрлан", "Кубаныч")
    assert await _first(registry, "Erlan uulu Kubanych") == typed["id"]
    assert await _first(registry, "Kubanych uulu Erlan") == swapped["id"]


async def test_a_name_two_edits_off_still_ranks_by_closeness(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    # "Zhiiek" reads as "jek": two edits from Жибек ("jibek"), beyond the
    # vocabulary's one-edit reach; the surname finds her, the distance ranks her.
    latin = {"last_name_latin": "Ulukbekova"}
    aida = await make_person(**_woman("Улукбекова", "Аида", first_name_latin="Aida", **latin))
    zhibek = await make_person(**_woman("Улукбекова", "Жибек", first_name_latin="Zhibek", **latin))
    assert aida["id"] != zhibek["id"]
    assert await _first(registry, "Ulukbekova Zhiiek") == zhibek["id"]
