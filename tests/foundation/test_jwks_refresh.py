"""The JWKS is fetched in the background, never on the event loop: a key server answering
in 4 s does not slow the service under a flood of forged key ids, is asked at most once
per interval, and a legitimately rotated key is still picked up.

The registry runs as its own process; the key server is a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk

from shared.auth.tokens import issue_token
from shared.settings import AuthSettings
from tests.support.live import LiveSystem, _wait_ready, free_port

pytestmark = pytest.mark.e2e

KEY_SERVER_DELAY = 4.0
# Half the key server's delay: a busy machine's slowness, never a wait for the key server.
FAST = KEY_SERVER_DELAY / 2
REFRESH = 8  # seconds between fetches for unknown key ids
SIGNING = AuthSettings()  # the default issuer and audience the services expect


@dataclass
class Key:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]

    def token(self, subject: str = "registrar-1") -> dict[str, str]:
        token = issue_token(
            SIGNING,
            subject=subject,
            roles=["registrar"],
            private_key_pem=self.private_pem,
            kid=self.kid,
        )
        return {"Authorization": f"Bearer {token}"}


def _key(kid: str) -> Key:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = dict(jwk.construct(public_pem, "RS256").to_dict(), kid=kid, use="sig")
    return Key(kid, private_pem, public)


@dataclass
class SlowKeyServer:
    url: str
    keys: list[Key] = field(default_factory=list)
    fetches: int = 0


@pytest.fixture
def key_server() -> Iterator[SlowKeyServer]:
    state = SlowKeyServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.fetches += 1
            time.sleep(KEY_SERVER_DELAY)
            body = json.dumps({"keys": [k.public_jwk for k in state.keys]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    yield state
    server.shutdown()


def _registry(
    database_urls: dict[str, str], key_server: SlowKeyServer, **auth: float
) -> LiveSystem:
    """The registry alone, verifying RS256 tokens against the key server (no dev secret)."""
    port = free_port()
    env = {
        "REGISTRY_DATABASE_URL": database_urls["registry"],
        "MIGREG_AUTH_JWKS_URL": key_server.url,
        **{f"MIGREG_AUTH_{name.upper()}": str(value) for name, value in auth.items()},
    }
    system = LiveSystem(
        urls={"registry": f"http://127.0.0.1:{port}"},
        env={k: v for k, v in os.environ.items() if not k.startswith("MIGREG_AUTH_")} | env,
    )
    system.start("registry", ["serve", "registry", "--port", str(port)])
    _wait_ready(system.urls["registry"], system.processes["registry"])
    return system


async def _timed(client: httpx.AsyncClient, path: str, **kwargs: Any) -> tuple[int, float]:
    started = time.monotonic()
    response = await client.get(path, **kwargs)
    return response.status_code, time.monotonic() - started


async def _until_accepted(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    """Requests until the token is accepted (a refresh may be running for another)."""
    for attempt in range(1, 20):
        if (await client.get("/v1/whoami", headers=headers)).status_code == 200:
            return attempt
        await asyncio.sleep(0.5)
    raise AssertionError("the token was never accepted")


async def test_healthz_stays_fast_under_a_flood_of_unknown_key_ids(
    database_urls: dict[str, str], key_server: SlowKeyServer
) -> None:
    current = _key("2026-a")
    key_server.keys = [current]
    system = _registry(database_urls, key_server, jwks_refresh_seconds=REFRESH)
    try:
        async with httpx.AsyncClient(base_url=system.urls["registry"], timeout=30) as client:
            await _until_accepted(client, current.token())
            await asyncio.sleep(REFRESH)  # so the flood may start one fetch, and only one
            fetches_before = key_server.fetches
            forged = [_key(f"forged-{i}").token() for i in range(3)]
            flood = [
                _timed(client, "/v1/whoami", headers=forged[i % len(forged)]) for i in range(30)
            ]
            health = [_timed(client, "/healthz") for _ in range(5)]
            results = await asyncio.gather(*flood, *health)
        flood_results, health_results = results[: len(flood)], results[len(flood) :]
        assert {status for status, _ in flood_results} == {401}
        assert {status for status, _ in health_results} == {200}
        # Blocking the event loop would hold /healthz for a key server's answer (or many).
        assert max(seconds for _, seconds in health_results) < FAST
        # The whole flood asked the key server once ...
        assert key_server.fetches - fetches_before == 1
        # ... and at most the one request that started that fetch waited for it.
        waited = [s for _, s in flood_results if s >= FAST]
        assert len(waited) <= 1
    finally:
        system.stop("registry")


async def test_a_rotated_key_is_picked_up_and_a_retired_one_refused(
    database_urls: dict[str, str], key_server: SlowKeyServer
) -> None:
    old, new = _key("2026-a"), _key("2026-b")
    key_server.keys = [old]
    system = _registry(database_urls, key_server, jwks_refresh_seconds=1, jwks_cache_seconds=1)
    try:
        async with httpx.AsyncClient(base_url=system.urls["registry"], timeout=30) as client:
            await _until_accepted(client, old.token())
            refused = await client.get("/v1/whoami", headers=new.token())
            assert refused.status_code == 401  # not published yet
            key_server.keys = [old, new]  # the identity provider rotates
            await asyncio.sleep(1.1)
            assert await _until_accepted(client, new.token()) <= 2
            whoami = await client.get("/v1/whoami", headers=new.token("registrar-2"))
            assert whoami.json()["subject"] == "registrar-2"

            key_server.keys = [new]  # ... and later retires the old key
            await asyncio.sleep(1.1)
            # Cached keys keep answering while the stale set is re-fetched in the background.
            status, seconds = await _timed(client, "/v1/whoami", headers=old.token())
            assert status == 200 and seconds < FAST
            await asyncio.sleep(KEY_SERVER_DELAY + 0.5)
            assert (await client.get("/v1/whoami", headers=old.token())).status_code == 401
            assert (await client.get("/v1/whoami", headers=new.token())).status_code == 200
    finally:
        system.stop("registry")
