"""Movement rules: an alternating, dated sequence of departures and returns.

The sequence is the person's active (not superseded) movements in position
order. It must start with a departure, alternate, and never go back in time;
anything else is refused with a 409 that says why. Corrections supersede a
row (kept, with who, when and why) and the whole sequence is re-checked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pycountry
from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.clock import today, years_after
from services.registry.movements.errors import (
    AlreadySuperseded,
    ImpossibleSequence,
    MovementNotFound,
)
from services.registry.movements.models import Movement
from services.registry.movements.schemas import (
    DepartureCreate,
    MovementCorrection,
    MovementOut,
    ReturnCreate,
)
from services.registry.notices import service as notices
from services.registry.persons.models import Person
from services.registry.persons.status import refresh_status, settle_status
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput

# A labour contract runs a few years; a contract end further out is a typing slip.
MAX_CONTRACT_YEARS = 10

DEPARTURE_FIELDS = (
    "destination_country",
    "destination_city",
    "purpose",
    "employer",
    "sector",
    "occupation",
    "recruitment_agency",
    "contract_end",
)


@dataclass(frozen=True)
class Step:
    kind: str
    on: date


def check_sequence(steps: list[Step], previous: Step | None = None) -> None:
    """Raise ImpossibleSequence naming the first step that cannot follow
    (``previous``: the step before them, if any)."""
    for step in steps:
        if previous is None and step.kind == "return":
            raise ImpossibleSequence(
                f"A return on {step.on} with no departure before it: the person is not abroad."
            )
        if previous is not None and previous.kind == step.kind == "departure":
            raise ImpossibleSequence(
                f"A second departure on {step.on} while abroad: the person left on "
                f"{previous.on} and has no return recorded since."
            )
        if previous is not None and previous.kind == step.kind == "return":
            raise ImpossibleSequence(
                f"A return on {step.on} with no departure since the return on {previous.on}."
            )
        if previous is not None and step.on < previous.on:
            raise ImpossibleSequence(
                f"The {step.kind} on {step.on} is dated before the previous movement "
                f"({previous.kind} on {previous.on})."
            )
        previous = step


def to_out(movement: Movement) -> MovementOut:
    return MovementOut(
        id=movement.id,
        person_id=movement.person_id,
        kind=movement.kind,
        date=movement.occurred_on,
        destination_country=movement.destination_country,
        destination_city=movement.destination_city,
        purpose=movement.purpose,
        employer=movement.employer,
        sector=movement.sector,
        occupation=movement.occupation,
        recruitment_agency=movement.recruitment_agency,
        contract_end=movement.contract_end,
        border_crossing=movement.border_crossing,
        reason=movement.reason,
        recorded_by=movement.recorded_by,
        recorded_at=movement.recorded_at,
        corrects=movement.corrects,
        superseded=movement.superseded_at is not None,
        superseded_by=movement.superseded_by,
        superseded_at=movement.superseded_at,
        superseded_reason=movement.superseded_reason,
        superseded_by_actor=movement.superseded_by_actor,
    )


async def list_movements(
    session: AsyncSession, person_id: uuid.UUID, include_superseded: bool = False
) -> list[Movement]:
    query = select(Movement).where(Movement.person_id == person_id)
    if not include_superseded:
        query = query.where(Movement.superseded_at.is_(None))
    query = query.order_by(Movement.position, Movement.recorded_at)
    return list((await session.scalars(query)).all())


def _check_date(person: Person, on: date, field: str, today: date) -> None:
    check_date(person.birth_date, on, field, today)


def check_date(birth_date: date, on: date, field: str, today: date) -> None:
    if on > today:
        raise InvalidInput(field, f"{on} is in the future")
    if on < birth_date:
        raise InvalidInput(field, f"{on} is before the person's birth date")


def checked_departure(
    data: DepartureCreate, birth_date: date, settings: RegistrySettings, on: date
) -> dict[str, Any]:
    """A departure's columns once the rules every departure passes hold (the API
    and bulk import both call this; InvalidInput otherwise). ``on``: today."""
    check_date(birth_date, data.departed_on, "departed_on", on)
    values = data.model_dump(exclude={"departed_on"})
    _check_departure_fields(values, settings.country_code, data.departed_on)
    return values


def checked_return(data: ReturnCreate, birth_date: date, on: date) -> dict[str, Any]:
    """A return's columns (see ``checked_departure``)."""
    check_date(birth_date, data.returned_on, "returned_on", on)
    return {"reason": data.reason, "border_crossing": data.border_crossing}


def _check_departure_fields(values: dict[str, Any], home_country: str, on: date) -> None:
    country = values.get("destination_country")
    if country is not None:
        if pycountry.countries.get(alpha_2=country) is None:
            raise InvalidInput("destination_country", f"{country!r} is not an ISO 3166-1 country")
        if country == home_country:
            raise InvalidInput("destination_country", "a departure leaves the home country")
    contract_end = values.get("contract_end")
    if contract_end is not None and contract_end < on:
        raise InvalidInput("contract_end", "is before the departure date")
    if contract_end is not None and contract_end > years_after(on, MAX_CONTRACT_YEARS):
        raise InvalidInput(
            "contract_end", f"is more than {MAX_CONTRACT_YEARS} years after the departure date"
        )


def _check_alive(person: Person) -> None:
    if person.status == "deceased":
        raise ImpossibleSequence("The person is recorded as deceased.")


