"""Person rules: registration and reading. Plain functions over a session."""

from __future__ import annotations

import uuid

import phonenumbers
import pycountry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons.errors import PersonNotFound, PinAlreadyRegistered
from services.registry.persons.models import Person
from services.registry.persons.schemas import PersonCreate
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput


def normalize_phone(raw: str, default_region: str, field: str = "phone") -> str:
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(field, f"not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(field, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_region(region: str, country_code: str) -> None:
    subdivision = pycountry.subdivisions.get(code=region)  # type: ignore[no-untyped-call]
    if subdivision is None or subdivision.country_code != country_code:
        raise InvalidInput("region", f"{region!r} is not an ISO 3166-2 region of {country_code}")


async def register_person(
    session: AsyncSession, data: PersonCreate, settings: RegistrySettings
) -> Person:
    check_region(data.region, settings.country_code)
    phone = normalize_phone(data.phone, settings.default_phone_region) if data.phone else None
    existing = await session.scalar(select(Person.id).where(Person.pin == data.pin))
    if existing is not None:
        raise PinAlreadyRegistered(existing)
    person = Person(**data.model_dump(exclude={"phone"}), phone=phone, status="in_country")
    session.add(person)
    await session.flush()
    return person


async def get_person(session: AsyncSession, person_id: uuid.UUID) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise PersonNotFound(person_id)
    return person
