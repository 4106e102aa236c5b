"""FastAPI dependencies: who is calling, and may they do this?

Routers declare what they admit with ``require(...)``; anything without a
valid bearer token is a 401 before a handler runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.claims import InvalidToken
from shared.auth.keys import KeyStore
from shared.auth.principal import Principal, Role
from shared.auth.tokens import verify_token
from shared.errors import Forbidden, Unauthorized
from shared.settings import AuthSettings

_bearer = HTTPBearer(auto_error=False, description="A token from `migreg token`")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("A bearer token is required.", headers=_CHALLENGE)
    settings: AuthSettings = request.app.state.settings.auth
    keys: KeyStore = request.app.state.key_store
    try:
        principal = await verify_token(credentials.credentials, settings, keys)
    except InvalidToken as exc:
        raise Unauthorized(f"The token is not valid: {exc}", headers=_CHALLENGE) from exc
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require(
    *roles: Role, scopes: tuple[str, ...] = ()
) -> Callable[[Principal], Awaitable[Principal]]:
    """Admit callers holding any of ``roles``, or a service token with any of ``scopes``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.has_role(*roles) or (scopes and principal.has_scope(*scopes)):
            return principal
        wanted = ", ".join([*(r.value for r in roles), *(f"scope {s}" for s in scopes)])
        raise Forbidden(f"This needs one of: {wanted}.")

    # Read by shared.openapi to say in each operation's description who may call it.
    check.admits = (tuple(roles), tuple(scopes))  # type: ignore[attr-defined]
    return check
