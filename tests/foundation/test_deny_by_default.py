"""Every route of every service refuses callers without a valid token."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from fastapi import FastAPI

from shared.auth.tokens import issue_token
from shared.settings import AuthSettings
from tests.support.tokens import AUTH, bearer

PUBLIC = {"/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json"}
APPS = ["registry_app", "consular_app", "notifications_app"]


@pytest.fixture(params=APPS)
def service_app(request: pytest.FixtureRequest) -> FastAPI:
    app: FastAPI = request.getfixturevalue(request.param)
    return app


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    routes = []
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            if path not in PUBLIC:
                routes.append((method.upper(), path))
    return routes


def _concrete(path: str) -> str:
    return path.replace("{", "").replace("}", "")  # any value: auth comes before parsing


def _unsigned(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_tokens() -> dict[str, dict[str, str]]:
    now = int(time.time())
    expired = issue_token(AUTH, subject="x", roles=["admin"], ttl_seconds=-3600)
    wrong_key = issue_token(AuthSettings(dev_secret="another-secret"), subject="x", roles=["admin"])
    wrong_audience = issue_token(
        AuthSettings(dev_secret=AUTH.dev_secret, audience="other"), subject="x", roles=["admin"]
    )
    none_alg = _unsigned(
        {"sub": "x", "roles": ["admin"], "iss": AUTH.issuer, "aud": AUTH.audience, "exp": now + 600}
    )
    return {
        "missing": {},
        "expired": {"Authorization": f"Bearer {expired}"},
        "wrongly signed": {"Authorization": f"Bearer {wrong_key}"},
        "wrong audience": {"Authorization": f"Bearer {wrong_audience}"},
        "alg none": {"Authorization": f"Bearer {none_alg}"},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
    }


async def test_every_route_answers_401_without_a_valid_token(service_app: FastAPI) -> None:
    app = service_app
    routes = _routes(app)
    assert routes, "the walk found no routes"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        for method, path in routes:
            for label, headers in _bad_tokens().items():
                response = await client.request(method, _concrete(path), headers=headers)
                assert response.status_code == 401, (method, path, label, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["www-authenticate"] == "Bearer"


async def test_health_metrics_and_docs_need_no_token(service_app: FastAPI) -> None:
    app = service_app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        for path in ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"):
            assert (await client.get(path)).status_code == 200, path


async def test_whoami_shows_the_verified_principal(service_app: FastAPI) -> None:
    app = service_app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.get(
            "/v1/whoami",
            headers=bearer(
                "service", scopes=("registry:read", "cases:status"), subject="service:consular"
            ),
        )
    assert response.status_code == 200
    assert response.json() == {
        "subject": "service:consular",
        "roles": ["service"],
        "scopes": ["cases:status", "registry:read"],
        "consulate": None,
    }
