"""Production sign-in against a fake OpenID Connect provider on loopback: the
authorization code flow with PKCE, claims mapped to roles and consulate."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.console.app import create_app
from services.console.settings import ConsoleSettings, OidcSettings
from shared.settings import AuthSettings
from tests.console.fake_oidc import CLIENT_ID, CLIENT_SECRET, fake_provider


@pytest.fixture
def provider():
    with fake_provider() as fake:
        yield fake


@pytest.fixture
async def console(provider):
    settings = ConsoleSettings(
        auth=AuthSettings(dev_secret=None),
        session_secret="a-test-session-secret-of-some-length",
        log_level="WARNING",
        oidc=OidcSettings(
            issuer=provider.url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            roles_claim="groups",
            role_map={"mfa-consul-msk": "consular_officer"},
        ),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client


async def _sign_in(console: httpx.AsyncClient) -> httpx.Response:
    start = await console.get("/sign-in/oidc?next=/cases")
    assert start.status_code == 302
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["client_id"] == [CLIENT_ID]
    # The browser follows the redirect to the provider, which approves at once.
    async with httpx.AsyncClient(timeout=5) as browser:
        approved = await browser.get(authorize)
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    return await console.get(f"{callback.path}?{callback.query}")


async def test_sign_in_with_pkce_maps_the_providers_claims(console, provider):
    provider.user = {
        "sub": "u-4711",
        "name": "Aigul Asanova",
        "groups": ["mfa-consul-msk", "unrelated-group"],
        "consulate": "RU-MOW",
    }
    signed_in = await _sign_in(console)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/cases"
    # The PKCE verifier was sent and matched the challenge (the fake checks it).
    assert provider.token_requests[-1]["code_verifier"]
    page = await console.get("/sign-in")
    assert "Aigul Asanova" in page.text and "RU-MOW" in page.text
    assert "Consular officer" in page.text or "Консулдук кызматкер" in page.text
    # No development role picker in production.
    assert 'action="/sign-in/dev"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    refused = await console.post(
        "/sign-in/dev", data={"role": "admin", "csrf_token": token.group(1)}
    )
    assert refused.status_code == 404


async def test_an_account_without_a_role_here_is_not_signed_in(console, provider):
    provider.user = {"sub": "u-1", "name": "Visitor", "groups": ["library"]}
    answer = await _sign_in(console)
    assert answer.status_code == 403
    home = await console.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"].startswith("/sign-in")


async def test_a_tampered_state_is_refused(console, provider):
    provider.user = {"sub": "u-2", "groups": ["mfa-consul-msk"], "consulate": "RU-MOW"}
    start = await console.get("/sign-in/oidc")
    async with httpx.AsyncClient(timeout=5) as browser:
        approved = await browser.get(start.headers["location"])
    callback = urlsplit(approved.headers["location"])
    query = parse_qs(callback.query)
    answer = await console.get(f"{callback.path}?code={query['code'][0]}&state=forged")
    assert answer.status_code == 401
    home = await console.get("/", follow_redirects=False)
    assert home.status_code == 303
