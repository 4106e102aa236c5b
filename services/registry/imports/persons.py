"""Bulk import of people: the API's rules row by row, then COPY in chunks.

Each row goes through the request schema (``PersonCreate``, field by field:
``shared.schemas.FieldwiseValidator``) and the rules every registration
passes (``persons.service.checked_person_values``): one set of rules for the
API and the import. Valid rows are written a chunk at a time,
each chunk in its own transaction, straight into ``persons`` with COPY.
A PIN already in the registry is skipped ("already present"), so a re-run of
the same file adds nothing twice and an interrupted run, run again, ends
complete. The same PIN with other names or birth date is rejected (the API's
409), and two rows or records that look like one person under different PINs
(same birth date, same names up to transliteration) are listed for review.
"""

from __future__ import annotations

import functools
import gc
import getpass
import operator
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from itertools import islice
from typing import Any, NamedTuple

import psycopg
from pydantic import ValidationError

from services.registry.audit.bulk import copy_events
from services.registry.imports import copytext
from services.registry.imports.indexes import deferred_indexes, first_load
from services.registry.imports.report import (
    ImportReport,
    PossibleDuplicate,
    Rejection,
    problems_of,
)
from services.registry.imports.vocabulary import Vocabulary
from services.registry.persons.names import PATRONYMIC_MARK, search_tokens, skeleton
from services.registry.persons.schemas import PersonCreate
from services.registry.persons.service import checked_person_values
from services.registry.settings import RegistrySettings
from shared.errors import InvalidInput
from shared.schemas import FieldwiseValidator

CHUNK = 20_000
# Who the audit trail names for rows a bulk import wrote (the operator runs it
# with database access, as an administrator would).
Actor = Mapping[str, str]  # copy_events' actor, role and action
IMPORT_ACTOR: Actor = {
    "actor": f"migreg import ({getpass.getuser()})",
    "role": "admin",
    "action": "create",
}
COLUMNS = (
    "id",
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
    "status",
    "version",
    "name_tokens",
)
_NAME_FIELDS = ("last_name", "first_name", "patronymic", "last_name_latin", "first_name_latin")
_names = operator.itemgetter(*_NAME_FIELDS)
_columns = operator.itemgetter(*COLUMNS[1:-3])  # a row's values between id and status
FIELDS = frozenset(PersonCreate.model_fields)  # what a column may hold (a mapping's targets)


# A list's cells are text ("true", "1990-03-14"): read them as the query string
# is read, not as strict JSON; every constraint on the values is the API's.
TEXT_CELLS = False
# Each distinct value of a column is validated once per worker (most repeat).
_FIELDWISE = FieldwiseValidator(PersonCreate, strict=TEXT_CELLS)
# Names repeat across a country's list: each one's skeleton is worked out once.
_skeleton = functools.lru_cache(maxsize=65_536)(skeleton)
_SAME_PERSON = "same names (up to transliteration) and birth date"


class _Valid(NamedTuple):
    """What a worker hands back for a valid row: small, so cheap to pickle (the whole
    validated dict cost more to send back than half its validation)."""

    row: int
    pin: str
    # Flat text only: each nested tuple or date costs its own pickling.
    last: str  # last and first names and ISO birth date, as checked (same person?)
    first: str
    born: str
    look: str  # birth date and name skeletons, space-separated (_Lookalikes)
    id: str  # the person's id, if written
    line: bytes  # the person's row in COPY text (copytext.py)
    tokens: str  # search tokens, unmarked (name_vocabulary), space-separated


