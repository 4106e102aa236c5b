"""The worker in-process: sending, care rules, retries, expiry, leases."""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from services.notifications.settings import NotificationsSettings
from services.notifications.worker import deliver, work
from tests.notifications.fake_gateway import FakeGateway
from tests.notifications.notif_support import KG_PHONE, claim_for, fetch, queue, sql, workers


def kinds(message: dict[str, Any]) -> list[str]:
    return [event["kind"] for event in message["history"]]


async def test_the_console_provider_sends_and_logs_a_redacted_line(
    notifications: httpx.AsyncClient,
    worker_settings: NotificationsSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queued = await queue(notifications)
    with caplog.at_level(logging.INFO, logger="migreg.sms.console"):
        await work(worker_settings, once=True)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "sent"
    assert message["provider"] == "console" and message["attempts"] == 1
    assert kinds(message) == ["accepted", "sent"]
    line = next(r for r in caplog.records if r.name == "migreg.sms.console")
    assert vars(line)["message_id"] == queued["id"]
    assert KG_PHONE not in caplog.text and "кайрылуу" not in caplog.text
    assert vars(line)["to"] == "+996*******56"


async def test_the_http_gateway_gets_our_id_as_client_reference(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    queued = await queue(notifications)
    await work(http_settings, once=True)
    assert gateway.references() == [queued["id"]]
    request = gateway.received[0]
    assert request.body["to"] == KG_PHONE and request.body["coding"] == "UCS-2"
    assert request.body["text"].startswith("№RU-MOW-2026-000123")
    assert (
        request.headers["Authorization"] == "Basic " + base64.b64encode(b"migreg:s3cret").decode()
    )
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "sent"
    assert message["provider"] == "http" and message["provider_message_id"] == "gw-1"


async def test_the_gateway_field_mapping_is_configurable(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    settings = http_settings.model_copy(
        update={
            "http_field_map": {"to": "msisdn", "text": "message", "reference": "client_reference"}
        }
    )
    queued = await queue(notifications)
    await work(settings, once=True)
    assert gateway.received[0].body == {
        "msisdn": KG_PHONE,
        "message": (await fetch(notifications, queued["id"]))["text"],
        "client_reference": queued["id"],
    }


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [("500", "answered 503"), ("slow", "timed out"), ("drop", "unreachable")],
)
async def test_a_temporary_failure_is_retried_with_backoff(
    notifications: httpx.AsyncClient,
    http_settings: NotificationsSettings,
    gateway: FakeGateway,
    behaviour: str,
    error: str,
) -> None:
    gateway.slow_seconds = 1.0  # over the 0.5 s client timeout
    gateway.behave(behaviour, then="ok")
    queued = await queue(notifications)
    settings = http_settings.model_copy(update={"retry_base_seconds": 30.0})
    before = datetime.now(UTC)
    await work(settings, once=True)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "queued" and message["attempts"] == 1
    assert kinds(message) == ["accepted", "attempt_failed"]
    assert error in message["history"][-1]["detail"]
    wait = (datetime.fromisoformat(message["next_attempt_at"]) - before).total_seconds()
    assert 15 <= wait <= 31  # 30 s base, equal jitter: between half and all of it
    # Time passes; the next round sends it, with the same client reference.
    sql(
        settings.database_url,
        "UPDATE messages SET next_attempt_at = now() WHERE id = :id",
        id=queued["id"],
    )
    await work(settings, once=True)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "sent" and message["attempts"] == 2
    assert kinds(message) == ["accepted", "attempt_failed", "sent"]
    assert gateway.references()[-1] == queued["id"]


async def test_a_4xx_is_a_permanent_failure(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    gateway.behave("400")
    queued = await queue(notifications)
    await work(http_settings, once=True)
    await asyncio.sleep(0.05)
    await work(http_settings, once=True)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "failed" and message["attempts"] == 1
    assert "refused" in message["status_reason"]
    assert len(gateway.received) == 1


async def test_retries_stop_after_the_configured_number_of_attempts(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    gateway.behave(then="500")
    settings = http_settings.model_copy(update={"max_attempts": 3})
    queued = await queue(notifications)
    for _ in range(4):
        await work(settings, once=True)
        await asyncio.sleep(0.05)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "failed" and message["attempts"] == 3
    assert message["status_reason"].startswith("gave up after 3 attempts")
    assert [e["attempt"] for e in message["history"][1:]] == [1, 2, 3]


async def test_a_message_past_its_time_to_live_expires(
    notifications: httpx.AsyncClient, worker_settings: NotificationsSettings
) -> None:
    queued = await queue(notifications)
    sql(
        worker_settings.database_url,
        "UPDATE messages SET expires_at = now() - interval '1 minute' WHERE id = :id",
        id=queued["id"],
    )
    await work(worker_settings, once=True)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "expired"
    assert kinds(message) == ["accepted", "expired"]


async def test_quiet_hours_hold_a_message_until_morning_in_the_recipients_zone(
    notifications: httpx.AsyncClient, worker_settings: NotificationsSettings
) -> None:
    bishkek = ZoneInfo("Asia/Bishkek")
    hour = datetime.now(bishkek).hour
    # A quiet window around "now" in Bishkek, ending two hours later.
    settings = worker_settings.model_copy(
        update={"quiet_hours_start": hour, "quiet_hours_end": (hour + 2) % 24}
    )
    waiting = await queue(notifications)
    urgent = await queue(notifications, urgent=True)
    await work(settings, once=True)
    message = await fetch(notifications, waiting["id"])
    assert message["status"] == "queued"
    assert kinds(message) == ["accepted", "deferred"]
    assert "quiet hours in Asia/Bishkek" in message["history"][-1]["detail"]
    resume = datetime.fromisoformat(message["next_attempt_at"]).astimezone(bishkek)
    assert (resume.hour, resume.minute) == ((hour + 2) % 24, 0)
    assert (await fetch(notifications, urgent["id"]))["status"] == "sent"


async def test_the_daily_cap_defers_the_extra_message_to_tomorrow(
    notifications: httpx.AsyncClient, worker_settings: NotificationsSettings
) -> None:
    settings = worker_settings.model_copy(update={"daily_cap": 2})
    ids = [(await queue(notifications, reference=f"r{i}"))["id"] for i in range(3)]
    other_phone = await queue(notifications, to="+996555123456")
    await work(settings, once=True)
    statuses = [(await fetch(notifications, i))["status"] for i in ids]
    assert sorted(statuses) == ["queued", "sent", "sent"]
    held = await fetch(notifications, ids[statuses.index("queued")])
    assert "daily cap of 2 reached" in held["history"][-1]["detail"]
    local = datetime.fromisoformat(held["next_attempt_at"]).astimezone(ZoneInfo("Asia/Bishkek"))
    assert local.date() == datetime.now(ZoneInfo("Asia/Bishkek")).date() + timedelta(days=1)
    assert (await fetch(notifications, other_phone["id"]))["status"] == "sent"
    urgent = await queue(notifications, urgent=True)
    await work(settings, once=True)
    assert (await fetch(notifications, urgent["id"]))["status"] == "sent"


async def test_a_dead_workers_lease_lapses_and_another_sends_the_message_once(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    queued = await queue(notifications)
    async with workers(http_settings, "crashed", "survivor") as (crashed, survivor):
        assert [str(i) for i in await claim_for(crashed)] == [queued["id"]]  # then it dies
        assert await claim_for(survivor) == []  # leased: nobody else takes it
        sql(
            http_settings.database_url,
            "UPDATE messages SET lease_expires_at = now() - interval '1 second' WHERE id = :id",
            id=queued["id"],
        )
        claimed = await claim_for(survivor)
        assert [str(i) for i in claimed] == [queued["id"]]
        await deliver(survivor, claimed)
        await deliver(crashed, claimed)  # comes back to life: its lease is gone
    assert gateway.references() == [queued["id"]]
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "sent" and message["history"][-1]["provider"] == "http"


@pytest.mark.parametrize(
    ("phone", "zone_name"), [("+79161234567", "Europe/Moscow"), ("+77011234567", "Asia/Almaty")]
)
async def test_quiet_hours_follow_a_foreign_numbers_own_zone(
    notifications: httpx.AsyncClient,
    worker_settings: NotificationsSettings,
    phone: str,
    zone_name: str,
) -> None:
    zone, bishkek = ZoneInfo(zone_name), ZoneInfo("Asia/Bishkek")
    hour = datetime.now(zone).hour
    # Quiet for the next hour where the recipient lives.
    settings = worker_settings.model_copy(
        update={"quiet_hours_start": hour, "quiet_hours_end": (hour + 1) % 24}
    )
    abroad = await queue(notifications, to=phone)
    at_home = await queue(notifications)
    await work(settings, once=True)
    message = await fetch(notifications, abroad["id"])
    assert message["status"] == "queued"
    assert f"quiet hours in {zone_name}" in message["history"][-1]["detail"]
    resume = datetime.fromisoformat(message["next_attempt_at"]).astimezone(zone)
    assert (resume.hour, resume.minute) == ((hour + 1) % 24, 0)
    bishkek_is_quiet = datetime.now(bishkek).hour == hour
    home = await fetch(notifications, at_home["id"])
    assert home["status"] == ("queued" if bishkek_is_quiet else "sent")


async def test_a_batch_the_worker_could_not_record_is_its_again_at_its_next_claim(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    """The database dropped before the worker recorded its batch: once it is back, the
    same worker takes those messages again at once, not a lease (60 s) later."""
    queued = await queue(notifications)
    async with workers(http_settings, "worker") as (worker,):
        assert [str(i) for i in await claim_for(worker)] == [queued["id"]]  # never recorded
        claimed = await claim_for(worker)
        assert [str(i) for i in claimed] == [queued["id"]]
        await deliver(worker, claimed)
    assert gateway.references() == [queued["id"]]
    assert (await fetch(notifications, queued["id"]))["status"] == "sent"
