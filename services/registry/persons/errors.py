"""Person domain errors (each maps to one problem+json)."""

from __future__ import annotations

import uuid

from services.registry.audit.service import person
from shared.errors import Conflict, NotFound


class PersonNotFound(NotFound):
    """No person with this id."""

    slug = "person-not-found"

    def __init__(self, person_id: uuid.UUID) -> None:
        super().__init__(f"No person with id {person_id}.")


class PinAlreadyRegistered(Conflict):
    """A person with this PIN is already registered; `id` names them."""

    slug = "pin-already-registered"

    def __init__(self, existing_id: uuid.UUID) -> None:
        super().__init__(
            "A person with this PIN is already registered.", extra={"id": str(existing_id)}
        )
        # The answer tells who holds the PIN: the route's audit declaration
        # records that as a read of the person.
        self.reveals = (person(existing_id),)


class StatusConflict(Conflict):
    """Not possible from the person's current status."""

    slug = "status-conflict"
