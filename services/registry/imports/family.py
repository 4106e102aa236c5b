"""Bulk import of family members: rows keyed by their migrant's PIN.

Each row is the POST /v1/persons/{id}/family-members body plus
``person_pin`` (whose family), and optionally ``member_number`` (the row's
number within that family) and ``caregiver_number`` (for a minor child: the
``member_number`` of who looks after them). The rules are the API's
(``families.service.checked_member``). A member already recorded for the
person (same relation, names and birth date) is skipped, so a re-run adds
nothing twice; each chunk of whole families commits on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from pydantic import ValidationError

from services.registry.audit.bulk import copy_events
from services.registry.families.schemas import FamilyMemberCreate
from services.registry.families.service import check_may_have_caregiver, checked_member
from services.registry.imports.chunks import whole_groups
from services.registry.imports.persons import IMPORT_ACTOR, TEXT_CELLS, Actor
from services.registry.imports.report import ImportReport, problems_of
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput

CHUNK = 20_000
COLUMNS = (
    "id",
    "person_id",
    "relation",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "pin",
    "phone",
    "language",
    "consent_given_at",
    "consent_method",
    "caregiver_id",
    "version",
)
_LINKS = ("person_pin", "member_number", "caregiver_number")
FIELDS = frozenset(FamilyMemberCreate.model_fields).union(_LINKS)  # what a column may hold
Identity = tuple[str, str, str, date]


@dataclass
class _Member:
    row: int
    raw: dict[str, str]
    pin: str
    number: str | None
    caregiver_number: str | None
    values: dict[str, Any]
    id: uuid.UUID | None = None


def import_family_members(
    conn: psycopg.Connection,
    rows: Iterator[tuple[int, dict[str, str]]],
    settings: RegistrySettings,
    on: date,
    progress: Callable[[int], None] = lambda n: None,
    chunk: int = CHUNK,
    actor: Actor = IMPORT_ACTOR,
) -> ImportReport:
    conn.autocommit = True  # each chunk is its own transaction
    report = ImportReport()
    for families in whole_groups(rows, chunk, "person_pin"):
        members = [m for row in families if (m := _validated(*row, settings, on, report))]
        with conn.transaction():
            counts = _load(conn, members, on, report, actor)
        report.loaded += counts[0]
        report.already_present += counts[1]
        report.rows += len(families)
        progress(len(families))
    return report


def _validated(
    number: int, raw: dict[str, str], settings: RegistrySettings, on: date, report: ImportReport
) -> _Member | None:
    body = {k: v for k, v in raw.items() if k not in _LINKS}
    try:
        if not raw.get("person_pin"):
            raise InvalidInput("person_pin", "is required: whose family member this is")
        data = FamilyMemberCreate.model_validate(body, strict=TEXT_CELLS)
        values = checked_member(data, settings, on)
    except (ValidationError, InvalidInput) as exc:
        report.reject(number, raw, problems_of(exc))
        return None
    return _Member(
        number,
        raw,
        raw["person_pin"],
        raw.get("member_number"),
        raw.get("caregiver_number"),
        values,
    )


def _identity(values: dict[str, Any]) -> Identity:
    return (values["relation"], values["last_name"], values["first_name"], values["birth_date"])


def _load(
    conn: psycopg.Connection, members: list[_Member], on: date, report: ImportReport, actor: Actor
) -> tuple[int, int]:
    """(loaded, already present) of one chunk, in the caller's transaction."""
    pins = list({m.pin for m in members})
    people: dict[str, uuid.UUID] = dict(
        conn.execute("SELECT pin, id FROM persons WHERE pin = ANY(%s)", (pins,)).fetchall()
    )
    known: dict[tuple[uuid.UUID, Identity], uuid.UUID] = {
        (pid, (rel, last, first, born)): mid
        for mid, pid, rel, last, first, born in conn.execute(
            "SELECT id, person_id, relation, last_name, first_name, birth_date "
            "FROM family_members WHERE person_id = ANY(%s)",
            (list(people.values()),),
        )
    }
    fresh: list[tuple[uuid.UUID, _Member]] = []
    present = 0
    by_number: dict[tuple[str, str], _Member] = {}
    for m in members:
        person_id = people.get(m.pin)
        if person_id is None:
            report.reject(m.row, m.raw, [("person_pin", "no person has this PIN")])
            continue
        existing = known.get((person_id, _identity(m.values)))
        m.id = existing or uuid.uuid4()
        if m.number:
            by_number[(m.pin, m.number)] = m
        if existing:
            present += 1
        else:
            fresh.append((person_id, m))
    rows = []
    for person_id, m in fresh:
        caregiver = _caregiver(m, by_number, on, report)
        if caregiver is not False:
            rows.append((m.id, person_id, *(m.values[c] for c in COLUMNS[2:12]), caregiver, 1))
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY family_members ({', '.join(COLUMNS)}) FROM STDIN") as cp,
    ):
        for row in rows:
            cp.write_row(row)
    written = ((row[0], row[1]) for row in rows)  # (member id, person id)
    copy_events(conn, **actor, resource_type="family_member", touched=written)
    return len(rows), present


def _caregiver(
    m: _Member, by_number: dict[tuple[str, str], _Member], on: date, report: ImportReport
) -> uuid.UUID | bool | None:
    """The caregiver's id, None for none, False when the row is rejected."""
    if not m.caregiver_number:
        return None
    caregiver = by_number.get((m.pin, m.caregiver_number))
    try:
        check_may_have_caregiver(m.values["relation"], m.values["birth_date"], on)
        if caregiver is None or caregiver is m:
            raise InvalidInput("caregiver_number", "is not another member of this family")
    except InvalidInput as exc:
        report.reject(m.row, m.raw, problems_of(exc))
        return False
    return caregiver.id
