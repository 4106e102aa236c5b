"""The signed-in user, kept in the signed session cookie with the API token.

The cookie is signed (itsdangerous, through Starlette's SessionMiddleware), HttpOnly,
SameSite=Lax and Secure outside localhost; it ends when the token does. It also
carries a random session id whose record in the server-side store
(``session_store``) must be alive: sign-out ends the record, so a copy of the
cookie taken before sign-out is refused as well.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.console.session_store import SessionStore, new_session_id

STAFF_ROLES = (
    "registrar",
    "consular_officer",
    "consular_supervisor",
    "analyst",
    "auditor",
    "admin",
)


class SignInRequired(Exception):
    """No session, or its token has expired: the user signs in (again)."""


class RoleRequired(Exception):
    """Signed in, but this page is for other roles."""


@dataclass(frozen=True)
class StaffUser:
    subject: str
    name: str
    roles: frozenset[str]
    consulate: str | None
    token: str
    expires_at: int

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role(self) -> str:
        """The role the interface is built around (the first held, in a fixed order)."""
        return next((r for r in STAFF_ROLES if r in self.roles), "")


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.session_store
    return store


async def sign_in(request: Request, user: StaffUser) -> None:
    # A fresh session on sign-in (no fixation); the CSRF token changes with it.
    await sign_out(request)
    session_id = new_session_id()
    await _store(request).add(session_id, user.subject, user.expires_at)
    request.session["sid"] = session_id
    request.session["user"] = {
        "sub": user.subject,
        "name": user.name,
        "roles": sorted(user.roles),
        "consulate": user.consulate,
        "token": user.token,
        "exp": user.expires_at,
    }


async def sign_out(request: Request) -> None:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        await _store(request).end(session_id)
    request.session.clear()


class SessionCheck:
    """ASGI middleware (inside SessionMiddleware): a cookie whose session record has
    ended (signed out, expired, or made before records existed) loses its user."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Static assets need no user: no lookup for them.
        page = scope["type"] == "http" and not scope["path"].startswith("/static/")
        session = scope.get("session") if page else None
        if session and "user" in session:
            store: SessionStore = scope["app"].state.session_store
            session_id = session.get("sid")
            if not isinstance(session_id, str) or not await store.alive(session_id):
                session.clear()
        await self.app(scope, receive, send)


def current_user(request: Request) -> StaffUser | None:
    data: dict[str, Any] | None = request.session.get("user")
    if not data:
        return None
    if int(data["exp"]) <= time.time():
        request.session.clear()
        return None
    return StaffUser(
        subject=data["sub"],
        name=data.get("name") or data["sub"],
        roles=frozenset(data["roles"]),
        consulate=data.get("consulate"),
        token=data["token"],
        expires_at=int(data["exp"]),
    )


async def _signed_in(request: Request) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise SignInRequired
    return user


Staff = Annotated[StaffUser, Depends(_signed_in)]


def roles(*allowed: str) -> Any:
    """A dependency admitting only users holding one of ``allowed`` (navigation hides
    the rest; the services enforce the real rules again with the user's token)."""

    def check(user: Staff) -> StaffUser:
        if not user.has_role(*allowed):
            raise RoleRequired
        return user

    return Depends(check)
