"""A person's status: derived from movements unless set explicitly.

``deceased`` and ``missing`` are facts reported about a person (status
events); ``found`` ends ``missing``. Otherwise the status follows the active
(not superseded) movements: none → in_country, last a departure → abroad,
last a return → returned.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.movements.models import Movement
from services.registry.persons.models import Person

EXPLICIT = frozenset({"deceased", "missing"})


def status_from_movements(last_kind: str | None) -> str:
    if last_kind is None:
        return "in_country"
    return "abroad" if last_kind == "departure" else "returned"


def settle_status(person: Person, last_kind: str | None) -> None:
    """The derived status, given the kind of the newest active movement (explicit ones stay)."""
    if person.status not in EXPLICIT:
        person.status = status_from_movements(last_kind)


async def refresh_status(session: AsyncSession, person: Person) -> None:
    """Recompute a derived status after movements changed (explicit ones stay)."""
    if person.status in EXPLICIT:
        return
    last_kind = await session.scalar(
        select(Movement.kind)
        .where(Movement.person_id == person.id, Movement.superseded_at.is_(None))
        .order_by(Movement.position.desc())
        .limit(1)
    )
    settle_status(person, last_kind)
