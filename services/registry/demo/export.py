"""Write a synthetic population as the CSV files ``migreg import`` reads.

Three files, one row per record, headers named like the API's request
fields so the import needs no mapping: ``persons.csv`` (the person body),
``family_members.csv`` (the family member body plus ``person_pin``; a minor's
``caregiver_number`` points at another member of the same person by its
``member_number``) and ``movements.csv`` (``person_pin``, ``kind`` and the
departure or return fields, oldest first).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.registry.demo.synthetic import DemoPerson, iter_people

PERSON_HEADER = (
    "pin",
    "last_name",
    "first_name",
    "patronymic",
    "last_name_latin",
    "first_name_latin",
    "sex",
    "birth_date",
    "phone",
    "region",
    "locality",
    "language",
)
FAMILY_HEADER = (
    "person_pin",
    "member_number",
    "relation",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "pin",
    "phone",
    "language",
    "sms_consent",
    "caregiver_number",
)
MOVEMENT_HEADER = (
    "person_pin",
    "kind",
    "date",
    "destination_country",
    "destination_city",
    "purpose",
    "employer",
    "sector",
    "occupation",
    "reason",
)


@dataclass
class Written:
    persons: int = 0
    family_members: int = 0
    movements: int = 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def person_row(p: DemoPerson) -> list[str]:
    return [_cell(getattr(p, name)) for name in PERSON_HEADER]


def family_rows(p: DemoPerson) -> list[list[str]]:
    rows = []
    for number, m in enumerate(p.family, start=1):
        caregiver = m.caregiver_index + 1 if m.caregiver_index is not None else None
        values = (
            p.pin,
            number,
            m.relation,
            m.last_name,
            m.first_name,
            m.birth_date,
            m.sex,
            m.pin,
            m.phone,
            m.language,
            m.sms_consent,
            caregiver,
        )
        rows.append([_cell(v) for v in values])
    return rows


def movement_rows(p: DemoPerson) -> list[list[str]]:
    return [
        [
            _cell(v)
            for v in (
                p.pin,
                m.kind,
                m.date,
                m.destination_country,
                m.destination_city,
                m.purpose,
                m.employer,
                m.sector,
                m.occupation,
                m.reason,
            )
        ]
        for m in p.movements
    ]


def write_country(out: Path, persons: int, seed: int, progress: Any = None) -> Written:
    """Generate ``persons`` people with ``seed`` into three CSV files under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = Written()
    with (
        (out / "persons.csv").open("w", newline="", encoding="utf-8") as pf,
        (out / "family_members.csv").open("w", newline="", encoding="utf-8") as ff,
        (out / "movements.csv").open("w", newline="", encoding="utf-8") as mf,
    ):
        pw, fw, mw = csv.writer(pf), csv.writer(ff), csv.writer(mf)
        pw.writerow(PERSON_HEADER)
        fw.writerow(FAMILY_HEADER)
        mw.writerow(MOVEMENT_HEADER)
        for person in iter_people(persons, seed):
            pw.writerow(person_row(person))
            family = family_rows(person)
            moves = movement_rows(person)
            fw.writerows(family)
            mw.writerows(moves)
            written.persons += 1
            written.family_members += len(family)
            written.movements += len(moves)
            if progress is not None:
                progress(1)
    return written
