"""JWT issue and verification, kept behind this one module (python-jose).

Algorithms are allowlisted per key type so ``alg: none`` and HMAC signed with
a public key (the classic confusion attack) are refused: HS256 is accepted only
with the configured development secret, RS256 only with configured RSA keys.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from jose import JWTError, jwk, jwt

from shared.auth.principal import Principal
from shared.settings import AuthSettings

HS_ALGORITHMS = ("HS256",)
RS_ALGORITHMS = ("RS256",)


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


@dataclass
class KeyStore:
    """Verification keys; a JWKS is fetched lazily and cached for rotation."""

    settings: AuthSettings
    _jwks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _fetched_at: float = 0.0

    def rsa_key(self, kid: str | None) -> Any:
        if kid and kid in self.settings.public_keys_pem:
            return self.settings.public_keys_pem[kid]
        if self.settings.jwks_url:
            key = self._jwks_key(kid)
            if key is not None:
                return key
        if kid is None and len(self.settings.public_keys_pem) == 1:
            return next(iter(self.settings.public_keys_pem.values()))
        raise InvalidToken("unknown signing key")

    def _jwks_key(self, kid: str | None) -> dict[str, Any] | None:
        stale = time.monotonic() - self._fetched_at > self.settings.jwks_cache_seconds
        if stale or (kid and kid not in self._jwks):
            self._refresh_jwks()
        if kid is None and len(self._jwks) == 1:
            return next(iter(self._jwks.values()))
        return self._jwks.get(kid or "")

    def _refresh_jwks(self) -> None:
        assert self.settings.jwks_url
        try:
            document = httpx.get(self.settings.jwks_url, timeout=5.0).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise InvalidToken("signing keys unavailable") from exc
        self._jwks = {k["kid"]: k for k in document.get("keys", []) if "kid" in k}
        self._fetched_at = time.monotonic()


def verify_token(token: str, settings: AuthSettings, keys: KeyStore) -> Principal:
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise InvalidToken("malformed token") from exc
    algorithm = header.get("alg")
    key: Any
    if algorithm in HS_ALGORITHMS and settings.dev_secret:
        key, allowed = settings.dev_secret, HS_ALGORITHMS
    elif algorithm in RS_ALGORITHMS:
        key, allowed = keys.rsa_key(header.get("kid")), RS_ALGORITHMS
        if isinstance(key, dict):
            key = jwk.construct(key, algorithm="RS256")
    else:
        raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=list(allowed),
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require_exp": True, "leeway": settings.leeway_seconds},
        )
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return principal_from_claims(claims)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("token has no subject")
    roles = claims.get("roles", [])
    scope = claims.get("scope", "")
    if not isinstance(roles, list) or not isinstance(scope, str):
        raise InvalidToken("roles must be a list and scope a string")
    return Principal(
        subject=subject,
        roles=frozenset(str(r) for r in roles),
        scopes=frozenset(scope.split()),
        consulate=claims.get("consulate"),
        token_id=claims.get("jti"),
    )


def issue_token(
    settings: AuthSettings,
    *,
    subject: str,
    roles: Iterable[str],
    scopes: Iterable[str] = (),
    consulate: str | None = None,
    ttl_seconds: int = 8 * 3600,
    private_key_pem: str | None = None,
    kid: str | None = None,
) -> str:
    """Sign a token: RS256 with a private key, else HS256 with the dev secret."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted(set(roles)),
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    if scopes:
        claims["scope"] = " ".join(sorted(set(scopes)))
    if consulate:
        claims["consulate"] = consulate
    if private_key_pem:
        headers = {"kid": kid} if kid else None
        return str(jwt.encode(claims, private_key_pem, algorithm="RS256", headers=headers))
    if not settings.dev_secret:
        raise InvalidToken("no development secret configured to sign tokens with")
    return str(jwt.encode(claims, settings.dev_secret, algorithm="HS256"))
