"""The whole system as real processes: registry, consular and notifications (uvicorn),
the notifications worker, and a fake SMS gateway (a real HTTP server) they send to.

Its own databases (so the session's other live system never shares its rows), timings
shortened so retries and leases happen in seconds, and quiet hours switched off in
the settings so the suite passes at any hour.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.embedded_pg import DatabaseServer
from shared.migrate import SERVICES, upgrade
from tests.e2e.system import E2E_ENV, System
from tests.notifications.fake_gateway import FakeGateway, running_gateway
from tests.support.live import live_system


@pytest.fixture(scope="session")
def gateway() -> Iterator[FakeGateway]:
    with running_gateway() as gateway:
        yield gateway


@pytest.fixture(scope="session")
def e2e_databases(database_server: DatabaseServer) -> Iterator[dict[str, str]]:
    names = {service: f"migreg_e2e_{os.getpid()}_{service}" for service in SERVICES}
    urls = {}
    for service, name in names.items():
        database_server.drop_database(name)
        urls[service] = database_server.ensure_database(name)
        upgrade(service, urls[service])
    yield urls
    for name in names.values():
        database_server.drop_database(name)


@pytest.fixture(scope="session")
def system(
    e2e_databases: dict[str, str], gateway: FakeGateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    log_dir: Path = tmp_path_factory.mktemp("e2e-logs")
    env = {**E2E_ENV, "NOTIFICATIONS_HTTP_GATEWAY_URL": gateway.url}
    with live_system(e2e_databases, extra_env=env, log_dir=log_dir) as live:
        live.start("worker", ["worker", "notifications"])
        yield System(live=live, gateway=gateway)


@pytest.fixture(autouse=True)
def _gateway_behaves(gateway: FakeGateway) -> Iterator[None]:
    gateway.reset()
    yield
    gateway.reset()
