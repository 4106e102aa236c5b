"""Who may call what in the consular service, and who sees which consulate's cases.

Officers work only their own consulate's cases; a case elsewhere is reported as not found
(404, never 403) so its existence does not leak. Supervisors see and change every case;
administrators read every case but do not work them. Analysts never see cases.

Reads never write: only ``CaseWorker`` and ``Supervisor`` (routes that change a case and
name the caller as its actor) remember the officer, so colleagues can assign cases to them.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real
# ``Depends(check)`` of the dependency made in ``_working``.
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from services.consular.cases.officers import record_officer
from services.consular.clock import Now
from shared.auth.dependencies import CurrentPrincipal, require
from shared.auth.principal import Principal, Role
from shared.db import DbSession
from shared.errors import Forbidden


def is_supervisor(principal: Principal) -> bool:
    return principal.has_role(Role.consular_supervisor)


def sees_all(principal: Principal) -> bool:
    return principal.has_role(Role.consular_supervisor, Role.admin)


def own_consulate(principal: Principal) -> str | None:
    """The one consulate this caller is confined to, or None for all of them."""
    if sees_all(principal):
        return None
    if not principal.consulate:
        raise Forbidden("Your token names no consulate, so you cannot work consular cases.")
    return principal.consulate


def _working(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Admit ``roles`` to change cases, remembering the officer who does."""
    check = require(*roles)

    async def dependency(
        principal: Annotated[Principal, Depends(check)], session: DbSession, now: Now
    ) -> Principal:
        await record_officer(session, principal, now)
        return principal

    return dependency


# Any authenticated caller (consulate contacts are public information).
Anyone = CurrentPrincipal
CaseReader = Annotated[
    Principal, Depends(require(Role.consular_officer, Role.consular_supervisor, Role.admin))
]
CaseWorker = Annotated[
    Principal, Depends(_working(Role.consular_officer, Role.consular_supervisor))
]
Supervisor = Annotated[Principal, Depends(_working(Role.consular_supervisor))]
# The family status query (a service with ``cases:status``) and headquarters' overview.
StatusReader = Annotated[
    Principal,
    Depends(require(Role.consular_supervisor, Role.admin, scopes=("cases:status",))),
]
# The registry asking whether an officer's consulate has an open case for a person
# (before showing them restricted markers): its service token only.
OpenCaseChecker = Annotated[Principal, Depends(require(scopes=("cases:open-for-person",)))]
Overseer = Annotated[Principal, Depends(require(Role.consular_supervisor, Role.admin))]
StatisticsReader = Annotated[
    Principal, Depends(require(Role.analyst, Role.consular_supervisor, Role.admin))
]
Admin = Annotated[Principal, Depends(require(Role.admin))]
# The registry reporting a person's return (a service with ``cases:events``).
EventSource = Annotated[
    Principal, Depends(require(Role.consular_supervisor, scopes=("cases:events",)))
]
