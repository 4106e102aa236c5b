"""Marker domain errors."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound


class NoMarkers(NotFound):
    """No markers you may read: the one answer for an unknown person and for a
    caller without the need, whether or not the person has markers."""

    slug = "markers-not-found"

    def __init__(self, person_id: uuid.UUID) -> None:
        super().__init__(f"No markers for person {person_id}.")


class MarkerNotFound(NotFound):
    """The person has no marker with this id."""

    slug = "marker-not-found"

    def __init__(self, marker_id: uuid.UUID) -> None:
        super().__init__(f"This person has no marker with id {marker_id}.")


class MarkerAlreadyWithdrawn(Conflict):
    """The marker was already withdrawn."""

    slug = "marker-already-withdrawn"

    def __init__(self, marker_id: uuid.UUID) -> None:
        super().__init__(f"Marker {marker_id} was already withdrawn.")
