"""Logs are JSON with the request id and no personal data; peer calls carry the
request id and a service token."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from services.consular.settings import ConsularSettings
from shared.http import peer_client, service_token
from shared.logging import JsonFormatter, mask_name, mask_phone, mask_pin
from shared.request_context import bind_request_id, reset_request_id
from tests.support.live import LiveSystem
from tests.support.tokens import AUTH


def test_masks_keep_too_little_to_identify_anyone() -> None:
    assert mask_pin("21403199012345") == "2***********45"
    assert mask_phone("+996555123456") == "+996*******56"
    assert mask_name("Абдыкадыров") == "А."
    assert mask_pin(None) == mask_phone("") == mask_name(None) == ""


def test_a_log_line_is_json_with_the_request_id() -> None:
    record = logging.makeLogRecord(
        {
            "msg": "person registered",
            "levelno": 20,
            "levelname": "INFO",
            "pin": mask_pin("21403199012345"),
        }
    )
    token = bind_request_id("req-42")
    try:
        line = json.loads(JsonFormatter("registry").format(record))
    finally:
        reset_request_id(token)
    assert line["request_id"] == "req-42"
    assert line["service"] == "registry"
    assert line["pin"] == "2***********45"


async def test_registering_a_person_logs_no_pin_phone_or_name(
    registry: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.tokens import bearer

    person = {
        "pin": "21403199012345",
        "last_name": "Абдыкадыров",
        "first_name": "Нурлан",
        "sex": "M",
        "birth_date": "1990-03-14",
        "region": "KG-O",
        "phone": "+996555123456",
    }
    with caplog.at_level(logging.DEBUG):
        response = await registry.post("/v1/persons", json=person, headers=bearer("registrar"))
    assert response.status_code == 201
    formatter = JsonFormatter("registry")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert caplog.records, "the request was not logged at all"
    for secret in ("21403199012345", "555123456", "Абдыкадыров", "Нурлан"):
        assert secret not in text


@pytest.mark.e2e
async def test_peer_calls_carry_the_request_id_and_a_service_token(live: LiveSystem) -> None:
    settings = ConsularSettings(auth=AUTH)
    token = service_token(settings, "consular", ("registry:read",))
    bound = bind_request_id("case-open-7")
    try:
        async with peer_client(live.urls["registry"], settings, token=token) as client:
            response = await client.get("/v1/whoami")
    finally:
        reset_request_id(bound)
    assert response.headers["x-request-id"] == "case-open-7"
    assert response.json()["subject"] == "service:consular"
    assert response.json()["scopes"] == ["registry:read"]
