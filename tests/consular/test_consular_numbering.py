"""Case numbers stay unique and gap-free when many officers open cases at once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from tests.consular.conftest import ALMATY, MOSCOW, case_body


async def test_thirty_simultaneous_openings_get_thirty_distinct_numbers(
    consular: httpx.AsyncClient,
) -> None:
    async def open_one(headers: dict[str, str], consulate: str) -> httpx.Response:
        return await consular.post(
            "/v1/cases", json=case_body(consulate=consulate), headers=headers
        )

    responses = await asyncio.gather(
        *(open_one(MOSCOW, "RU-MOW") for _ in range(30)),
        *(open_one(ALMATY, "KZ-ALA") for _ in range(5)),
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    numbers = [r.json()["case_number"] for r in responses]
    # The year is the consulate's own: on 31 December evening in UTC it is already
    # the new year in Almaty.
    moscow_year = datetime.now(ZoneInfo("Europe/Moscow")).year
    almaty_year = datetime.now(ZoneInfo("Asia/Almaty")).year
    moscow = sorted(n for n in numbers if n.startswith("RU-MOW"))
    assert moscow == [f"RU-MOW-{moscow_year}-{seq:06d}" for seq in range(1, 31)]
    almaty = sorted(n for n in numbers if n.startswith("KZ-ALA"))
    assert almaty == [f"KZ-ALA-{almaty_year}-{seq:06d}" for seq in range(1, 6)]
