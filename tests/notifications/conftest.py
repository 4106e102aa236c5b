"""Notifications fixtures: the fake gateway and worker settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.notifications.settings import NotificationsSettings
from tests.notifications.fake_gateway import FakeGateway, running_gateway
from tests.notifications.notif_support import sql


@pytest.fixture(scope="session")
def gateway_server() -> Iterator[FakeGateway]:
    with running_gateway() as gateway:
        yield gateway


@pytest.fixture
def gateway(gateway_server: FakeGateway) -> Iterator[FakeGateway]:
    gateway_server.reset()
    yield gateway_server
    gateway_server.reset()


@pytest.fixture
def worker_settings(notifications_settings: NotificationsSettings) -> NotificationsSettings:
    """Console provider, no quiet hours (tests that need them set their own)."""
    return notifications_settings.model_copy(
        update={"quiet_hours_start": 0, "quiet_hours_end": 0, "retry_base_seconds": 0.01}
    )


@pytest.fixture
def http_settings(
    worker_settings: NotificationsSettings, gateway: FakeGateway
) -> NotificationsSettings:
    return worker_settings.model_copy(
        update={
            "provider": "http",
            "http_gateway_url": gateway.url,
            "http_timeout_seconds": 0.5,
            "http_username": "migreg",
            "http_password": "s3cret",
        }
    )


@pytest.fixture(autouse=True)
def _seed_templates_only(database_urls: dict[str, str]) -> None:
    """Template edits (ours, or a fuzzer's) never leak into the next test."""
    sql(database_urls["notifications"], "DELETE FROM templates WHERE created_by <> 'seed'")
