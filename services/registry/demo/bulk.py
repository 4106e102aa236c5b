"""Bulk loading of synthetic people with COPY (demo data and benchmarks).

This bypasses the API on purpose: it writes the same rows the API would
(persons with their derived status, search keys, family members with
caregivers and consent, movements in sequence) at tens of thousands of
people a second. It writes no audit events: nobody read or changed a record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from services.registry.demo.synthetic import DemoPerson
from services.registry.persons.names import PATRONYMIC_MARK, search_tokens, vocabulary_rows
from services.registry.persons.status import status_from_movements

PERSON_COLUMNS = (
    "id, pin, last_name, first_name, patronymic, last_name_latin, first_name_latin, sex, "
    "birth_date, phone, region, locality, language, status, version, name_tokens"
)
FAMILY_COLUMNS = (
    "id, person_id, relation, last_name, first_name, birth_date, sex, pin, phone, language, "
    "consent_given_at, consent_method, caregiver_id, version"
)
MOVEMENT_COLUMNS = (
    "id, person_id, kind, position, occurred_on, destination_country, destination_city, "
    "purpose, employer, sector, occupation, reason, recorded_by"
)


@dataclass
class LoadCounts:
    persons: int = 0
    family_members: int = 0
    movements: int = 0
    abroad: int = 0


def copy_people(
    conn: psycopg.Connection, people: Iterable[DemoPerson], chunk: int = 5_000
) -> LoadCounts:
    """COPY the people into the registry tables on ``conn`` (the caller commits)."""
    counts = LoadCounts()
    batch: list[DemoPerson] = []
    for person in people:
        batch.append(person)
        if len(batch) == chunk:
            _copy_batch(conn, batch, counts)
            batch = []
    if batch:
        _copy_batch(conn, batch, counts)
    return counts


def _copy_batch(conn: psycopg.Connection, people: list[DemoPerson], counts: LoadCounts) -> None:
    now = datetime.now(UTC)
    person_rows: list[tuple[object, ...]] = []
    tokens: set[str] = set()
    family_rows: list[tuple[object, ...]] = []
    movement_rows: list[tuple[object, ...]] = []
    for person in people:
        pid = uuid.uuid4()
        last_kind = person.movements[-1].kind if person.movements else None
        status = status_from_movements(last_kind)
        names = search_tokens(
            person.last_name,
            person.first_name,
            person.patronymic,
            person.last_name_latin,
            person.first_name_latin,
        )
        tokens.update(t.removeprefix(PATRONYMIC_MARK) for t in names)
        person_rows.append(
            (
                pid,
                person.pin,
                person.last_name,
                person.first_name,
                person.patronymic,
                person.last_name_latin,
                person.first_name_latin,
                person.sex,
                person.birth_date,
                person.phone,
                person.region,
                person.locality,
                person.language,
                status,
                1,
                names,
            )
        )
        family_rows += _family_rows(pid, person, now)
        movement_rows += _movement_rows(pid, person)
        counts.abroad += status == "abroad"
    # A caregiver may come later in the same COPY: foreign keys are checked
    # at the end of the statement, so one COPY per table is enough.
    for table, columns, rows in (
        ("persons", PERSON_COLUMNS, person_rows),
        ("family_members", FAMILY_COLUMNS, family_rows),
        ("movements", MOVEMENT_COLUMNS, movement_rows),
    ):
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    conn.execute(
        "INSERT INTO name_vocabulary (key, token) SELECT * FROM unnest(%s::text[], %s::text[]) "
        "ON CONFLICT DO NOTHING",
        tuple(map(list, zip(*vocabulary_rows(tokens), strict=True))),
    )
    counts.persons += len(person_rows)
    counts.family_members += len(family_rows)
    counts.movements += len(movement_rows)


def _family_rows(pid: uuid.UUID, person: DemoPerson, now: datetime) -> list[tuple[object, ...]]:
    ids = [uuid.uuid4() for _ in person.family]
    rows: list[tuple[object, ...]] = []
    for member_id, member in zip(ids, person.family, strict=True):
        caregiver = ids[member.caregiver_index] if member.caregiver_index is not None else None
        rows.append(
            (
                member_id,
                pid,
                member.relation,
                member.last_name,
                member.first_name,
                member.birth_date,
                member.sex,
                member.pin,
                member.phone,
                member.language,
                now if member.sms_consent else None,
                "in_person" if member.sms_consent else None,
                caregiver,
                1,
            )
        )
    return rows


def _movement_rows(pid: uuid.UUID, person: DemoPerson) -> list[tuple[object, ...]]:
    return [
        (
            uuid.uuid4(),
            pid,
            move.kind,
            position,
            move.date,
            move.destination_country,
            move.destination_city,
            move.purpose,
            move.employer,
            move.sector,
            move.occupation,
            move.reason,
            "synthetic-demo-loader",
        )
        for position, move in enumerate(person.movements, start=1)
    ]
