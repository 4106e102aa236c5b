"""Which children left behind are at risk.

The rule (kept simple on purpose, so a registrar can explain it): a family
member is an at-risk child when

- the relation is ``child`` and the child is under 18 today, and
- the registered person (the migrant parent) is ``abroad``, and
- the child's caregiver is missing (none recorded), is a minor, is over 75
  (76 or older today), or is registered as a person who is abroad too (matched
  by PIN) — the "both parents abroad" case when the other parent is a migrant.

The same rule exists twice: in Python for one family (``assess``) and in SQL
for the listing (``at_risk_query``); tests check both on the same families.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from services.registry.families.models import FamilyMember
from services.registry.persons.models import Person

MINOR_AGE = 18
ELDER_AGE = 76  # "over 75"


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def is_minor(born: date, today: date) -> bool:
    return born > years_before(today, MINOR_AGE)


def _is_elder(born: date, today: date) -> bool:
    return born <= years_before(today, ELDER_AGE)


def assess(
    person: Person,
    members: Sequence[FamilyMember],
    pins_abroad: set[str],
    today: date,
) -> dict[object, str | None]:
    """member id → the reason it is at risk, or None."""
    by_id = {m.id: m for m in members}
    result: dict[object, str | None] = {}
    for member in members:
        result[member.id] = None
        if member.relation != "child" or not is_minor(member.birth_date, today):
            continue
        if person.status != "abroad":
            continue
        caregiver = by_id.get(member.caregiver_id) if member.caregiver_id else None
        result[member.id] = caregiver_risk(caregiver, pins_abroad, today)
    return result


def caregiver_risk(
    caregiver: FamilyMember | None, pins_abroad: set[str], today: date
) -> str | None:
    if caregiver is None:
        return "no caregiver recorded"
    if is_minor(caregiver.birth_date, today):
        return "caregiver is a minor"
    if _is_elder(caregiver.birth_date, today):
        return "caregiver is over 75"
    if caregiver.pin and caregiver.pin in pins_abroad:
        return "caregiver is abroad"
    return None


def at_risk_query(today: date) -> Select[FamilyMember, Person, FamilyMember, bool]:
    """At-risk children with their migrant parent, caregiver, and whether it is abroad."""
    caregiver = aliased(FamilyMember)
    caregiver_person = aliased(Person)
    minor_cutoff = years_before(today, MINOR_AGE)
    elder_cutoff = years_before(today, ELDER_AGE)
    abroad = caregiver_person.id.is_not(None)
    return (
        select(FamilyMember, Person, caregiver, abroad)
        .join(Person, Person.id == FamilyMember.person_id)
        .outerjoin(caregiver, caregiver.id == FamilyMember.caregiver_id)
        .outerjoin(
            caregiver_person,
            and_(caregiver_person.pin == caregiver.pin, caregiver_person.status == "abroad"),
        )
        .where(
            FamilyMember.relation == "child",
            FamilyMember.birth_date > minor_cutoff,
            Person.status == "abroad",
            or_(
                caregiver.id.is_(None),
                caregiver.birth_date > minor_cutoff,
                caregiver.birth_date <= elder_cutoff,
                abroad,
            ),
        )
    )