def _newest_statement() -> Select[tuple[int | None, str | None, date | None]]:
    person = bindparam("person_id", type_=Movement.person_id.type)
    newest = (
        select(Movement.kind, Movement.occurred_on)
        .where(Movement.person_id == person, Movement.superseded_at.is_(None))
        .order_by(Movement.position.desc())
        .limit(1)
        .subquery()
    )
    highest = (
        select(func.max(Movement.position).label("position"))
        .where(Movement.person_id == person)
        .subquery()
    )
    return select(highest.c.position, newest.c.kind, newest.c.occurred_on).select_from(
        highest.outerjoin(newest, true())
    )


# Built once: composing the statement cost more Python than sending it.
_NEWEST = _newest_statement()


async def _newest(session: AsyncSession, person_id: uuid.UUID) -> tuple[Step | None, int]:
    """The person's newest active movement and the highest position ever used
    (superseded rows included), in one statement."""
    row = (await session.execute(_NEWEST, {"person_id": person_id})).one()
    step = Step(row.kind, row.occurred_on) if row.kind is not None else None
    return step, row.position or 0


async def _append(
    session: AsyncSession, person: Person, kind: str, on: date, values: dict[str, Any], actor: str
) -> Movement:
    _check_alive(person)
    # The active sequence before it was checked whole when each step was
    # recorded or corrected: only the step it follows is left to check.
    newest, last_position = await _newest(session, person.id)
    check_sequence([Step(kind, on)], previous=newest)
    movement = Movement(
        id=uuid.uuid4(),
        person_id=person.id,
        kind=kind,
        position=last_position + 1,
        occurred_on=on,
        recorded_by=actor,
        **values,
    )
    session.add(movement)
    # It is now the newest active movement: the status follows from its kind.
    settle_status(person, kind)
    # The family's SMS (departure) or the consulate's cases (return) hear of it
    # through the outbox, committed with the movement.
    notices.movement_recorded(session, movement)
    await session.flush()
    return movement


async def add_departure(
    session: AsyncSession,
    person: Person,
    data: DepartureCreate,
    actor: str,
    settings: RegistrySettings,
) -> Movement:
    values = checked_departure(data, person.birth_date, settings, today(settings))
    return await _append(session, person, "departure", data.departed_on, values, actor)


async def add_return(
    session: AsyncSession,
    person: Person,
    data: ReturnCreate,
    actor: str,
    settings: RegistrySettings,
) -> Movement:
    values = checked_return(data, person.birth_date, today(settings))
    return await _append(session, person, "return", data.returned_on, values, actor)


async def correct(
    session: AsyncSession,
    person: Person,
    movement_id: uuid.UUID,
    data: MovementCorrection,
    actor: str,
    settings: RegistrySettings,
) -> tuple[Movement, Movement | None]:
    """Supersede a movement; returns (old row, its replacement or None when withdrawn)."""
    old = await session.get(Movement, movement_id)
    if old is None or old.person_id != person.id:
        raise MovementNotFound(movement_id)
    if old.superseded_at is not None:
        raise AlreadySuperseded(old.superseded_by)
    _check_correction_body(data)
    replacement = None if data.withdraw else _corrected_copy(person, old, data, actor, settings)
    active = [m for m in await list_movements(session, person.id) if m.id != old.id]
    if replacement is not None:
        active.append(replacement)
    active.sort(key=lambda m: m.position)
    check_sequence([Step(m.kind, m.occurred_on) for m in active])
    old.superseded_at = datetime.now(UTC)
    old.superseded_reason = data.reason
    old.superseded_by_actor = actor
    if replacement is not None:
        session.add(replacement)
        await session.flush()
        old.superseded_by = replacement.id
    await session.flush()
    await refresh_status(session, person)
    await session.flush()
    return old, replacement


def _check_correction_body(data: MovementCorrection) -> None:
    """A correction either withdraws the row or changes at least one field:
    an empty one would supersede the row with an identical copy."""
    if data.withdraw:
        if data.changes is not None:
            raise InvalidInput("changes", "a withdrawal changes nothing: drop changes or withdraw")
        return
    if data.changes is None or not data.changes.model_fields_set:
        raise InvalidInput("changes", "send at least one changed field, or withdraw: true")


def _corrected_copy(
    person: Person, old: Movement, data: MovementCorrection, actor: str, settings: RegistrySettings
) -> Movement:
    changes = data.changes.model_dump(exclude_unset=True) if data.changes else {}
    if old.kind == "return":
        wrong = sorted(set(changes) & set(DEPARTURE_FIELDS))
        if wrong:
            raise InvalidInput(("changes", wrong[0]), "a return has no such field")
    elif "return_reason" in changes:
        raise InvalidInput(("changes", "return_reason"), "a departure has no return reason")
    for name in ("date", "destination_country", "return_reason"):
        if name in changes and changes[name] is None:
            raise InvalidInput(("changes", name), "cannot be null")
    on = changes.pop("date", old.occurred_on)
    _check_date(person, on, "changes.date", today(settings))
    values = {name: getattr(old, name) for name in (*DEPARTURE_FIELDS, "border_crossing")}
    values["reason"] = changes.pop("return_reason", old.reason)
    values.update(changes)
    if old.kind == "departure":
        _check_departure_fields(values, settings.country_code, on)
    return Movement(
        id=uuid.uuid4(),
        person_id=person.id,
        kind=old.kind,
        position=old.position,
        occurred_on=on,
        recorded_by=actor,
        corrects=old.id,
        **values,
    )
