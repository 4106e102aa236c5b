"""Movement domain errors."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound


class ImpossibleSequence(Conflict):
    """An impossible sequence of movements (a return before any departure, say): see `detail`."""

    slug = "impossible-movement-sequence"
    title = "Impossible sequence of movements"


class MovementNotFound(NotFound):
    """This person has no movement with this id."""

    slug = "movement-not-found"

    def __init__(self, movement_id: uuid.UUID) -> None:
        super().__init__(f"This person has no movement with id {movement_id}.")


class AlreadySuperseded(Conflict):
    """The movement was already corrected; `superseded_by` names its replacement."""

    slug = "movement-already-corrected"

    def __init__(self, superseded_by: uuid.UUID | None) -> None:
        super().__init__(
            "This movement was already corrected; correct its replacement instead.",
            extra={"superseded_by": str(superseded_by) if superseded_by else None},
        )
