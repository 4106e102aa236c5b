"""Across real processes: consular asks the registry process over HTTP, numbers cases
under concurrent load, and writes nothing when the registry is down."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlparse

import httpx
import pytest
from sqlalchemy import create_engine, text

from shared.migrate import sync_url
from tests.consular.conftest import MOSCOW, REGISTRAR, case_body
from tests.support.live import LiveSystem

pytestmark = pytest.mark.e2e  # starts the services as separate processes


def _case_rows(database_url: str) -> int:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
    finally:
        engine.dispose()


def _restart_registry(live: LiveSystem) -> None:
    port = urlparse(live.urls["registry"]).port
    process = live.start("registry", ["serve", "registry", "--port", str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{live.urls['registry']}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the registry did not come back")


async def test_cases_against_the_real_registry_process(
    live: LiveSystem, database_urls: dict[str, str]
) -> None:
    async with (
        httpx.AsyncClient(base_url=live.urls["registry"], timeout=20) as registry,
        httpx.AsyncClient(base_url=live.urls["consular"], timeout=20) as consular,
    ):
        person = await registry.post(
            "/v1/persons",
            json={
                "pin": "21403199054321",
                "last_name": "Абдыкадыров",
                "first_name": "Нурлан",
                "sex": "M",
                "birth_date": "1990-03-14",
                "region": "KG-O",
            },
            headers=REGISTRAR,
        )
        assert person.status_code == 201, person.text
        body = case_body(person=None, person_id=person.json()["id"])
        opened = await consular.post("/v1/cases", json=body, headers=MOSCOW)
        assert opened.status_code == 201, opened.text
        assert opened.json()["person"]["last_name"] == "Абдыкадыров"

        burst = await asyncio.gather(
            *(consular.post("/v1/cases", json=case_body(), headers=MOSCOW) for _ in range(20))
        )
        assert all(r.status_code == 201 for r in burst), [r.text for r in burst]
        numbers = {r.json()["case_number"] for r in burst} | {opened.json()["case_number"]}
        assert len(numbers) == 21
        assert _case_rows(database_urls["consular"]) == 21

        live.stop("registry")
        try:
            down = await consular.post("/v1/cases", json=body, headers=MOSCOW)
            assert down.status_code == 503
            assert down.headers["content-type"] == "application/problem+json"
            assert "nothing was saved" in down.json()["detail"]
            assert _case_rows(database_urls["consular"]) == 21
        finally:
            _restart_registry(live)
        again = await consular.post("/v1/cases", json=body, headers=MOSCOW)
        assert again.status_code == 201
