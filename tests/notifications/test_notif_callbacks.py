"""Signed provider callbacks: delivery reports and families' inbound SMS."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from services.notifications.app import create_app
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.seed_data import SEED_TEMPLATES
from services.notifications.worker import work
from shared.settings import AuthSettings
from tests.notifications.fake_gateway import FakeGateway
from tests.notifications.notif_support import (
    ADMIN,
    KG_PHONE,
    PROVIDER,
    fetch,
    queue,
    signed,
    sql,
)
from tests.support.live import LiveSystem, free_port
from tests.support.tokens import bearer

SEED: dict[tuple[str, str], str] = {(t.key, t.language): t.body for t in SEED_TEMPLATES}


async def report(
    client: httpx.AsyncClient, settings: NotificationsSettings, body: dict[str, Any]
) -> httpx.Response:
    raw, headers = signed(body, settings.callback_secret)
    return await client.post(
        "/v1/provider-callbacks/delivery-reports", content=raw, headers=headers
    )


async def inbound(
    client: httpx.AsyncClient,
    settings: NotificationsSettings,
    text: str,
    phone: str = KG_PHONE,
    sms_id: str | None = None,
) -> dict[str, Any]:
    body = {"id": sms_id or f"in-{uuid.uuid4()}", "from": phone, "text": text}
    raw, headers = signed(body, settings.callback_secret)
    response = await client.post("/v1/provider-callbacks/inbound", content=raw, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_delivery_report_marks_the_message_delivered_once(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    queued = await queue(notifications)
    await work(worker_settings, once=True)
    body = {"reference": queued["id"], "provider_message_id": "gw-77", "status": "delivered"}
    first = await report(notifications, notifications_settings, body)
    assert first.status_code == 200
    assert first.json() == {"message_id": queued["id"], "status": "delivered", "changed": True}
    replay = await report(notifications, notifications_settings, body)
    assert replay.json()["changed"] is False
    late_failure = await report(notifications, notifications_settings, {**body, "status": "failed"})
    assert late_failure.json() == {
        "message_id": queued["id"],
        "status": "delivered",
        "changed": False,
    }
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "delivered" and message["delivered_at"]
    assert [e["kind"] for e in message["history"]] == ["accepted", "sent", "delivery_report"]


async def test_a_report_may_name_the_providers_id_and_say_undelivered(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    queued = await queue(notifications)
    await work(worker_settings, once=True)
    provider_id = f"console-{queued['id']}"
    response = await report(
        notifications,
        notifications_settings,
        {
            "provider_message_id": provider_id,
            "status": "undelivered",
            "reason": "absent subscriber",
        },
    )
    assert response.json()["status"] == "failed"
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "failed" and message["status_reason"] == "absent subscriber"


async def test_bad_reports_are_refused(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    unknown = await report(
        notifications,
        notifications_settings,
        {"reference": str(uuid.uuid4()), "status": "delivered"},
    )
    assert unknown.status_code == 404
    anonymous = await report(notifications, notifications_settings, {"status": "delivered"})
    assert anonymous.status_code == 422
    wrong_status = await report(
        notifications, notifications_settings, {"reference": str(uuid.uuid4()), "status": "read"}
    )
    assert wrong_status.status_code == 422 and wrong_status.json()["errors"][0]["field"] == "status"
    raw = b"not json"
    headers = {
        **PROVIDER,
        "X-Signature": signed({}, notifications_settings.callback_secret)[1]["X-Signature"],
    }
    assert (
        await notifications.post(
            "/v1/provider-callbacks/delivery-reports", content=raw, headers=headers
        )
    ).status_code == 401  # the signature is for another body


@pytest.mark.parametrize("signature", [None, "", "0" * 64, "sha256=deadbeef"])
async def test_an_unsigned_or_wrongly_signed_callback_is_401_and_changes_nothing(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
    signature: str | None,
) -> None:
    queued = await queue(notifications)
    await work(worker_settings, once=True)
    for path, body in (
        ("delivery-reports", {"reference": queued["id"], "status": "delivered"}),
        ("inbound", {"id": "in-1", "from": KG_PHONE, "text": "STOP"}),
    ):
        raw, headers = signed(body, notifications_settings.callback_secret)
        headers.pop("X-Signature")
        if signature is not None:
            headers["X-Signature"] = signature
        response = await notifications.post(
            f"/v1/provider-callbacks/{path}", content=raw, headers=headers
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    assert (await fetch(notifications, queued["id"]))["status"] == "sent"
    assert sql(worker_settings.database_url, "SELECT count(*) FROM inbound_messages") == [(0,)]
    assert sql(
        worker_settings.database_url,
        "SELECT count(*) FROM recipients WHERE opted_out_at IS NOT NULL",
    ) == [(0,)]


async def test_callbacks_need_the_callback_scope(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    raw, headers = signed(
        {"id": "x", "from": KG_PHONE, "text": "STOP"}, notifications_settings.callback_secret
    )
    headers.update(bearer("service", scopes=("notifications:send",)))
    response = await notifications.post(
        "/v1/provider-callbacks/inbound", content=raw, headers=headers
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("STOP", "ky"),
        ("  stop \n", "ky"),
        ("СТОП", "ru"),
        ("стоп", "ru"),
        ("ТОКТОТ", "ky"),
        (" Токтот ", "ky"),
    ],
)
async def test_stop_opts_out_confirms_and_later_messages_are_suppressed(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
    text: str,
    language: str,
) -> None:
    answer = await inbound(notifications, notifications_settings, text)
    assert answer["kind"] == "stop" and answer["status"] == "answered"
    confirmation = await fetch_any(notifications, answer["reply_message_id"])
    assert confirmation["language"] == language
    assert confirmation["text"] == SEED[("opt_out_confirmed", language)]
    later = await queue(notifications)
    await work(worker_settings, once=True)
    assert (await fetch_any(notifications, confirmation["id"]))["status"] == "sent"
    suppressed = await fetch(notifications, later["id"])
    assert suppressed["status"] == "suppressed"
    assert suppressed["status_reason"] == "recipient opted out"


async def fetch_any(client: httpx.AsyncClient, message_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/messages/{message_id}", headers=ADMIN)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def test_a_number_that_opts_out_after_queuing_gets_nothing(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    queued = await queue(notifications, language="ru")
    answer = await inbound(notifications, notifications_settings, "STOP")
    # We last wrote in Russian, so the Latin STOP is confirmed in Russian.
    assert (await fetch_any(notifications, answer["reply_message_id"]))["language"] == "ru"
    await work(worker_settings, once=True)
    assert (await fetch(notifications, queued["id"]))["status"] == "suppressed"


async def test_start_opts_back_in(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    await inbound(notifications, notifications_settings, "ТОКТОТ")
    answer = await inbound(notifications, notifications_settings, " start ")
    assert answer["kind"] == "start"
    confirmation = await fetch_any(notifications, answer["reply_message_id"])
    assert confirmation["text"] == SEED[("opt_in_confirmed", "ky")]
    queued = await queue(notifications)
    await work(worker_settings, once=True)
    assert (await fetch(notifications, queued["id"]))["status"] == "sent"


async def test_a_replayed_inbound_sms_is_answered_once(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    first = await inbound(notifications, notifications_settings, "hello?", sms_id="gw-in-1")
    again = await inbound(notifications, notifications_settings, "hello?", sms_id="gw-in-1")
    assert first["kind"] == "help" and first["duplicate"] is False
    assert again["duplicate"] is True and again["reply_message_id"] == first["reply_message_id"]
    replies = (
        await notifications.get("/v1/messages", params={"to": KG_PHONE}, headers=ADMIN)
    ).json()["items"]
    assert [r["template"] for r in replies] == ["help"]
    assert replies[0]["urgent"] is True  # a reply ignores quiet hours and the cap


async def test_an_inbound_from_a_bad_number_is_refused(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    raw, headers = signed(
        {"id": "x", "from": "12345", "text": "STOP"}, notifications_settings.callback_secret
    )
    response = await notifications.post(
        "/v1/provider-callbacks/inbound", content=raw, headers=headers
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "from"


@pytest.mark.e2e
async def test_a_case_query_is_kept_while_consular_is_down_and_answered_later(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
    live: LiveSystem,
) -> None:
    answer = await inbound(notifications, notifications_settings, " №ru-mow-2026-000999 ")
    assert answer["kind"] == "case_query" and answer["status"] == "pending"
    down = worker_settings.model_copy(update={"consular_url": f"http://127.0.0.1:{free_port()}"})
    await work(down, once=True)
    rows = sql(down.database_url, "SELECT status, attempts, last_error FROM inbound_messages")
    assert rows[0][0] == "pending" and rows[0][1] == 1 and "unreachable" in rows[0][2]
    # The consular service is back (it does not know this case): a neutral answer.
    up = worker_settings.model_copy(
        update={"consular_url": live.urls["consular"], "registry_url": live.urls["registry"]}
    )
    sql(up.database_url, "UPDATE inbound_messages SET next_attempt_at = now()")
    await work(up, once=True)
    rows = sql(up.database_url, "SELECT status, reply_message_id FROM inbound_messages")
    assert rows[0][0] == "answered"
    reply = await fetch_any(notifications, str(rows[0][1]))
    assert reply["template"] == "case_unknown_reply" and reply["status"] == "sent"
    assert reply["text"] == SEED[("case_unknown_reply", "ky")]


async def test_a_long_failure_reason_is_kept_whole_in_the_history_and_short_on_the_message(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    queued = await queue(notifications)
    await work(worker_settings, once=True)
    reason = "handset unreachable; " * 23 + "x" * 17  # 500 characters
    assert len(reason) == 500
    body = {"reference": queued["id"], "status": "undelivered", "reason": reason}
    response = await report(notifications, notifications_settings, body)
    assert response.status_code == 200, response.text
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "failed"
    assert len(message["status_reason"]) == 200 and message["status_reason"].endswith("…")
    assert reason.startswith(message["status_reason"][:-1])
    assert message["history"][-1]["detail"] == reason
    too_long = await report(notifications, notifications_settings, {**body, "reason": reason + "!"})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "reason"


@pytest.mark.e2e
async def test_a_late_answer_to_a_case_query_waits_for_the_morning(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
    live: LiveSystem,
) -> None:
    await inbound(notifications, notifications_settings, "№ru-mow-2026-000998")
    # Consular was down for an hour; the question is answered only now.
    sql(
        worker_settings.database_url,
        "UPDATE inbound_messages SET received_at = now() - interval '1 hour'",
    )
    hour = datetime.now(ZoneInfo("Asia/Bishkek")).hour
    settings = worker_settings.model_copy(
        update={
            "consular_url": live.urls["consular"],
            "registry_url": live.urls["registry"],
            "quiet_hours_start": hour,
            "quiet_hours_end": (hour + 2) % 24,
        }
    )
    await work(settings, once=True)
    [(status, reply_id)] = sql(
        settings.database_url, "SELECT status, reply_message_id FROM inbound_messages"
    )
    assert status == "answered"
    reply = await fetch_any(notifications, str(reply_id))
    assert reply["urgent"] is False and reply["status"] == "queued"
    assert "quiet hours" in reply["history"][-1]["detail"]


async def test_a_case_query_is_given_up_after_the_attempts_or_the_time_run_out(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
) -> None:
    down = worker_settings.model_copy(
        update={"consular_url": f"http://127.0.0.1:{free_port()}", "inbound_max_attempts": 2}
    )
    await inbound(notifications, notifications_settings, "№ru-mow-2026-000997")
    await work(down, once=True)
    sql(down.database_url, "UPDATE inbound_messages SET next_attempt_at = now()")
    await work(down, once=True)
    [(status, attempts, error, reply)] = sql(
        down.database_url,
        "SELECT status, attempts, last_error, reply_message_id FROM inbound_messages",
    )
    assert (status, attempts, reply) == ("failed", 2, None)
    assert error.startswith("gave up after 2 attempts") and "unreachable" in error
    # A question a day old is given up at its first failure.
    await inbound(
        notifications, notifications_settings, "№ru-mow-2026-000996", phone="+996555000111"
    )
    sql(
        down.database_url,
        "UPDATE inbound_messages SET received_at = now() - interval '2 days'"
        " WHERE status = 'pending'",
    )
    await work(down, once=True)
    statuses = sql(down.database_url, "SELECT status, attempts FROM inbound_messages")
    assert sorted(statuses) == [("failed", 1), ("failed", 2)]
    assert sql(down.database_url, "SELECT count(*) FROM messages")[0][0] == 0  # no reply sent


async def test_a_report_by_provider_id_matches_only_the_configured_providers_messages(
    notifications: httpx.AsyncClient,
    notifications_app: FastAPI,
    notifications_settings: NotificationsSettings,
    http_settings: NotificationsSettings,
    gateway: FakeGateway,
) -> None:
    queued = await queue(notifications)
    await work(http_settings, once=True)  # the gateway calls it gw-1
    body = {"provider_message_id": "gw-1", "status": "delivered"}
    # The service's configured provider is the console: gw-1 is not one of its ids.
    assert (await report(notifications, notifications_settings, body)).status_code == 404
    notifications_app.state.settings = notifications_settings.model_copy(
        update={"provider": "http"}
    )
    try:
        matched = await report(notifications, notifications_settings, body)
    finally:
        notifications_app.state.settings = notifications_settings
    assert matched.status_code == 200 and matched.json()["message_id"] == queued["id"]
    assert (await fetch(notifications, queued["id"]))["status"] == "delivered"


async def test_the_service_refuses_to_start_with_the_development_callback_secret_in_production(
    notifications_settings: NotificationsSettings,
) -> None:
    production = notifications_settings.model_copy(update={"auth": AuthSettings(dev_secret=None)})
    app = create_app(production)
    with pytest.raises(RuntimeError, match="NOTIFICATIONS_CALLBACK_SECRET"):
        async with app.router.lifespan_context(app):
            pass
    configured = production.model_copy(update={"callback_secret": "shared-with-the-gateway"})
    app = create_app(configured)
    async with app.router.lifespan_context(app):
        assert app.state.settings.callback_secret == "shared-with-the-gateway"
