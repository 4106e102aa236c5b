"""The signed-in user, kept in the signed session cookie with the API token.

The cookie is signed (itsdangerous, through Starlette's SessionMiddleware), HttpOnly,
SameSite=Lax and Secure outside localhost; it ends when the token does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

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


def sign_in(request: Request, user: StaffUser) -> None:
    # A fresh session on sign-in (no fixation); the CSRF token changes with it.
    request.session.clear()
    request.session["user"] = {
        "sub": user.subject,
        "name": user.name,
        "roles": sorted(user.roles),
        "consulate": user.consulate,
        "token": user.token,
        "exp": user.expires_at,
    }


def sign_out(request: Request) -> None:
    request.session.clear()


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


def _signed_in(request: Request) -> StaffUser:
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
