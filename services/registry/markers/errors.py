"""Marker domain errors."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound


class NoMarkers(NotFound):
    """The one answer for "nothing to show": an unknown person, or a caller
    who may not read markers, whether or not the person has any."""

    slug = "markers-not-found"

    def __init__(self, person_id: uuid.UUID) -> None:
        super().__init__(f"No markers for person {person_id}.")


class MarkerNotFound(NotFound):
    slug = "marker-not-found"

    def __init__(self, marker_id: uuid.UUID) -> None:
        super().__init__(f"This person has no marker with id {marker_id}.")


class MarkerAlreadyWithdrawn(Conflict):
    slug = "marker-already-withdrawn"

    def __init__(self, marker_id: uuid.UUID) -> None:
        super().__init__(f"Marker {marker_id} was already withdrawn.")
