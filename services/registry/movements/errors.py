"""Movement domain errors."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound


class ImpossibleSequence(Conflict):
    slug = "impossible-movement-sequence"
    title = "Impossible sequence of movements"


class MovementNotFound(NotFound):
    slug = "movement-not-found"

    def __init__(self, movement_id: uuid.UUID) -> None:
        super().__init__(f"This person has no movement with id {movement_id}.")


class AlreadySuperseded(Conflict):
    slug = "movement-already-corrected"

    def __init__(self, superseded_by: uuid.UUID | None) -> None:
        super().__init__(
            "This movement was already corrected; correct its replacement instead.",
            extra={"superseded_by": str(superseded_by) if superseded_by else None},
        )
