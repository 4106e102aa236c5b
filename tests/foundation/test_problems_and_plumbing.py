"""Errors are problem+json, request ids travel, health tells the truth, and the
first real domain module of each service works end to end on PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from shared.embedded_pg import DatabaseServer
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar")
PERSON = {
    "pin": "21403199012345",
    "last_name": "Абдыкадыров",
    "first_name": "Нурлан",
    "sex": "M",
    "birth_date": "1990-03-14",
    "region": "KG-O",
    "phone": "0555 123 456",
}


async def test_a_validation_error_names_the_field_and_why(registry: httpx.AsyncClient) -> None:
    response = await registry.post("/v1/persons", json={**PERSON, "sex": "X"}, headers=REGISTRAR)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["sex"]
    assert "F" in problem["errors"][0]["reason"]


async def test_unknown_route_and_wrong_method_are_problems(registry: httpx.AsyncClient) -> None:
    missing = await registry.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await registry.delete("/healthz")
    assert wrong.status_code == 405
    assert wrong.json()["title"] == "Method Not Allowed"


async def test_unexpected_errors_are_500_problems_without_a_trace(
    registry_app: FastAPI,
) -> None:
    @registry_app.get("/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=registry_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom-for-test", headers={"X-Request-ID": "req-123"})
    registry_app.router.routes.pop()
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert response.json()["request_id"] == "req-123"


async def test_request_id_is_returned_or_made(registry: httpx.AsyncClient) -> None:
    given = await registry.get("/healthz", headers={"X-Request-ID": "border-post-7"})
    assert given.headers["x-request-id"] == "border-post-7"
    made = await registry.get("/healthz")
    assert uuid.UUID(made.headers["x-request-id"])


async def test_register_and_read_a_person(registry: httpx.AsyncClient) -> None:
    created = await registry.post("/v1/persons", json=PERSON, headers=REGISTRAR)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "in_country"
    assert body["phone"] == "+996555123456"
    assert created.headers["location"] == f"/v1/persons/{body['id']}"
    read = await registry.get(created.headers["location"], headers=bearer("consular_supervisor"))
    assert read.status_code == 200
    assert read.json()["last_name"] == "Абдыкадыров"
    assert read.headers["etag"] == created.headers["etag"]


async def test_consulates_are_listed(consular: httpx.AsyncClient) -> None:
    response = await consular.get(
        "/v1/consulates", headers=bearer("consular_officer", consulate="RU-MOW")
    )
    assert response.status_code == 200
    moscow = next(c for c in response.json()["items"] if c["code"] == "RU-MOW")
    assert moscow["country"] == "RU"
    assert moscow["time_zone"] == "Europe/Moscow"


async def test_templates_are_listed_in_three_languages(notifications: httpx.AsyncClient) -> None:
    response = await notifications.get("/v1/templates", headers=bearer("admin"))
    assert response.status_code == 200
    languages = {t["language"] for t in response.json()["items"] if t["key"] == "case_opened"}
    assert languages == {"ky", "ru", "en"}


async def test_readyz_fails_when_migrations_are_not_at_head(
    database_server: DatabaseServer,
) -> None:
    from services.registry.app import create_app
    from services.registry.settings import RegistrySettings
    from tests.support.tokens import AUTH

    url = database_server.ensure_database("migreg_test_unmigrated")
    try:
        app = create_app(RegistrySettings(database_url=url, auth=AUTH))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
    finally:
        database_server.drop_database("migreg_test_unmigrated")


async def test_nul_characters_are_422_in_query_path_and_nested_body(
    notifications: httpx.AsyncClient, registry: httpx.AsyncClient
) -> None:
    query = await registry.get("/v1/persons", params={"q": "Asan\x00"}, headers=REGISTRAR)
    assert query.status_code == 422
    # The parameter is named, as for any other invalid parameter.
    assert query.json()["errors"] == [
        {"field": "q", "in": "query", "reason": "must not contain NUL characters"}
    ]
    assert query.json()["title"] == "Your request is not valid"
    body = await notifications.post(
        "/v1/templates/case_opened/ky/preview",
        json={"params": {"case_number": "RU-MOW-2026-000001\x00", "hotline": "+7"}},
        headers=bearer("admin"),
    )
    assert body.status_code == 422
    assert body.json()["errors"][0]["field"] == "params"


async def test_a_body_that_is_not_json_names_the_body(registry: httpx.AsyncClient) -> None:
    response = await registry.post(
        "/v1/persons",
        content=b'{"pin": "21403199012345"',
        headers={**REGISTRAR, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["in"]) == ("body", "body")
    assert "at character" in error["reason"]


async def test_an_idempotency_key_is_visible_ascii(registry: httpx.AsyncClient) -> None:
    auth = {name.encode(): value.encode() for name, value in REGISTRAR.items()}
    for key in (b"\xe2\x80\xaeabc", b"a\x01b", "ключ".encode()):
        response = await registry.post(
            "/v1/persons", json=PERSON, headers={**auth, b"Idempotency-Key": key}
        )
        assert response.status_code == 422, (key, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
