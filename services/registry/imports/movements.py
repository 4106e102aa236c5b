"""Bulk import of movements: departures and returns of registered people, by PIN.

Each row is ``person_pin``, ``kind`` (departure or return), ``date``, and the
rest of the POST /v1/persons/{id}/departures (or /returns) body; a return's
reason is in ``reason``. The rules are the API's: the body schemas, then
``movements.service.checked_departure`` / ``checked_return`` (not in the
future, not before birth, a destination abroad, a sane contract end), then the
sequence rule (``check_sequence``: start with a departure, alternate, never go
back in time) against what the person already has recorded. A movement
already recorded (same person, kind and date) is "already present", so a
re-run adds nothing twice; each chunk of whole persons commits on its own and
the people's status follows their last movement. Historical movements send no
family SMS and open nothing at the consulates (the API's notices are for
movements as they happen).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from pydantic import BaseModel, ValidationError

from services.registry.audit.bulk import copy_events
from services.registry.imports.chunks import whole_groups
from services.registry.imports.persons import IMPORT_ACTOR, TEXT_CELLS, Actor
from services.registry.imports.report import ImportReport, problems_of
from services.registry.movements.errors import ImpossibleSequence
from services.registry.movements.schemas import DepartureCreate, ReturnCreate
from services.registry.movements.service import (
    Step,
    check_sequence,
    checked_departure,
    checked_return,
)
from services.registry.persons.status import EXPLICIT, status_from_movements
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput

CHUNK = 20_000
COLUMNS = (
    "id",
    "person_id",
    "kind",
    "position",
    "occurred_on",
    "destination_country",
    "destination_city",
    "purpose",
    "employer",
    "sector",
    "occupation",
    "recruitment_agency",
    "contract_end",
    "border_crossing",
    "reason",
    "recorded_by",
)
_BODIES: dict[str, tuple[type[BaseModel], str]] = {
    "departure": (DepartureCreate, "departed_on"),
    "return": (ReturnCreate, "returned_on"),
}
# What a column may hold: the bodies' fields, their date as ``date``.
FIELDS = frozenset({"person_pin", "kind", "date"}).union(
    *(set(model.model_fields) - {day} for model, day in _BODIES.values())
)


@dataclass
class _Row:
    row: int
    raw: dict[str, str]
    kind: str
    body: BaseModel
    on: date


@dataclass
class _Person:
    id: uuid.UUID
    birth_date: date
    status: str
    steps: list[Step] = field(default_factory=list)
    last_position: int = 0


def import_movements(
    conn: psycopg.Connection,
    rows: Iterator[tuple[int, dict[str, str]]],
    settings: RegistrySettings,
    on: date,
    progress: Callable[[int], None] = lambda n: None,
    chunk: int = CHUNK,
    actor: Actor = IMPORT_ACTOR,
) -> ImportReport:
    """Validate and record ``rows`` (file order is each person's order); chunk by chunk."""
    conn.autocommit = True  # each chunk is its own transaction
    report = ImportReport()
    for batch in whole_groups(rows, chunk, "person_pin"):
        parsed = [r for number, raw in batch if (r := _parsed(number, raw, report))]
        with conn.transaction():
            loaded, present = _load(conn, parsed, settings, on, report, actor)
        report.loaded += loaded
        report.already_present += present
        report.rows += len(batch)
        progress(len(batch))
    return report


def _parsed(number: int, raw: dict[str, str], report: ImportReport) -> _Row | None:
    """The row's body checked by the API's schema (field names as the file's columns)."""
    kind = raw.get("kind", "")
    try:
        if not raw.get("person_pin"):
            raise InvalidInput("person_pin", "is required: whose movement this is")
        if kind not in _BODIES:
            raise InvalidInput("kind", "must be departure or return")
        model, date_field = _BODIES[kind]
        body = {k: v for k, v in raw.items() if k not in {"person_pin", "kind", "date"}}
        if "date" in raw:
            body[date_field] = raw["date"]
        data = model.model_validate(body, strict=TEXT_CELLS)
    except (ValidationError, InvalidInput) as exc:
        report.reject(number, raw, _as_columns(problems_of(exc)))
        return None
    return _Row(number, raw, kind, data, getattr(data, date_field))


def _as_columns(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The API's ``departed_on`` / ``returned_on`` is the file's ``date``."""
    dates = {"departed_on", "returned_on"}
    return [("date" if name in dates else name, reason) for name, reason in problems]


def _people(conn: psycopg.Connection, pins: list[str]) -> dict[str, _Person]:
    people = {
        pin: _Person(pid, born, status)
        for pin, pid, born, status in conn.execute(
            "SELECT pin, id, birth_date, status FROM persons WHERE pin = ANY(%s) FOR UPDATE",
            (pins,),
        )
    }
    by_id = {p.id: p for p in people.values()}
    for pid, kind, occurred_on, position, active in conn.execute(
        "SELECT person_id, kind, occurred_on, position, superseded_at IS NULL FROM movements "
        "WHERE person_id = ANY(%s) ORDER BY person_id, position, recorded_at",
        (list(by_id),),
    ):
        person = by_id[pid]
        person.last_position = max(person.last_position, position)
        if active:
            person.steps.append(Step(kind, occurred_on))
    return people


def _load(
    conn: psycopg.Connection,
    parsed: list[_Row],
    settings: RegistrySettings,
    on: date,
    report: ImportReport,
    actor: Actor,
) -> tuple[int, int]:
    """(loaded, already present) of one chunk, in the caller's transaction."""
    people = _people(conn, list({r.raw["person_pin"] for r in parsed}))
    written: list[tuple[Any, ...]] = []
    touched: dict[uuid.UUID, _Person] = {}
    present = 0
    for r in parsed:
        person = people.get(r.raw["person_pin"])
        if person is None:
            report.reject(r.row, r.raw, [("person_pin", "no person has this PIN")])
            continue
        if Step(r.kind, r.on) in person.steps:
            present += 1
            continue
        values = _checked(r, person, settings, on, report)
        if values is None:
            continue
        person.steps.append(Step(r.kind, r.on))
        person.last_position += 1
        touched[person.id] = person
        row = {**values, "kind": r.kind, "position": person.last_position, "occurred_on": r.on}
        row |= {"id": uuid.uuid4(), "person_id": person.id, "recorded_by": actor["actor"]}
        written.append(tuple(row.get(c) for c in COLUMNS))
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY movements ({', '.join(COLUMNS)}) FROM STDIN") as cp,
    ):
        for line in written:
            cp.write_row(line)
    _refresh_statuses(conn, touched.values())
    copy_events(conn, **actor, resource_type="movement", touched=((w[0], w[1]) for w in written))
    return len(written), present


def _checked(
    r: _Row, person: _Person, settings: RegistrySettings, on: date, report: ImportReport
) -> dict[str, Any] | None:
    """The movement's columns, or None when the API would refuse it (then reported)."""
    try:
        if person.status == "deceased":
            raise ImpossibleSequence("The person is recorded as deceased.")
        if isinstance(r.body, DepartureCreate):
            values = checked_departure(r.body, person.birth_date, settings, on)
        else:
            assert isinstance(r.body, ReturnCreate)
            values = checked_return(r.body, person.birth_date, on)
        check_sequence([*person.steps, Step(r.kind, r.on)])
    except InvalidInput as exc:
        report.reject(r.row, r.raw, _as_columns(problems_of(exc)))
        return None
    except ImpossibleSequence as exc:
        report.reject(r.row, r.raw, [("sequence", exc.detail)])
        return None
    return values


def _refresh_statuses(conn: psycopg.Connection, people: Any) -> None:
    """Each touched person's status follows their last movement (reported ones stay)."""
    changed = [
        (p.id, status_from_movements(p.steps[-1].kind))
        for p in people
        if p.status not in EXPLICIT and p.steps
    ]
    changed = [(pid, status) for pid, status in changed if status]
    if changed:
        conn.execute(
            "UPDATE persons SET status = s.status, version = version + 1, updated_at = now() "
            "FROM unnest(%s::uuid[], %s::text[]) AS s(id, status) "
            "WHERE persons.id = s.id AND persons.status <> s.status",
            ([c[0] for c in changed], [c[1] for c in changed]),
        )
