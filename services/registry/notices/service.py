"""Writing a movement's notices in the movement's own transaction, and the family SMS.

A departure asks (through the relay) which consulate covers the destination: the
consular service owns consulates and their hotlines, and asking it at send time means
a hotline changed yesterday is the one the family gets; a synced copy would be a
second owner of the same facts. While consular is down the SMS waits (the departure
itself is recorded at once).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.audit import service as audit_service
from services.registry.families.models import FamilyMember
from services.registry.families.service import contacts, list_members
from services.registry.markers.service import protection
from services.registry.movements.models import Movement
from services.registry.notices.models import OutboxItem
from services.registry.persons.models import Person
from shared.auth.principal import Principal, Role
from shared.countries import country_name
from shared.outbox import enqueue

log = logging.getLogger("migreg.notices")

# Who the audit trail names for the relay's reads of family contacts.
RELAY = Principal(subject="system:outbox-relay", roles=frozenset({Role.service}))


def movement_recorded(session: AsyncSession, movement: Movement) -> None:
    subject = f"person:{movement.person_id}"
    if movement.kind == "departure":
        payload = {
            "person_id": str(movement.person_id),
            "movement_id": str(movement.id),
            "country": movement.destination_country,
            "city": movement.destination_city,
        }
        enqueue(session, OutboxItem, "departure.notify", payload, subject=subject)
    else:
        payload = {
            "person_id": str(movement.person_id),
            "returned_on": movement.occurred_on.isoformat(),
            "reason": movement.reason,
        }
        enqueue(session, OutboxItem, "return.notify", payload, subject=subject)


async def departure_sms(
    session: AsyncSession, payload: dict[str, str | None], hotline: str | None
) -> None:
    """One ``sms.send`` row per consented contact, read now (consent may have changed)."""
    person_id = uuid.UUID(str(payload["person_id"]))
    person = await session.get(Person, person_id)
    if person is None:
        return
    if (await protection(session, person_id))[1]:
        # A trafficking or violence survivor: the family may be part of the harm.
        # The departure notice row stays as the record that one was asked for.
        log.info("departure SMS withheld for movement %s: protected person", payload["movement_id"])
        return
    members: list[FamilyMember] = list(await list_members(session, person_id))
    told = contacts(members)
    await audit_service.record(
        session,
        RELAY,
        "read",
        [audit_service.Touched("family_member", c.family_member_id, person_id) for c in told],
    )
    for contact in told:
        params = {
            "name": person.first_name,
            "country": country_name(str(payload["country"]), contact.language),
        }
        if hotline:
            params["hotline"] = hotline
        body = {
            "to": contact.phone,
            "template": "departure_registered",
            "language": contact.language,
            "params": params,
            "reference": f"movement:{payload['movement_id']}",
        }
        enqueue(session, OutboxItem, "sms.send", body, subject=f"person:{person_id}")
