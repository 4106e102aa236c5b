"""A token's claims, validated once, in one model, when the token is read.

Everything past authentication trusts these types and sizes: a claim of the wrong
type or size makes the token invalid (401), never an error deeper in (500).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from shared.auth.principal import Principal, Role
from shared.settings import AuthSettings

# Who acted is stored with every change in ``String(200)`` columns.
MAX_SUBJECT = 200
# The shape of a consulate code, RU-MOW style.
CONSULATE_CODE = r"^[A-Z]{2}-[A-Z]{3}$"

# RFC 7519 NumericDate: a JSON number of seconds, never a string or a boolean.
NumericDate = StrictInt | Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_SUBJECT)]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours."""


class TokenClaims(BaseModel):
    """The claims this system reads; other registered claims are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: Text
    iss: Text
    aud: Text | Annotated[list[Text], Field(min_length=1, max_length=10)]
    exp: NumericDate
    iat: NumericDate
    nbf: NumericDate | None = None
    jti: Text | None = None
    roles: Annotated[list[Role], Field(max_length=len(Role))] = []
    scope: Annotated[str, Field(strict=True, max_length=1000)] = ""
    consulate: Annotated[str, Field(strict=True, pattern=CONSULATE_CODE)] | None = None

    def principal(self) -> Principal:
        return Principal(
            subject=self.sub,
            roles=frozenset(self.roles),
            scopes=frozenset(self.scope.split()),
            consulate=self.consulate,
            token_id=self.jti,
        )


def max_lifetime(settings: AuthSettings, roles: frozenset[Role] | set[Role]) -> int:
    """Service tokens live shorter than people's."""
    if Role.service in roles:
        return settings.max_service_token_seconds
    return settings.max_person_token_seconds


def read_claims(raw: dict[str, object], settings: AuthSettings, now: float) -> TokenClaims:
    """Validate the decoded claims: presence, types and sizes, then times and audience."""
    try:
        claims = TokenClaims.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"][:1]) or "claims"
        raise InvalidToken(f"claim {where!r}: {error['msg']}") from exc
    audiences = [claims.aud] if isinstance(claims.aud, str) else claims.aud
    leeway = settings.leeway_seconds
    problems = {
        "iss": (claims.iss != settings.issuer, "not the expected issuer"),
        "aud": (settings.audience not in audiences, "not meant for this system"),
        "exp": (claims.exp < now - leeway, "the token has expired"),
        "nbf": (claims.nbf is not None and claims.nbf > now + leeway, "not valid yet"),
        "iat": (claims.iat > now + leeway, "issued in the future"),
    }
    for name, (failed, why) in problems.items():
        if failed:
            raise InvalidToken(f"claim {name!r}: {why}")
    longest = max_lifetime(settings, set(claims.roles))
    if claims.exp - claims.iat > longest:
        raise InvalidToken(f"lifetime (exp - iat) is longer than {longest} seconds")
    return claims
