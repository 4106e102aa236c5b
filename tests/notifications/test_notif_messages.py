"""POST /v1/messages: accept and keep, validation up front, idempotency, reading back."""

from __future__ import annotations

import httpx

from services.notifications.settings import NotificationsSettings
from tests.notifications.notif_support import (
    ADMIN,
    KG_PHONE,
    SENDER,
    fetch,
    message_body,
    queue,
    sql,
)
from tests.support.tokens import bearer


async def test_a_kyrgyz_message_is_queued_with_its_encoding_and_segments(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    response = await notifications.post("/v1/messages", json=message_body(), headers=SENDER)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["encoding"] == "UCS-2"  # Cyrillic (ү, ө) forces UCS-2
    assert body["segments"] == 2
    assert response.headers["location"] == f"/v1/messages/{body['id']}"
    # Answered only after commit: a fresh connection sees the row.
    rows = sql(
        notifications_settings.database_url,
        "SELECT status FROM messages WHERE id = :id",
        id=body["id"],
    )
    assert rows == [("queued",)]
    message = await fetch(notifications, body["id"])
    assert message["text"].startswith("№RU-MOW-2026-000123 кайрылуу ачылды.")
    assert [e["kind"] for e in message["history"]] == ["accepted"]


async def test_an_english_message_is_gsm7(notifications: httpx.AsyncClient) -> None:
    body = await queue(notifications, language="en")
    assert body["encoding"] == "GSM-7"
    assert body["segments"] == 1


async def test_a_missing_param_is_named(notifications: httpx.AsyncClient) -> None:
    response = await notifications.post(
        "/v1/messages",
        json=message_body(params={"hotline": "+74951234567"}),
        headers=SENDER,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "params.case_number"


async def test_without_a_hotline_the_hotline_sentence_is_left_out(
    notifications: httpx.AsyncClient,
) -> None:
    for params in ({"case_number": "KG-1"}, {"case_number": "KG-1", "hotline": " "}):
        queued = await queue(notifications, language="ru", params=params)
        message = await notifications.get(f"/v1/messages/{queued['id']}", headers=bearer("admin"))
        assert message.json()["text"] == (
            "Открыто обращение №KG-1. Чтобы узнать статус, отправьте этот номер."
        )


async def test_an_unknown_param_is_refused(notifications: httpx.AsyncClient) -> None:
    params = {"case_number": "RU-MOW-2026-000123", "hotline": "1", "pin": "22001199012345"}
    response = await notifications.post(
        "/v1/messages", json=message_body(params=params), headers=SENDER
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "params.pin"


async def test_a_bad_phone_number_is_refused(notifications: httpx.AsyncClient) -> None:
    for phone in ("0700123456", "+99612", "+996 not a number"):
        response = await notifications.post(
            "/v1/messages", json=message_body(to=phone), headers=SENDER
        )
        assert response.status_code == 422, phone
        assert response.json()["errors"][0]["field"] == "to"


async def test_an_unknown_template_or_language_is_refused(notifications: httpx.AsyncClient) -> None:
    response = await notifications.post(
        "/v1/messages", json=message_body(template="no_such_template"), headers=SENDER
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "template"
    response = await notifications.put(
        "/v1/templates/only_english/en", json={"body": "Hello"}, headers=ADMIN
    )
    assert response.status_code == 201
    response = await notifications.post(
        "/v1/messages", json=message_body(template="only_english", params={}), headers=SENDER
    )
    assert response.status_code == 422
    assert "in language 'ky'" in response.json()["errors"][0]["reason"]
    response = await notifications.post(
        "/v1/messages", json=message_body(language="de"), headers=SENDER
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "language"


async def test_sending_needs_the_send_scope(notifications: httpx.AsyncClient) -> None:
    for headers in (bearer("registrar"), bearer("service", scopes=("registry:read",))):
        response = await notifications.post("/v1/messages", json=message_body(), headers=headers)
        assert response.status_code == 403


async def test_the_same_idempotency_key_replays_the_first_answer(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    headers = {**SENDER, "Idempotency-Key": "case-1-opened"}
    first = await notifications.post("/v1/messages", json=message_body(), headers=headers)
    again = await notifications.post("/v1/messages", json=message_body(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    count = sql(notifications_settings.database_url, "SELECT count(*) FROM messages")
    assert count == [(1,)]
    other = await notifications.post(
        "/v1/messages", json=message_body(reference="case-2"), headers=headers
    )
    assert other.status_code == 422


async def test_messages_are_listed_by_reference_and_recipient_for_their_sender(
    notifications: httpx.AsyncClient,
) -> None:
    a = await queue(notifications, reference="case-A")
    b = await queue(notifications, reference="case-B", to="+996555123456")
    await queue(notifications, reference="case-A", language="ru")
    by_reference = (
        await notifications.get("/v1/messages", params={"reference": "case-A"}, headers=SENDER)
    ).json()
    assert len(by_reference["items"]) == 2
    assert a["id"] in {m["id"] for m in by_reference["items"]}
    by_phone = (
        await notifications.get("/v1/messages", params={"to": "+996555123456"}, headers=SENDER)
    ).json()
    assert [m["id"] for m in by_phone["items"]] == [b["id"]]
    page = (await notifications.get("/v1/messages", params={"limit": 2}, headers=SENDER)).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = (
        await notifications.get(
            "/v1/messages", params={"limit": 2, "cursor": page["next_cursor"]}, headers=SENDER
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    bad = await notifications.get("/v1/messages", params={"to": "12"}, headers=SENDER)
    assert bad.status_code == 422
    assert [(e["field"], e["in"]) for e in bad.json()["errors"]] == [("to", "query")]
    forged = await notifications.get("/v1/messages", params={"cursor": "x"}, headers=SENDER)
    assert forged.status_code == 422
    assert [(e["field"], e["in"]) for e in forged.json()["errors"]] == [("cursor", "query")]


async def test_another_service_sees_none_of_them_but_an_admin_sees_all(
    notifications: httpx.AsyncClient,
) -> None:
    message = await queue(notifications)
    other = bearer("service", scopes=("notifications:send",), subject="service:registry")
    assert (
        await notifications.get(f"/v1/messages/{message['id']}", headers=other)
    ).status_code == 404
    listed = (
        await notifications.get("/v1/messages", params={"to": KG_PHONE}, headers=other)
    ).json()
    assert listed["items"] == []
    assert (
        await notifications.get(f"/v1/messages/{message['id']}", headers=ADMIN)
    ).status_code == 200
    assert (await notifications.get("/v1/messages", headers=bearer("registrar"))).status_code == 403


async def test_params_are_strings_or_integers_only(notifications: httpx.AsyncClient) -> None:
    for value, got in [
        ("NaN", "float"),
        ("1.5", "float"),
        ("true", "bool"),
        ("null", "NoneType"),
        ('["a"]', "list"),
        ('"' + "x" * 301 + '"', "301 characters"),
    ]:
        raw = (
            '{"to": "+996700123456", "template": "case_opened", "language": "ky", '
            '"params": {"case_number": "RU-MOW-2026-000123", "hotline": ' + value + "}}"
        )
        response = await notifications.post(
            "/v1/messages",
            content=raw,
            headers={**SENDER, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (value, response.text)
        [error] = response.json()["errors"]
        assert error["field"] == "params.hotline", value
        assert error["reason"].endswith(f"or an integer, not {got}"), error
    numeric = await notifications.post(
        "/v1/messages",
        json=message_body(params={"case_number": 123, "hotline": "+74951234567"}),
        headers=SENDER,
    )
    assert numeric.status_code == 202
    assert (await fetch(notifications, numeric.json()["id"]))["text"].startswith("№123 ")


async def test_a_text_longer_than_the_segment_limit_is_refused(
    notifications: httpx.AsyncClient, notifications_settings: NotificationsSettings
) -> None:
    params = {"case_number": "Ж" * 300, "hotline": "Ж" * 300}
    response = await notifications.post(
        "/v1/messages", json=message_body(params=params), headers=SENDER
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "params"
    assert "characters" in error["reason"] and "at most 6 are allowed" in error["reason"]
    assert sql(notifications_settings.database_url, "SELECT count(*) FROM messages")[0][0] == 0
