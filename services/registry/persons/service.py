"""Person rules: registration, reading, updating, status events. Plain functions over a session."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date
from typing import Any

import phonenumbers
import pycountry
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.clock import today
from services.registry.movements.models import Movement
from services.registry.persons.errors import (
    PersonNotFound,
    PinAlreadyRegistered,
    StatusConflict,
)
from services.registry.persons.models import NameVocabulary, Person, StatusEvent
from services.registry.persons.names import PATRONYMIC_MARK, search_tokens, vocabulary_rows
from services.registry.persons.phones import is_valid_number, remembered_valid
from services.registry.persons.pin import PinError, check_pin_matches, disagreements, parse_pin
from services.registry.persons.schemas import (
    NULLABLE_FIELDS,
    PersonCreate,
    PersonUpdate,
    PinCheckIn,
    PinCheckOut,
    PinFactsOut,
    PinProblemOut,
    StatusEventCreate,
)
from services.registry.persons.status import EXPLICIT, refresh_status
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput


def normalize_phone(raw: str, default_region: str, field: str = "phone") -> str:
    if _known_valid_e164(raw, default_region):
        return raw  # already E.164 of the country, of a shape phonenumbers found valid
    try:
        number = _e164_number(raw, default_region) or phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(field, f"not a phone number ({exc})") from exc
    if not is_valid_number(number):
        raise InvalidInput(field, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_E164 = re.compile(r"\+([1-9]\d{0,2})([1-9]\d{5,13})")


def _known_valid_e164(raw: str, default_region: str) -> bool:
    """``raw`` is E.164 of the configured country and ``phones`` remembers its shape as
    valid: then ``format_number(E164)`` gives ``raw`` back (the code and the national
    number both start with a non-zero digit, so they print as they were read)."""
    match = _E164.fullmatch(raw)
    if match is None or int(match[1]) != _country_code(default_region):
        return False
    return remembered_valid(int(match[1]), match[2]) is True


_country_code = functools.cache(phonenumbers.country_code_for_region)


def _e164_number(raw: str, default_region: str) -> phonenumbers.PhoneNumber | None:
    """The number ``phonenumbers.parse`` would read from an E.164 string of the
    configured country, without its generic parsing (a bulk import's phones
    are mostly E.164 already; is_valid_number still decides)."""
    match = _E164.fullmatch(raw)
    code = _country_code(default_region)
    if match is None or int(match[1]) != code:
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(match[2]))


@functools.lru_cache(maxsize=4096)  # a country has a few dozen regions; raising is not cached
def check_region(region: str, country_code: str) -> None:
    subdivision = pycountry.subdivisions.get(code=region)  # type: ignore[no-untyped-call]
    if subdivision is None or subdivision.country_code != country_code:
        raise InvalidInput("region", f"{region!r} is not an ISO 3166-2 region of {country_code}")


def check_pin(pin: str, sex: str | None, birth_date: date, today: date, field: str = "pin") -> None:
    """422 naming both values when the PIN disagrees with sex or birth date.

    ``sex`` may be None (a family member whose sex was not given): then only
    the birth date is compared.
    """
    try:
        own_sex = sex or parse_pin(pin, today=today).sex
        problems = check_pin_matches(pin, own_sex, birth_date, today=today)  # type: ignore[arg-type]
    except PinError as exc:
        raise InvalidInput(field, exc.message) from exc
    if problems:
        raise InvalidInput(field, "; ".join(problems))


def pin_check(data: PinCheckIn, on: date) -> PinCheckOut:
    """What registration would say about this PIN beside this sex and birth date: the
    same rules as :func:`check_pin`, every problem named by its field, nothing saved."""
    try:
        facts, found = disagreements(data.pin, data.sex, data.birth_date, today=on)
    except PinError as exc:
        problem = PinProblemOut(field="pin", reason=exc.message)
        return PinCheckOut(valid=False, agrees=False, encoded=None, problems=[problem])
    return PinCheckOut(
        valid=True,
        agrees=not found,
        encoded=PinFactsOut(sex=facts.sex, birth_date=facts.birth_date),
        problems=[PinProblemOut(field=d.field, reason=d.message) for d in found],
    )


NAME_FIELDS = frozenset(
    {"last_name", "first_name", "patronymic", "last_name_latin", "first_name_latin"}
)


def searchable_names(person: Person) -> tuple[str | None, ...]:
    return (
        person.last_name,
        person.first_name,
        person.patronymic,
        person.last_name_latin,
        person.first_name_latin,
    )


def index_names(person: Person) -> None:
    """Set the person's search tokens (before the flush that writes the person)."""
    person.name_tokens = search_tokens(*searchable_names(person))


async def add_to_vocabulary(session: AsyncSession, person: Person) -> None:
    """Make the person's name tokens findable by misspellings (see ``persons.names``)."""
    tokens = {t.removeprefix(PATRONYMIC_MARK) for t in person.name_tokens}
    # Sorted: two registrations adding the same new name lock keys in one order.
    rows = [{"key": k, "token": t} for k, t in sorted(vocabulary_rows(tokens))]
    if rows:
        await session.execute(pg_insert(NameVocabulary).on_conflict_do_nothing(), rows)


def checked_person(data: PersonCreate, settings: RegistrySettings, on: date) -> dict[str, Any]:
    """The person row a registration writes, once the rules every registration
    passes hold (InvalidInput otherwise)."""
    return checked_person_values(data.model_dump(), settings, on)


