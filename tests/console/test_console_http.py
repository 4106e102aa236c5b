"""The console's HTTP surface without a browser: headers, cookies, CSRF, sign-in modes."""

from __future__ import annotations

import re

import httpx
import pytest

from services.console.app import create_app
from services.console.settings import ConsoleSettings
from shared.settings import AuthSettings
from tests.support.tokens import AUTH


@pytest.fixture
async def client():
    app = create_app(ConsoleSettings(auth=AUTH, log_level="WARNING"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            yield c


async def test_pages_and_assets_send_the_security_headers(client):
    for path in ("/sign-in", "/static/console.css", "/static/vendor/htmx-2.0.11.min.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_session_cookie_is_httponly_and_lax(client):
    response = await client.get("/sign-in")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("migreg_console=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # localhost: no TLS in development


def test_cookies_are_secure_outside_localhost():
    assert ConsoleSettings(public_url="https://console.migreg.gov.kg").secure_cookies
    assert not ConsoleSettings(public_url="http://localhost:8000").secure_cookies


async def test_a_post_without_the_csrf_token_is_refused(client):
    page = await client.get("/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    token = found.group(1)
    refused = await client.post("/sign-in/dev", data={"role": "registrar"})
    assert refused.status_code == 403
    wrong = await client.post("/sign-in/dev", data={"role": "registrar", "csrf_token": "x"})
    assert wrong.status_code == 403
    accepted = await client.post("/sign-in/dev", data={"role": "registrar", "csrf_token": token})
    assert accepted.status_code == 303
    home = await client.get("/", follow_redirects=False)
    assert home.status_code != 303  # signed in now (the home page calls the services)


async def test_pages_need_a_session():
    app = create_app(ConsoleSettings(auth=AUTH, log_level="WARNING"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            for path in ("/", "/persons", "/cases", "/statistics", "/audit"):
                response = await c.get(path, follow_redirects=False)
                assert response.status_code == 303
                assert response.headers["location"] == f"/sign-in?next={path}"


def test_without_the_development_secret_there_is_no_role_picker_and_a_secret_is_required():
    no_secret = AuthSettings(dev_secret=None)
    with pytest.raises(RuntimeError, match="CONSOLE_SESSION_SECRET"):
        create_app(ConsoleSettings(auth=no_secret, session_secret=None, log_level="WARNING"))
    settings = ConsoleSettings(auth=no_secret, session_secret="s" * 32)
    assert not settings.dev_sign_in
