"""/metrics: queue depth, age of the oldest due message, results by provider."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from services.notifications.metrics import refresh
from services.notifications.settings import NotificationsSettings
from services.notifications.worker import work
from tests.notifications.fake_gateway import FakeGateway
from tests.notifications.notif_support import queue, sql


def value(metrics: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, re.MULTILINE)
    assert match, name
    return float(match.group(1))


async def test_metrics_show_the_queue_and_provider_results(
    notifications: httpx.AsyncClient,
    notifications_app: FastAPI,
    http_settings: NotificationsSettings,
    gateway: FakeGateway,
) -> None:
    gateway.behave("400", "500", then="ok")
    settings = http_settings.model_copy(update={"retry_base_seconds": 60.0})
    ids = [(await queue(notifications, reference=f"m{i}"))["id"] for i in range(3)]
    sql(
        settings.database_url,
        "UPDATE messages SET next_attempt_at = now() - interval '90 seconds' WHERE id = :id",
        id=ids[2],
    )
    await refresh(notifications_app)
    before = (await notifications.get("/metrics")).text
    assert value(before, "notifications_queue_depth") == 3
    assert value(before, "notifications_queue_due") == 3
    assert 89 <= value(before, "notifications_oldest_due_age_seconds") < 200
    await work(settings, once=True)  # one refused (4xx), one retried later (5xx), one sent
    await refresh(notifications_app)
    after = (await notifications.get("/metrics")).text
    assert value(after, "notifications_queue_depth") == 1
    assert value(after, "notifications_queue_due") == 0
    assert value(after, "notifications_oldest_due_age_seconds") == 0
    for outcome in ("sent", "failed", "temporary_failure"):
        assert (
            value(
                after,
                f'notifications_provider_results_total{{outcome="{outcome}",provider="http"}}',
            )
            == 1
        )
    assert value(after, 'notifications_messages{status="failed"}') == 1
