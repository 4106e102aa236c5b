"""The database goes away under the running services and comes back: requests
answer 503 with Retry-After meanwhile, the services recover by themselves, and
nothing acknowledged before the outage is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.registry.conftest import person_body
from tests.support.databases import create_service_databases
from tests.support.live import LiveSystem, live_system
from tests.support.restartable_pg import RestartablePostgres, restartable_postgres
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar")
SUPERVISOR = bearer("consular_supervisor")
ADMIN = bearer("admin")


@pytest.fixture(scope="module")
def outage_system() -> Iterator[tuple[RestartablePostgres, LiveSystem]]:
    with restartable_postgres() as postgres:
        urls = create_service_databases(postgres.server)
        with live_system(urls) as system:
            yield postgres, system


def _register(system: LiveSystem) -> str:
    response = httpx.post(
        f"{system.urls['registry']}/v1/persons", json=person_body(), headers=REGISTRAR, timeout=10
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _wait_for(url: str, headers: dict[str, str], status: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url, headers=headers, timeout=10).status_code == status:
            return
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer {status} within {timeout} s")


@pytest.mark.e2e
def test_a_stopped_database_is_503_and_the_services_recover(
    outage_system: tuple[RestartablePostgres, LiveSystem],
) -> None:
    postgres, system = outage_system
    before = _register(system)
    reads = {
        "registry": (f"{system.urls['registry']}/v1/persons", REGISTRAR),
        "consular": (f"{system.urls['consular']}/v1/cases", SUPERVISOR),
        "notifications": (f"{system.urls['notifications']}/v1/messages", ADMIN),
    }
    postgres.stop()
    try:
        for url, headers in reads.values():
            response = httpx.get(url, headers=headers, timeout=10)
            assert response.status_code == 503, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) > 0
        write = httpx.post(
            f"{system.urls['registry']}/v1/persons",
            json=person_body(),
            headers=REGISTRAR,
            timeout=10,
        )
        assert write.status_code == 503, write.text
        assert "retry-after" in write.headers
    finally:
        postgres.start()
    for url, headers in reads.values():
        _wait_for(url, headers, 200)
    after = _register(system)
    listed = httpx.get(reads["registry"][0], headers=REGISTRAR, timeout=10).json()["items"]
    assert {before, after} <= {p["id"] for p in listed}
