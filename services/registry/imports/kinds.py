"""The kinds of list ``migreg import`` and ``POST /v1/imports`` load: each one's loader
and the fields a column (or a mapping's target) may hold, named once for both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.registry.imports import family, movements, persons
from services.registry.imports.report import ImportReport


@dataclass(frozen=True)
class Kind:
    load: Callable[..., ImportReport]
    fields: frozenset[str]


KINDS: dict[str, Kind] = {
    "persons": Kind(persons.import_persons, persons.FIELDS),
    "family-members": Kind(family.import_family_members, family.FIELDS),
    "movements": Kind(movements.import_movements, movements.FIELDS),
}
