"""Every claim is checked once, when the token is read: a token missing a required claim,
with a claim of the wrong type or size, living too long or issued in the future is a 401
problem naming the claim, on every service, never a 500 further in."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from jose import jwt

from shared.auth.claims import InvalidToken
from shared.auth.keys import KeyStore
from shared.auth.tokens import issue_token, verify_token
from shared.http import service_token
from shared.settings import AuthSettings, ServiceSettings
from tests.support.tokens import AUTH, TEST_SECRET


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "officer.moscow",
        "roles": ["consular_officer"],
        "consulate": "RU-MOW",
        "iss": AUTH.issuer,
        "aud": AUTH.audience,
        "iat": now,
        "exp": now + 600,
        "jti": "a-token-id",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _bearer(claims: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, TEST_SECRET, algorithm='HS256')}"}


HOUR = 3600


def _refused(now: int) -> dict[str, tuple[dict[str, Any], str]]:
    """The bad tokens, made when their test runs: times taken at import would
    have expired by the time a long suite reaches the test."""
    return {
        "no audience": (_claims(aud=None), "aud"),
        "no issuer": (_claims(iss=None), "iss"),
        "no issue time": (_claims(iat=None), "iat"),
        "no subject": (_claims(sub=None), "sub"),
        "consulate as a list": (_claims(consulate=["RU-MOW", "KZ-ALA"]), "consulate"),
        "consulate as a number": (_claims(consulate=7), "consulate"),
        "consulate not a code": (_claims(consulate="MOSCOW"), "consulate"),
        "subject over 200 characters": (_claims(sub="o" * 201), "sub"),
        "expiry as a string": (_claims(exp=str(now + 600)), "exp"),
        "issue time as a string": (_claims(iat=str(now)), "iat"),
        "expiry as a boolean": (_claims(exp=True), "exp"),
        "expiry not a number (NaN)": (_claims(exp=float("nan")), "exp"),
        "roles as a string": (_claims(roles="admin"), "roles"),
        "an unknown role": (_claims(roles=["superuser"]), "roles"),
        "scope as a list": (_claims(scope=["registry:read"]), "scope"),
        "token id as a number": (_claims(jti=12), "jti"),
        "a person's token living 13 hours": (_claims(exp=now + 13 * HOUR), "lifetime"),
        "a service token living 2 hours": (
            _claims(roles=["service"], consulate=None, exp=now + 2 * HOUR),
            "lifetime",
        ),
        "issued an hour from now": (_claims(iat=now + HOUR, exp=now + 2 * HOUR), "iat"),
    }


@pytest.mark.parametrize("case", list(_refused(0)))
async def test_a_bad_claim_is_a_401_problem_on_every_service(
    case: str,
    registry: httpx.AsyncClient,
    consular: httpx.AsyncClient,
    notifications: httpx.AsyncClient,
) -> None:
    claims, named = _refused(int(time.time()))[case]
    headers = _bearer(claims)
    for client, path in (
        (registry, "/v1/whoami"),
        (consular, "/v1/cases"),
        (notifications, "/v1/templates"),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401, (case, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert named in response.json()["detail"], response.json()


async def test_well_formed_tokens_at_the_limits_are_accepted(
    registry: httpx.AsyncClient, consular: httpx.AsyncClient
) -> None:
    now = int(time.time())
    skewed = _claims(iat=now + 10, exp=now + 600)  # a clock slightly ahead, within leeway
    longest = _claims(exp=now + 12 * HOUR, sub="o" * 200)
    both_audiences = _claims(aud=["another-api", AUTH.audience])
    for claims in (skewed, longest, both_audiences):
        response = await consular.get("/v1/cases", headers=_bearer(claims))
        assert response.status_code == 200, response.text
    # What a service presents to its peers (minted with the 1 h service lifetime).
    service = service_token(ServiceSettings(auth=AUTH), "consular", ("registry:read",))
    whoami = await registry.get("/v1/whoami", headers={"Authorization": f"Bearer {service}"})
    assert whoami.status_code == 200
    assert whoami.json()["scopes"] == ["registry:read"]


async def test_the_lifetime_limits_are_configured_not_fixed() -> None:
    shorter = AuthSettings(dev_secret=TEST_SECRET, max_person_token_seconds=HOUR)
    token = jwt.encode(_claims(exp=int(time.time()) + 2 * HOUR), TEST_SECRET, algorithm="HS256")
    assert (await verify_token(token, AUTH, KeyStore(AUTH))).subject == "officer.moscow"
    with pytest.raises(InvalidToken, match="lifetime"):
        await verify_token(token, shorter, KeyStore(shorter))
    with pytest.raises(ValueError, match="lifetime"):
        issue_token(shorter, subject="x", roles=["registrar"], ttl_seconds=2 * HOUR)


def _migreg_token(*args: str) -> subprocess.CompletedProcess[str]:
    migreg = Path(sys.executable).parent / "migreg"
    env = {"MIGREG_AUTH_DEV_SECRET": TEST_SECRET, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [str(migreg), "token", *args], capture_output=True, text=True, env=env, timeout=60
    )


async def test_migreg_token_issues_what_the_services_accept(registry: httpx.AsyncClient) -> None:
    for args in (
        ["--role", "registrar"],
        ["--role", "consular_officer", "--consulate", "RU-MOW", "--ttl", "12h"],
        ["--role", "service", "--scope", "registry:read"],
    ):
        issued = _migreg_token(*args)
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip()
        whoami = await registry.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        assert whoami.status_code == 200, (args, whoami.text)


def test_migreg_token_refuses_a_lifetime_the_services_would_refuse() -> None:
    person = _migreg_token("--role", "registrar", "--ttl", "2d")
    assert person.returncode != 0
    assert "--ttl" in person.stderr and "at most 12h" in person.stderr
    service = _migreg_token("--role", "service", "--scope", "registry:read", "--ttl", "2h")
    assert service.returncode != 0
    assert "at most 1h" in service.stderr
