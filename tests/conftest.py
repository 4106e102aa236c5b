"""Fixtures: one real PostgreSQL per test session, a database per service,
the apps in-process (ASGI) and, for cross-service tests, as real processes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings

from services.consular.app import create_app as create_consular
from services.consular.database import REFERENCE_TABLES as CONSULAR_KEEP
from services.consular.settings import ConsularSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.database import REFERENCE_TABLES as NOTIFICATIONS_KEEP
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.database import REFERENCE_TABLES as REGISTRY_KEEP
from services.registry.settings import RegistrySettings
from shared.embedded_pg import DatabaseServer
from tests.support.databases import (
    TableReset,
    create_service_databases,
    drop_service_databases,
    test_server,
)
from tests.support.live import LiveSystem, live_system
from tests.support.tokens import AUTH

# CI replays the same examples every run (a red CI must mean a regression, not a
# new random draw); locally every run draws new ones and may find new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

KEEP = {"registry": REGISTRY_KEEP, "consular": CONSULAR_KEEP, "notifications": NOTIFICATIONS_KEEP}


@pytest.fixture(scope="session")
def database_server() -> Iterator[DatabaseServer]:
    with test_server() as server:
        yield server


@pytest.fixture(scope="session")
def database_urls(database_server: DatabaseServer) -> Iterator[dict[str, str]]:
    urls = create_service_databases(database_server)
    yield urls
    drop_service_databases(database_server)


@pytest.fixture(scope="session")
def table_resets(database_urls: dict[str, str]) -> Iterator[list[TableReset]]:
    resets = [TableReset(url, KEEP[service]) for service, url in database_urls.items()]
    yield resets
    for reset in resets:
        reset.dispose()


@pytest.fixture(autouse=True)
def _clean_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts from empty tables (reference data kept)."""
    uses_databases = "database_urls" in request.fixturenames
    resets: list[TableReset] = request.getfixturevalue("table_resets") if uses_databases else []
    yield
    for reset in resets:
        reset()


@pytest.fixture(autouse=True)
def _live_tests_are_marked(request: pytest.FixtureRequest) -> None:
    # `-m "not e2e"` is the fast loop: a test that starts the processes must say so.
    if "live" in request.fixturenames and request.node.get_closest_marker("e2e") is None:
        pytest.fail("a test that uses the `live` fixture must be marked @pytest.mark.e2e")


# In-process apps run no outbox relay in the background: a test drives it with
# ``app.state.relay.run_once()`` (the live processes run theirs).
COMMON_SETTINGS: dict[str, Any] = {"auth": AUTH, "log_level": "WARNING", "outbox_relay": False}


@pytest.fixture(scope="session")
def registry_settings(database_urls: dict[str, str]) -> RegistrySettings:
    # No background sealer in-process: a test's synchronous clean-up (TRUNCATE)
    # would wait on a sealer transaction that the paused event loop never ends.
    # Tests that need the chain run `migreg audit seal`.
    return RegistrySettings(
        database_url=database_urls["registry"],
        audit_seal_interval_seconds=0,
        import_poll_interval_seconds=0,  # likewise: a test runs an upload's job itself
        **COMMON_SETTINGS,
    )


@pytest.fixture(scope="session")
def consular_settings(database_urls: dict[str, str]) -> ConsularSettings:
    return ConsularSettings(database_url=database_urls["consular"], **COMMON_SETTINGS)


@pytest.fixture(scope="session")
def notifications_settings(database_urls: dict[str, str]) -> NotificationsSettings:
    return NotificationsSettings(database_url=database_urls["notifications"], **COMMON_SETTINGS)


async def _running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def registry_app(registry_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    async for app in _running(create_registry(registry_settings)):
        yield app


@pytest.fixture(scope="session")
async def consular_app(consular_settings: ConsularSettings) -> AsyncIterator[FastAPI]:
    async for app in _running(create_consular(consular_settings)):
        yield app


@pytest.fixture(scope="session")
async def notifications_app(
    notifications_settings: NotificationsSettings,
) -> AsyncIterator[FastAPI]:
    async for app in _running(create_notifications(notifications_settings)):
        yield app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def registry(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(registry_app) as client:
        yield client


@pytest.fixture
async def consular(consular_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(consular_app) as client:
        yield client


@pytest.fixture
async def notifications(notifications_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(notifications_app) as client:
        yield client


@pytest.fixture(scope="module")
def live(database_urls: dict[str, str]) -> Iterator[LiveSystem]:
    """All three services as separate uvicorn processes on free loopback ports.

    Per module: they share the in-process tests' databases, and their outbox
    relays must not outlive the module and deliver rows those tests wrote."""
    with live_system(database_urls) as system:
        yield system
