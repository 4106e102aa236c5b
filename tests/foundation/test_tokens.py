"""Token verification: RS256 with rotated keys (PEM and JWKS), HS256 only with
the development secret, and the algorithm-confusion attack refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

from shared.auth.claims import InvalidToken
from shared.auth.keys import KeyStore
from shared.auth.tokens import issue_token, verify_token
from shared.settings import AuthSettings


def _keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[str, str]]:
    return {"2026-a": _keypair(), "2026-b": _keypair()}


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


async def _verify(token: str, settings: AuthSettings) -> Any:
    return await verify_token(token, settings, KeyStore(settings))


async def test_rs256_tokens_verify_with_either_rotated_key(
    keys: dict[str, tuple[str, str]],
) -> None:
    settings = AuthSettings(public_keys_pem={kid: pub for kid, (_, pub) in keys.items()})
    for kid, (private, _) in keys.items():
        token = issue_token(
            settings,
            subject="officer-1",
            roles=["consular_officer"],
            consulate="RU-MOW",
            private_key_pem=private,
            kid=kid,
        )
        principal = await _verify(token, settings)
        assert principal.subject == "officer-1"
        assert principal.consulate == "RU-MOW"


async def test_a_retired_key_is_refused(keys: dict[str, tuple[str, str]]) -> None:
    private_a, _ = keys["2026-a"]
    settings = AuthSettings(public_keys_pem={"2026-b": keys["2026-b"][1]})
    token = issue_token(
        settings, subject="x", roles=["admin"], private_key_pem=private_a, kid="2026-a"
    )
    with pytest.raises(InvalidToken):
        await _verify(token, settings)


async def test_hmac_signed_with_the_public_key_is_refused(keys: dict[str, tuple[str, str]]) -> None:
    _, public = keys["2026-a"]
    settings = AuthSettings(public_keys_pem={"2026-a": public})  # no dev secret
    claims = {
        "sub": "x",
        "roles": ["admin"],
        "iss": settings.issuer,
        "aud": settings.audience,
        "exp": 9999999999,
    }
    signing_input = f"{_b64({'alg': 'HS256', 'kid': '2026-a'})}.{_b64(claims)}"
    signature = hmac.new(public.encode(), signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken, match="not accepted"):
        await _verify(forged, settings)


async def test_hs256_needs_the_development_secret() -> None:
    dev = AuthSettings(dev_secret="s3cret")
    token = issue_token(dev, subject="x", roles=["registrar"])
    assert (await _verify(token, dev)).roles == frozenset({"registrar"})
    with pytest.raises(InvalidToken):
        await _verify(token, AuthSettings())


@pytest.mark.parametrize("claim,value", [("iss", "someone-else"), ("nbf", 9999999999)])
async def test_issuer_and_not_before_are_checked(claim: str, value: object) -> None:
    dev = AuthSettings(dev_secret="s3cret")
    now = int(time.time())
    claims = {
        "sub": "x",
        "roles": ["admin"],
        "iss": dev.issuer,
        "aud": dev.audience,
        "iat": now,
        "exp": now + 600,
        claim: value,
    }
    with pytest.raises(InvalidToken):
        await _verify(jwt.encode(claims, "s3cret", algorithm="HS256"), dev)


async def test_a_token_without_expiry_is_refused() -> None:
    dev = AuthSettings(dev_secret="s3cret")
    claims = {
        "sub": "x",
        "roles": ["admin"],
        "iss": dev.issuer,
        "aud": dev.audience,
        "iat": int(time.time()),
    }
    with pytest.raises(InvalidToken):
        await _verify(jwt.encode(claims, "s3cret", algorithm="HS256"), dev)


@pytest.fixture
def jwks_server(keys: dict[str, tuple[str, str]]) -> Iterator[str]:
    document = {
        "keys": [
            dict(jwk.construct(pub, "RS256").to_dict(), kid=kid, use="sig")
            for kid, (_, pub) in keys.items()
        ]
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


async def test_rs256_keys_from_a_jwks_url(
    keys: dict[str, tuple[str, str]], jwks_server: str
) -> None:
    settings = AuthSettings(jwks_url=jwks_server)
    store = KeyStore(settings)
    for kid, (private, _) in keys.items():
        token = issue_token(
            settings,
            subject="svc",
            roles=["service"],
            scopes=["registry:read"],
            private_key_pem=private,
            kid=kid,
        )
        assert (await verify_token(token, settings, store)).scopes == frozenset({"registry:read"})


@pytest.mark.parametrize("algorithm", ["none", "ES256", "PS256", "RS512", "HS512"])
async def test_only_rs256_and_development_hs256_are_accepted(algorithm: str) -> None:
    dev = AuthSettings(dev_secret="s3cret")
    now = int(time.time())
    claims = {"sub": "x", "iss": dev.issuer, "aud": dev.audience, "iat": now, "exp": now + 60}
    forged = f"{_b64({'alg': algorithm, 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"
    with pytest.raises(InvalidToken, match="not accepted"):
        await _verify(forged, dev)


async def test_a_service_signs_its_own_short_lived_tokens_in_production(
    keys: dict[str, tuple[str, str]], tmp_path: Any
) -> None:
    # No development secret and no pre-issued token: the service signs with its
    # own key, and a peer that trusts the public half under that kid accepts it.
    from shared.http import service_token
    from shared.settings import ServiceSettings

    private, public = keys["2026-a"]
    key_file = tmp_path / "consular.pem"
    key_file.write_text(private)
    auth = AuthSettings(public_keys_pem={"svc-consular": public})
    settings = ServiceSettings(auth=auth, service_key_file=key_file, service_key_id="svc-consular")
    token = service_token(settings, "consular", ("registry:read",))
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    principal = await _verify(token, auth)
    assert principal.subject == "service:consular"
    assert principal.has_scope("registry:read")
    claims = jwt.get_unverified_claims(token)
    assert claims["exp"] - claims["iat"] <= auth.max_service_token_seconds
