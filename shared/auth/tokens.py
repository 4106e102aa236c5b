"""JWT issue and verification, kept behind this one module (python-jose).

Algorithms are allowlisted per key type so ``alg: none`` and HMAC signed with
a public key (the classic confusion attack) are refused: HS256 is accepted only
with the configured development secret, RS256 only with configured RSA keys.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from jose import JWTError, jwt

from shared.auth.claims import InvalidToken, max_lifetime, read_claims
from shared.auth.keys import KeyStore
from shared.auth.principal import Principal, Role
from shared.settings import AuthSettings

HS_ALGORITHMS = ("HS256",)
RS_ALGORITHMS = ("RS256",)
_SIGNATURE_ONLY = {
    f"verify_{claim}": False for claim in ("aud", "iss", "exp", "iat", "nbf", "sub", "jti")
}
_DEFAULT_TTL = 8 * 3600


async def verify_token(token: str, settings: AuthSettings, keys: KeyStore) -> Principal:
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise InvalidToken("malformed token") from exc
    algorithm, kid = header.get("alg"), header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidToken("header 'kid': not a string")
    key: Any
    if algorithm in HS_ALGORITHMS and settings.dev_secret:
        key, allowed = settings.dev_secret, HS_ALGORITHMS
    elif algorithm in RS_ALGORITHMS:
        key, allowed = await keys.rsa_key(kid), RS_ALGORITHMS
    else:
        raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
    try:
        # The signature only: every claim is checked once, in ``read_claims``.
        claims = jwt.decode(token, key, algorithms=list(allowed), options=_SIGNATURE_ONLY)
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return read_claims(claims, settings, time.time()).principal()


def issue_token(
    settings: AuthSettings,
    *,
    subject: str,
    roles: Iterable[str],
    scopes: Iterable[str] = (),
    consulate: str | None = None,
    ttl_seconds: int | None = None,
    private_key_pem: str | None = None,
    kid: str | None = None,
) -> str:
    """Sign a token: RS256 with a private key, else HS256 with the dev secret.

    The lifetime defaults to a working day (capped at the longest accepted for these
    roles); a longer one is refused here, as every service would refuse the token.
    """
    known = {Role(role) for role in roles}
    longest = max_lifetime(settings, known)
    if ttl_seconds is None:
        ttl_seconds = min(_DEFAULT_TTL, longest)
    if ttl_seconds > longest:
        raise ValueError(f"a lifetime over {longest} seconds is not accepted for these roles")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted(role.value for role in known),
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
