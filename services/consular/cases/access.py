"""Who may see and change which case (jurisdiction).

Officers work only their own consulate's cases; a case elsewhere is reported as not found
(404, never 403) so its existence does not leak. Supervisors see and change every case;
administrators read every case but do not work them. Analysts never see cases.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real
# ``Depends(check)`` of each dependency made in ``_role_dependency``.
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case, Officer
from services.consular.clock import Now
from shared.auth.dependencies import require
from shared.auth.principal import Principal, Role
from shared.db import DbSession
from shared.errors import Forbidden, NotFound

# Refreshing an officer's last-seen time on every request would write on every read.
_SEEN_GRANULARITY = timedelta(hours=1)
# The shape of a consulate code; a claim of another shape cannot name one of ours.
_CONSULATE_CODE = re.compile(r"^[A-Z]{2}-[A-Z]{3}$")
# Who acted is stored with every change (``String(200)`` columns), so longer subjects
# can read but not work cases.
MAX_SUBJECT = 200


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
    if not _CONSULATE_CODE.fullmatch(principal.consulate):
        raise Forbidden("Your token's consulate claim is not a consulate code (RU-MOW style).")
    return principal.consulate


async def record_officer(session: AsyncSession, principal: Principal, now: datetime) -> None:
    """Remember an officer and their consulate so colleagues can assign cases to them.

    Two statements rather than one upsert: ``ON CONFLICT DO UPDATE ... WHERE`` locks the
    existing row even when it changes nothing, which would queue every request of the
    same officer behind their slowest one (say, an opening waiting on the registry).
    """
    if (
        not principal.has_role(Role.consular_officer)
        or not principal.consulate
        or not _CONSULATE_CODE.fullmatch(principal.consulate)
        or len(principal.subject) > MAX_SUBJECT
    ):
        return  # nobody a colleague could assign a case to
    subject, consulate = principal.subject, principal.consulate
    inserted = await session.execute(
        insert(Officer)
        .values(subject=subject, consulate=consulate, last_seen_at=now)
        .on_conflict_do_nothing()
        .returning(Officer.subject)
    )
    if inserted.first() is not None:
        return
    await session.execute(
        update(Officer)
        .where(
            Officer.subject == subject,
            (Officer.consulate != consulate) | (Officer.last_seen_at < now - _SEEN_GRANULARITY),
        )
        .values(consulate=consulate, last_seen_at=now)
    )


def _role_dependency(
    *roles: str, works: bool = False
) -> Callable[[Principal, AsyncSession, datetime], Awaitable[Principal]]:
    check = require(*roles)

    async def dependency(
        principal: Annotated[Principal, Depends(check)], session: DbSession, now: Now
    ) -> Principal:
        if works and len(principal.subject) > MAX_SUBJECT:
            raise Forbidden(
                f"Your token's subject is longer than {MAX_SUBJECT} characters, "
                "too long to be recorded as who changed a case."
            )
        await record_officer(session, principal, now)
        return principal

    return dependency


CaseReader = Annotated[
    Principal,
    Depends(_role_dependency(Role.consular_officer, Role.consular_supervisor, Role.admin)),
]
CaseWorker = Annotated[
    Principal,
    Depends(_role_dependency(Role.consular_officer, Role.consular_supervisor, works=True)),
]
# The family status query (a service with ``cases:status``) and headquarters' overview.
StatusReader = Annotated[
    Principal,
    Depends(require(Role.consular_supervisor, Role.admin, scopes=("cases:status",))),
]
Overseer = Annotated[Principal, Depends(require(Role.consular_supervisor, Role.admin))]
Supervisor = Annotated[Principal, Depends(_role_dependency(Role.consular_supervisor, works=True))]


async def load_case(
    session: AsyncSession, case_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> Case:
    """The case if this caller may see it; 404 otherwise (locked for writes)."""
    stmt = select(Case).where(Case.id == case_id)
    consulate = own_consulate(principal)
    if consulate is not None:
        stmt = stmt.where(Case.consulate == consulate)
    if for_update:
        stmt = stmt.with_for_update()
    case = await session.scalar(stmt)
    if case is None:
        raise NotFound("No case with this id in your jurisdiction.")
    return case
