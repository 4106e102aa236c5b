"""Family rules: members, caregivers, SMS consent, at-risk children, contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.clock import today
from services.registry.families import risk
from services.registry.families.errors import FamilyMemberNotFound, NoConsentToWithdraw
from services.registry.families.models import FamilyMember
from services.registry.families.schemas import (
    AtRiskChild,
    Consent,
    FamilyContact,
    FamilyMemberCreate,
    FamilyMemberOut,
    FamilyMemberUpdate,
)
from services.registry.persons.models import Person
from services.registry.persons.pin import KG_PIN_RULES
from services.registry.persons.service import check_pin, normalize_phone
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput
from shared.pagination import CursorKey, KeyUuid


async def list_members(session: AsyncSession, person_id: uuid.UUID) -> list[FamilyMember]:
    query = (
        select(FamilyMember)
        .where(FamilyMember.person_id == person_id)
        .order_by(FamilyMember.created_at, FamilyMember.id)
    )
    return list((await session.scalars(query)).all())


async def get_member(
    session: AsyncSession, person_id: uuid.UUID, member_id: uuid.UUID, *, lock: bool = False
) -> FamilyMember:
    member = await session.get(FamilyMember, member_id, with_for_update=lock)
    if member is None or member.person_id != person_id:
        raise FamilyMemberNotFound(member_id)
    return member


async def _check_caregiver(
    session: AsyncSession,
    person_id: uuid.UUID,
    caregiver_id: uuid.UUID,
    child_relation: str,
    child_born: date,
    today: date,
    child_id: uuid.UUID | None = None,
) -> None:
    check_may_have_caregiver(child_relation, child_born, today)
    if caregiver_id == child_id:
        raise InvalidInput("caregiver_id", "a child cannot be their own caregiver")
    caregiver = await session.get(FamilyMember, caregiver_id)
    if caregiver is None or caregiver.person_id != person_id:
        raise InvalidInput("caregiver_id", "is not a family member of this person")


def _check_given_at(given_at: datetime) -> None:
    field = "sms_consent_given_at"
    if given_at.tzinfo is None:
        raise InvalidInput(field, "needs a time zone offset")
    # Check the year first: comparing datetimes at the very edge of the
    # calendar overflows.
    if not 2000 <= given_at.year <= 9000 or given_at > datetime.now(UTC):
        raise InvalidInput(field, "is not a plausible time (in the future, or before 2000)")


def _check_birth_date(born: date, today: date) -> None:
    if born > today:
        raise InvalidInput("birth_date", "is in the future")
    # The same floor as a PIN's birth year: earlier is a typing slip.
    if born.year < KG_PIN_RULES.min_birth_year:
        raise InvalidInput("birth_date", f"is before {KG_PIN_RULES.min_birth_year}")


def checked_member(
    data: FamilyMemberCreate, settings: RegistrySettings, on: date
) -> dict[str, Any]:
    """A family member row's values once the rules every new member passes hold
    (the API and bulk import both call this); the caregiver is checked apart."""
    _check_birth_date(data.birth_date, on)
    if data.pin:
        check_pin(data.pin, data.sex, data.birth_date, on)
    phone = normalize_phone(data.phone, settings.default_phone_region) if data.phone else None
    if data.sms_consent and phone is None:
        raise InvalidInput("sms_consent", "SMS consent needs a phone number")
    given_at = (data.sms_consent_given_at or datetime.now(UTC)) if data.sms_consent else None
    if given_at is not None:
        _check_given_at(given_at)
    return {
        "relation": data.relation,
        "last_name": data.last_name,
        "first_name": data.first_name,
        "birth_date": data.birth_date,
        "sex": data.sex,
        "pin": data.pin,
        "phone": phone,
        "language": data.language,
        "consent_given_at": given_at,
        "consent_method": (data.sms_consent_method or "in_person") if data.sms_consent else None,
    }


def check_may_have_caregiver(child_relation: str, child_born: date, on: date) -> None:
    if child_relation != "child" or not risk.is_minor(child_born, on):
        raise InvalidInput("caregiver_id", "only a minor child has a caregiver")


async def add_member(
    session: AsyncSession, person: Person, data: FamilyMemberCreate, settings: RegistrySettings
) -> FamilyMember:
    on = today(settings)
    values = checked_member(data, settings, on)
    if data.caregiver_id:
        await _check_caregiver(
            session, person.id, data.caregiver_id, data.relation, data.birth_date, on
        )
    member = FamilyMember(person_id=person.id, caregiver_id=data.caregiver_id, **values)
    session.add(member)
    await session.flush()
    return member


async def update_member(
    session: AsyncSession,
    member: FamilyMember,
    data: FamilyMemberUpdate,
    settings: RegistrySettings,
) -> FamilyMember:
    changes = data.model_dump(exclude_unset=True)
    if "language" in changes and changes["language"] is None:
        raise InvalidInput("language", "cannot be null")
    if "phone" in changes:
        phone = changes["phone"]
        member.phone = normalize_phone(phone, settings.default_phone_region) if phone else None
    if changes.get("language"):
        member.language = changes["language"]
    if "caregiver_id" in changes:
        if changes["caregiver_id"] is not None:
            await _check_caregiver(
                session,
                member.person_id,
                changes["caregiver_id"],
                member.relation,
                member.birth_date,
                today(settings),
                member.id,
            )
        member.caregiver_id = changes["caregiver_id"]
    if changes.get("sms_consent"):
        member.consent_given_at = datetime.now(UTC)
        member.consent_method = changes.get("sms_consent_method") or "in_person"
        member.consent_withdrawn_at = None
        member.consent_withdrawal_reason = None
    if member.sms_consent and member.phone is None:
        raise InvalidInput("phone", "SMS consent needs a phone number")
    await session.flush()
    return member


async def withdraw_consent(
    session: AsyncSession, member: FamilyMember, reason: str | None
) -> FamilyMember:
    if not member.sms_consent:
        raise NoConsentToWithdraw("This family member has no SMS consent to withdraw.")
    member.consent_withdrawn_at = datetime.now(UTC)
    member.consent_withdrawal_reason = reason
    await session.flush()
    return member


async def away_pins(session: AsyncSession, members: Sequence[FamilyMember]) -> dict[str, str]:
    """PINs of members registered as persons who are abroad, missing or deceased → status."""
    pins = {m.pin for m in members if m.pin}
    if not pins:
        return {}
    rows = await session.execute(
        select(Person.pin, Person.status).where(
            Person.pin.in_(pins), Person.status.in_(risk.AWAY_STATUSES)
        )
    )
    return {pin: status for pin, status in rows.all()}


async def describe(
    session: AsyncSession,
    person: Person,
    members: Sequence[FamilyMember],
    settings: RegistrySettings,
) -> list[FamilyMemberOut]:
    """Members as the API shows them, with minor and at-risk worked out today.

    ``members`` is the whole family: a child's risk depends on its caregiver
    and on the other parent."""
    on = today(settings)
    reasons = risk.assess(person, members, await away_pins(session, members), on)
    return [_out(m, reasons[m.id], on) for m in members]


async def describe_member(
    session: AsyncSession, person: Person, member_id: uuid.UUID, settings: RegistrySettings
) -> FamilyMemberOut:
    """One member as the API shows it (worked out within the whole family)."""
    family = await describe(session, person, await list_members(session, person.id), settings)
    found = next((m for m in family if m.id == member_id), None)
    if found is None:
        raise FamilyMemberNotFound(member_id)
    return found


def _out(member: FamilyMember, reason: str | None, today: date) -> FamilyMemberOut:
    return FamilyMemberOut(
        id=member.id,
        person_id=member.person_id,
        relation=member.relation,
        last_name=member.last_name,
        first_name=member.first_name,
        birth_date=member.birth_date,
        sex=member.sex,
        pin=member.pin,
        phone=member.phone,
        language=member.language,
        sms_consent=member.sms_consent,
        consent=Consent(
            given_at=member.consent_given_at,
            method=member.consent_method,
            withdrawn_at=member.consent_withdrawn_at,
            withdrawal_reason=member.consent_withdrawal_reason,
        ),
        caregiver_id=member.caregiver_id,
        minor=risk.is_minor(member.birth_date, today),
        at_risk=reason is not None,
        at_risk_reason=reason,
        version=member.version,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )


def contacts(members: Sequence[FamilyMember]) -> list[FamilyContact]:
    return [
        FamilyContact(
            family_member_id=m.id,
            relation=m.relation,
            first_name=m.first_name,
            phone=m.phone,
            language=m.language,
        )
        for m in members
        if m.sms_consent and m.phone
    ]


_CURSOR = CursorKey(tuple[KeyUuid])


async def at_risk_children(
    session: AsyncSession, settings: RegistrySettings, limit: int, cursor: str | None
) -> tuple[list[AtRiskChild], str | None]:
    on = today(settings)
    query = risk.at_risk_query(on).order_by(FamilyMember.id).limit(limit + 1)
    if cursor:
        (after,) = _CURSOR.decode(cursor)
        query = query.where(FamilyMember.id > after)
    rows = (await session.execute(query)).all()
    items = []
    for child, person, caregiver, caregiver_away in rows[:limit]:
        away: dict[str, str] = {}
        if caregiver is not None and caregiver.pin and caregiver_away:
            away[caregiver.pin] = caregiver_away
        reason = risk.caregiver_risk(caregiver, away, on) or "caregiver is away"
        items.append(
            AtRiskChild(
                family_member_id=child.id,
                person_id=person.id,
                last_name=child.last_name,
                first_name=child.first_name,
                birth_date=child.birth_date,
                caregiver_id=child.caregiver_id,
                reason=reason,
                person_last_name=person.last_name,
                person_first_name=person.first_name,
                person_region=person.region,
            )
        )
    next_cursor = _CURSOR.encode((rows[limit - 1][0].id,)) if len(rows) > limit else None
    return items, next_cursor