def checked_person_values(
    values: dict[str, Any], settings: RegistrySettings, on: date
) -> dict[str, Any]:
    """:func:`checked_person` of a validated ``PersonCreate``'s ``model_dump()``
    (the bulk import validates rows field by field, without the model; see
    ``FieldwiseValidator``). ``values`` is completed in place and returned."""
    check_pin(values["pin"], values["sex"], values["birth_date"], on)
    check_region(values["region"], settings.country_code)
    phone = values["phone"]
    values["phone"] = normalize_phone(phone, settings.default_phone_region) if phone else None
    return values


async def register_person(
    session: AsyncSession, data: PersonCreate, settings: RegistrySettings
) -> Person:
    values = checked_person(data, settings, today(settings))
    await _refuse_taken_pin(session, data.pin)
    person = Person(**values, status="in_country")
    index_names(person)
    await _flush_guarding_pin(session, person, data.pin)
    await add_to_vocabulary(session, person)
    return person


async def _refuse_taken_pin(session: AsyncSession, pin: str) -> None:
    existing = await session.scalar(select(Person.id).where(Person.pin == pin))
    if existing is not None:
        raise PinAlreadyRegistered(existing)


async def _flush_guarding_pin(session: AsyncSession, person: Person, pin: str) -> None:
    """Flush in a savepoint: two registrars registering one PIN at the same
    moment both pass the check above, and the loser gets the 409 with the
    winner's id instead of a 500 from the unique constraint."""
    try:
        async with session.begin_nested():
            session.add(person)
            await session.flush()
    except IntegrityError as exc:
        if "uq_persons_pin" not in str(exc.orig):
            raise
        await _refuse_taken_pin(session, pin)
        raise


async def get_person(session: AsyncSession, person_id: uuid.UUID, *, lock: bool = False) -> Person:
    person = await session.get(Person, person_id, with_for_update=lock)
    if person is None:
        raise PersonNotFound(person_id)
    return person


async def update_person(
    session: AsyncSession, person: Person, data: PersonUpdate, settings: RegistrySettings
) -> Person:
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in NULLABLE_FIELDS:
            raise InvalidInput(name, "cannot be null")
    if "phone" in changes and changes["phone"] is not None:
        changes["phone"] = normalize_phone(changes["phone"], settings.default_phone_region)
    if "region" in changes:
        check_region(changes["region"], settings.country_code)
    if {"pin", "sex", "birth_date"} & changes.keys():
        check_pin(
            changes.get("pin", person.pin),
            changes.get("sex", person.sex),
            changes.get("birth_date", person.birth_date),
            today(settings),
        )
    if changes.get("pin", person.pin) != person.pin:
        await _refuse_taken_pin(session, changes["pin"])
    for name, value in changes.items():
        setattr(person, name, value)
    renamed = bool(changes.keys() & NAME_FIELDS)
    if renamed:
        index_names(person)
    await _flush_guarding_pin(session, person, person.pin)
    if renamed:
        await add_to_vocabulary(session, person)
    return person


def _check_status_transition(person: Person, wanted: str) -> None:
    if person.status == "deceased":
        raise StatusConflict(f"The person is recorded as deceased; {wanted} cannot follow.")
    if wanted == "missing" and person.status == "missing":
        raise StatusConflict("The person is already recorded as missing.")
    if wanted == "found" and person.status != "missing":
        raise StatusConflict(f"Only a missing person can be found; the status is {person.status}.")


async def _check_after_last_movement(
    session: AsyncSession, person: Person, data: StatusEventCreate
) -> None:
    """A person seen crossing a border on a day was alive and not missing before it."""
    last = (
        await session.execute(
            select(Movement.kind, Movement.occurred_on)
            .where(Movement.person_id == person.id, Movement.superseded_at.is_(None))
            .order_by(Movement.position.desc())
            .limit(1)
        )
    ).first()
    if last is not None and data.date < last.occurred_on:
        raise StatusConflict(
            f"{data.status.capitalize()} on {data.date} is dated before the person's last "
            f"recorded movement ({last.kind} on {last.occurred_on})."
        )


async def record_status_event(
    session: AsyncSession,
    person: Person,
    data: StatusEventCreate,
    actor: str,
    settings: RegistrySettings,
) -> StatusEvent:
    if data.date > today(settings):
        raise InvalidInput("date", "is in the future")
    if data.date < person.birth_date:
        raise InvalidInput("date", "is before the person's birth date")
    _check_status_transition(person, data.status)
    if data.status in EXPLICIT:
        await _check_after_last_movement(session, person, data)
    event = StatusEvent(
        person_id=person.id,
        status=data.status,
        occurred_on=data.date,
        source=data.source,
        recorded_by=actor,
    )
    session.add(event)
    if data.status in EXPLICIT:
        person.status, person.status_date, person.status_source = (
            data.status,
            data.date,
            data.source,
        )
    else:  # found: back to what the movements say
        person.status, person.status_date, person.status_source = "in_country", None, None
        await refresh_status(session, person)
    await session.flush()
    return event


async def list_status_events(session: AsyncSession, person_id: uuid.UUID) -> list[StatusEvent]:
    query = (
        select(StatusEvent)
        .where(StatusEvent.person_id == person_id)
        .order_by(StatusEvent.recorded_at, StatusEvent.id)
    )
    return list((await session.scalars(query)).all())
