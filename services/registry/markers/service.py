"""Recording, reading and withdrawing markers, and who may read them (rules only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from services.registry.families import service as families
from services.registry.markers.consular import has_open_case
from services.registry.markers.errors import MarkerAlreadyWithdrawn, MarkerNotFound, NoMarkers
from services.registry.markers.models import Marker
from services.registry.markers.schemas import (
    NO_FAMILY_SMS,
    MarkerCount,
    MarkerCreate,
    MarkerKind,
)
from services.registry.persons.models import Person
from shared.auth.principal import Principal, Role
from shared.disclosure import suppress


async def may_read(state: State, principal: Principal, person_id: uuid.UUID) -> bool:
    """A consular supervisor, or an officer whose consulate has an open case for
    the person. Everyone else (registrars, analysts, auditors, administrators,
    services) reads markers only through the audit trail, if at all."""
    if principal.has_role(Role.consular_supervisor):
        return True
    if principal.has_role(Role.consular_officer) and principal.consulate:
        return await has_open_case(state, principal.consulate, person_id)
    return False


async def readable_person(
    session: AsyncSession, state: State, principal: Principal, person_id: uuid.UUID
) -> Person:
    """The person, for a caller who may read their markers; else the one 404
    that says nothing (unknown person, no right, markers or not)."""
    if not await may_read(state, principal, person_id):
        raise NoMarkers(person_id)
    person = await session.get(Person, person_id)
    if person is None:
        raise NoMarkers(person_id)
    return person


async def record(
    session: AsyncSession, person: Person, body: MarkerCreate, principal: Principal
) -> Marker:
    if body.family_member_id is not None:
        await families.get_member(session, person.id, body.family_member_id)
    marker = Marker(
        id=uuid.uuid4(),
        person_id=person.id,
        family_member_id=body.family_member_id,
        kind=body.kind,
        note=body.note,
        recorded_at=datetime.now(UTC),
        recorded_by=principal.subject,
    )
    session.add(marker)
    await session.flush()
    return marker


async def active(session: AsyncSession, person_id: uuid.UUID) -> Sequence[Marker]:
    return await listed(session, person_id, "active")


async def listed(session: AsyncSession, person_id: uuid.UUID, state: str) -> Sequence[Marker]:
    """The person's markers in ``state`` (active, withdrawn or all), oldest first."""
    query = select(Marker).where(Marker.person_id == person_id)
    if state == "active":
        query = query.where(Marker.withdrawn_at.is_(None))
    elif state == "withdrawn":
        query = query.where(Marker.withdrawn_at.is_not(None))
    query = query.order_by(Marker.recorded_at, Marker.id)
    return (await session.scalars(query)).all()


async def withdraw(
    session: AsyncSession,
    person_id: uuid.UUID,
    marker_id: uuid.UUID,
    reason: str,
    principal: Principal,
) -> Marker:
    marker = await session.get(Marker, marker_id, with_for_update=True)
    if marker is None or marker.person_id != person_id:
        raise MarkerNotFound(marker_id)
    if marker.withdrawn_at is not None:
        raise MarkerAlreadyWithdrawn(marker_id)
    marker.withdrawn_at = datetime.now(UTC)
    marker.withdrawn_by = principal.subject
    marker.withdrawal_reason = reason
    await session.flush()
    return marker


async def protection(session: AsyncSession, person_id: uuid.UUID) -> tuple[bool, bool]:
    """(marked, no family SMS) from the person's own active markers."""
    kinds = {
        MarkerKind(m.kind) for m in await active(session, person_id) if m.family_member_id is None
    }
    return bool(kinds), bool(kinds & NO_FAMILY_SMS)


async def counts(session: AsyncSession, threshold: int) -> list[MarkerCount]:
    """People (migrants or family members) with an active marker, per kind only:
    never crossed with region or anything else, small cells withheld."""
    subject = func.coalesce(Marker.family_member_id, Marker.person_id)
    query = (
        select(Marker.kind, func.count(func.distinct(subject)))
        .where(Marker.withdrawn_at.is_(None))
        .group_by(Marker.kind)
    )
    found = dict((await session.execute(query)).tuples().all())
    cells = [((kind,), found.get(kind.value, 0)) for kind in MarkerKind]
    return [
        MarkerCount(kind=kind, count=shown, suppressed=shown is None)
        for kind, shown in zip(MarkerKind, suppress(cells, threshold), strict=True)
    ]