class _Lookalikes:
    """Rows of this file with the same birth date and names under different PINs."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, str]] = {}

    def check(self, valid: _Valid, report: ImportReport) -> None:
        first = self._seen.setdefault(valid.look, (valid.row, valid.pin))
        if first[1] != valid.pin:
            report.duplicates.append(
                PossibleDuplicate(
                    valid.row, valid.pin, first[1], first[0], "same names and birth date"
                )
            )


def import_persons(
    conn: psycopg.Connection,
    rows: Iterator[tuple[int, dict[str, str]]],
    settings: RegistrySettings,
    on: date,
    progress: Callable[[int], None] = lambda n: None,
    chunk: int = CHUNK,
    workers: int = 1,
    actor: Actor = IMPORT_ACTOR,
    defer_indexes: bool | None = False,
) -> ImportReport:
    """Validate and load ``rows``; committed chunk by chunk on ``conn``.

    With ``workers`` > 1 the rows are validated in that many processes while
    this one loads the previous chunk (validation is most of the CPU time).
    ``defer_indexes``: build the secondary indexes at the end (None: when the
    registry has nobody yet; see ``indexes.py``).
    """
    # Each chunk commits on its own (conn.transaction() is a real transaction
    # only outside one), so an interrupted run keeps what it finished.
    conn.autocommit = True
    report = ImportReport()
    vocabulary = Vocabulary(conn)
    lookalikes = _Lookalikes()
    pins_in_file: dict[str, int] = {}
    batches = iter(lambda: list(islice(rows, chunk)), [])
    jobs = ((batch, settings, on) for batch in batches)
    defer = first_load(conn) if defer_indexes is None else defer_indexes
    with deferred_indexes(conn, defer), _mapper(workers) as mapper, _collector_spared():
        for (batch, _, _), (valid, rejected) in mapper(_validate_batch, jobs):
            report.rows += len(batch)
            report.rejected.extend(rejected)
            raw = _Originals(batch)
            valid = [v for v in valid if _first_in_file(v, pins_in_file, report, raw)]
            for v in valid:
                lookalikes.check(v, report)
            _load_chunk(conn, valid, vocabulary, report, actor, raw)
            progress(len(batch))
            gc.freeze()
    return report


@contextmanager
def _collector_spared() -> Iterator[None]:
    """What the run keeps (PINs and look-alike keys of a million rows) is frozen after
    each chunk, so the cycle collector stops walking it again and again (a third of
    the loader's time at 100,000 rows); thawed at the end."""
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _mapper(workers: int) -> Iterator[Callable[..., Iterator[Any]]]:
    """``mapper(fn, jobs)``: (job, fn(job)) in the jobs' order."""
    if workers <= 1:
        yield lambda fn, jobs: ((job, fn(job)) for job in jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        # map() on a pool submits everything at once; keep two chunks in flight.
        def bounded(fn: Callable[..., Any], jobs: Iterator[Any]) -> Iterator[Any]:
            pending: deque[tuple[Any, Future[Any]]] = deque()
            for job in jobs:
                pending.append((job, pool.submit(fn, job)))
                if len(pending) > workers:
                    done, result = pending.popleft()
                    yield done, result.result()
            while pending:
                done, result = pending.popleft()
                yield done, result.result()

        yield bounded


def _validate_batch(
    job: tuple[list[tuple[int, dict[str, str]]], RegistrySettings, date],
) -> tuple[list[_Valid], list[Rejection]]:
    """(valid rows, ready to write, and rejections) of one chunk."""
    batch, settings, on = job
    report = ImportReport()
    ids = _uuid4s(len(batch))
    valid = [
        v
        for (number, raw), pid in zip(batch, ids, strict=True)
        if (v := _validated(number, raw, settings, on, report, pid))
    ]
    return valid, report.rejected


def _uuid4s(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, from one read of the system's randomness
    (``str(uuid.uuid4())`` a row was a tenth of a row's validation)."""
    digits = os.urandom(16 * n).hex()
    return [_uuid4_text(digits[i : i + 32]) for i in range(0, 32 * n, 32)]


def _uuid4_text(h: str) -> str:
    # Version nibble 4; variant bits 10 (the nibble's top two bits: 8, 9, a or b).
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


class _Originals:
    """A chunk's rows as read, by row number, for the rare row rejected after validation."""

    def __init__(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        self._batch = batch
        self._by_row: dict[int, dict[str, str]] | None = None

    def __getitem__(self, row: int) -> dict[str, str]:
        if self._by_row is None:
            self._by_row = dict(self._batch)
        return self._by_row[row]


def _validated(
    number: int,
    raw: dict[str, str],
    settings: RegistrySettings,
    on: date,
    report: ImportReport,
    pid: str,
) -> _Valid | None:
    try:
        values = checked_person_values(_fields(raw), settings, on)
    except (ValidationError, InvalidInput) as exc:
        report.reject(number, raw, problems_of(exc))
        return None
    tokens = search_tokens(*_names(values))
    line = copytext.line((pid, *_columns(values), "in_country", 1, copytext.text_array(tokens)))
    last, first, born = values["last_name"], values["first_name"], str(values["birth_date"])
    look = f"{born} {_skeleton(last)} {_skeleton(first)}"
    unmarked = " ".join([t.removeprefix(PATRONYMIC_MARK) for t in tokens])
    return _Valid(number, values["pin"], last, first, born, look, pid, line, unmarked)


def _fields(raw: dict[str, str]) -> dict[str, Any]:
    """``PersonCreate``'s validated values; a row with anything wrong goes through the
    model itself, for the errors the API would give (ValidationError)."""
    values = _FIELDWISE.values(raw)
    if values is None:
        return PersonCreate.model_validate(raw, strict=TEXT_CELLS).model_dump()
    return values


def _first_in_file(
    valid: _Valid, pins: dict[str, int], report: ImportReport, raw: _Originals
) -> bool:
    first = pins.setdefault(valid.pin, valid.row)
    if first == valid.row:
        return True
    report.reject(valid.row, raw[valid.row], [("pin", f"repeats the PIN of row {first}")])
    return False


def _load_chunk(
    conn: psycopg.Connection,
    valid: list[_Valid],
    vocabulary: Vocabulary,
    report: ImportReport,
    actor: Actor,
    raw: _Originals,
) -> None:
    # A registrar may register one of these PINs between our check and the
    # COPY; the unique constraint then fails the chunk, and once more is enough.
    for attempt in (1, 2):
        try:
            with conn.transaction():
                fresh, present, taken = _split_registered(conn, valid)
                added = _copy_persons(conn, fresh, vocabulary, actor)
        except psycopg.errors.UniqueViolation:
            if attempt == 2:
                raise
            continue
        vocabulary.remember(added)
        report.loaded += len(fresh)
        report.already_present += len(present)
        for v in taken:
            report.reject(v.row, raw[v.row], [("pin", "already registered to another person")])
        return


def _split_registered(
    conn: psycopg.Connection, valid: list[_Valid]
) -> tuple[list[_Valid], list[_Valid], list[_Valid]]:
    """(not yet registered, registered with the same names and birth date, PIN taken)."""
    by_pin = {v.pin: v for v in valid}
    # An array literal (validated PINs are digits): psycopg's array dumper is Python
    # code, most of a second a hundred thousand PINs.
    existing = conn.execute(
        "SELECT pin, last_name, first_name, birth_date FROM persons WHERE pin = ANY(%s::text[])",
        ("{" + ",".join(by_pin) + "}",),
    ).fetchall()
    present: list[_Valid] = []
    taken: list[_Valid] = []
    for pin, last, first, born in existing:
        v = by_pin.pop(pin)
        same = (last, first, born.isoformat()) == (v.last, v.first, v.born)
        (present if same else taken).append(v)
    return list(by_pin.values()), present, taken


def _copy_persons(
    conn: psycopg.Connection, fresh: list[_Valid], vocabulary: Vocabulary, actor: Actor
) -> set[str]:
    with conn.cursor() as cur, cur.copy(f"COPY persons ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        copy.write(b"".join(v.line for v in fresh))
    # Each person written is personal data written: one audit event each.
    copy_events(conn, **actor, resource_type="person", touched=((v.id, v.id) for v in fresh))
    return vocabulary.add({t for v in fresh for t in v.tokens.split()})
