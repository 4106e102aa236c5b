"""Case numbers stay unique and gap-free when many officers open cases at once."""

from __future__ import annotations

import asyncio
from datetime import datetime

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
    year = datetime.now().year
    moscow = sorted(n for n in numbers if n.startswith("RU-MOW"))
    assert moscow == [f"RU-MOW-{year}-{seq:06d}" for seq in range(1, 31)]
    almaty = sorted(n for n in numbers if n.startswith("KZ-ALA"))
    assert almaty == [f"KZ-ALA-{year}-{seq:06d}" for seq in range(1, 6)]
