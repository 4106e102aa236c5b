"""Which children left behind are at risk.

The issue's rule: "a minor whose both parents are abroad and whose caregiver
is missing, a minor or over 75 is flagged". As data, a family member is an
at-risk child when all three hold:

1. the relation is ``child`` and the child is under 18 today;
2. both parents are away:
   - the registered person (the migrant parent) has status ``abroad``, and
   - the other parent is away too. The other parent is the family's
     ``spouse`` member. It counts as away when it is itself registered as a
     person (matched by PIN) whose status is ``abroad``, ``missing`` or
     ``deceased``. A family with NO spouse recorded counts the other parent
     as absent: the registry knows of nobody at home who is the child's
     parent, and a false alarm a registrar can clear by recording the spouse
     is better than a child nobody looks at. When several spouses are
     recorded, one at home is enough;
3. the caregiver is unfit: none recorded, a minor, over 75 (76 or older
   today), or itself registered (by PIN) as abroad, missing or deceased.

So a child of a migrant whose mother (a spouse member not registered as
away) is at home is not flagged, whoever the recorded caregiver is.

The same rule exists twice: in Python for one family (``assess``) and in SQL
for the listing (``at_risk_query``); tests check both on the same families.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import Select, and_, exists, not_, or_, select
from sqlalchemy.orm import aliased

from services.registry.clock import years_before
from services.registry.families.models import FamilyMember
from services.registry.persons.models import Person

MINOR_AGE = 18
ELDER_AGE = 76  # "over 75"
# A registered person in one of these is not at home to look after a child.
AWAY_STATUSES = ("abroad", "missing", "deceased")


def is_minor(born: date, today: date) -> bool:
    return born > years_before(today, MINOR_AGE)


def _is_elder(born: date, today: date) -> bool:
    return born <= years_before(today, ELDER_AGE)


def other_parent_away(members: Sequence[FamilyMember], away: Mapping[str, str]) -> bool:
    """No spouse recorded, or every recorded spouse registered as away (by PIN)."""
    return all(m.pin is not None and m.pin in away for m in members if m.relation == "spouse")


def assess(
    person: Person,
    members: Sequence[FamilyMember],
    away: Mapping[str, str],
    today: date,
) -> dict[object, str | None]:
    """member id → the reason it is at risk, or None.

    ``away`` maps the PINs of family members registered as persons who are
    abroad, missing or deceased to that status.
    """
    by_id = {m.id: m for m in members}
    parents_away = person.status == "abroad" and other_parent_away(members, away)
    result: dict[object, str | None] = {}
    for member in members:
        result[member.id] = None
        if member.relation != "child" or not is_minor(member.birth_date, today):
            continue
        if not parents_away:
            continue
        caregiver = by_id.get(member.caregiver_id) if member.caregiver_id else None
        result[member.id] = caregiver_risk(caregiver, away, today)
    return result


def caregiver_risk(
    caregiver: FamilyMember | None, away: Mapping[str, str], today: date
) -> str | None:
    if caregiver is None:
        return "no caregiver recorded"
    if is_minor(caregiver.birth_date, today):
        return "caregiver is a minor"
    if _is_elder(caregiver.birth_date, today):
        return "caregiver is over 75"
    if caregiver.pin and caregiver.pin in away:
        return f"caregiver is {away[caregiver.pin]}"
    return None


def at_risk_query(today: date) -> Select[FamilyMember, Person, FamilyMember, str | None]:
    """At-risk children with their migrant parent, caregiver, and the
    caregiver's away status (abroad/missing/deceased, else None)."""
    caregiver = aliased(FamilyMember)
    caregiver_person = aliased(Person)
    spouse = aliased(FamilyMember)
    spouse_person = aliased(Person)
    minor_cutoff = years_before(today, MINOR_AGE)
    elder_cutoff = years_before(today, ELDER_AGE)
    spouse_at_home = exists(
        select(spouse.id)
        .outerjoin(
            spouse_person,
            and_(spouse_person.pin == spouse.pin, spouse_person.status.in_(AWAY_STATUSES)),
        )
        .where(
            spouse.person_id == Person.id,
            spouse.relation == "spouse",
            spouse_person.id.is_(None),
        )
    )
    return (
        select(FamilyMember, Person, caregiver, caregiver_person.status)
        .join(Person, Person.id == FamilyMember.person_id)
        .outerjoin(caregiver, caregiver.id == FamilyMember.caregiver_id)
        .outerjoin(
            caregiver_person,
            and_(
                caregiver_person.pin == caregiver.pin,
                caregiver_person.status.in_(AWAY_STATUSES),
            ),
        )
        .where(
            FamilyMember.relation == "child",
            FamilyMember.birth_date > minor_cutoff,
            Person.status == "abroad",
            not_(spouse_at_home),
            or_(
                caregiver.id.is_(None),
                caregiver.birth_date > minor_cutoff,
                caregiver.birth_date <= elder_cutoff,
                caregiver_person.id.is_not(None),
            ),
        )
    )
