"""Imports uploaded by registrars: a job row per upload, run in the background.

``POST /v1/imports`` stores the file with a ``queued`` job and answers 202.
A runner in the registry process (``runner.py``) claims queued jobs, and jobs
whose runner stopped (their heartbeat older than the lease: the registry
restarted mid-import), and runs the same loaders as ``migreg import`` with the
uploader named in the audit trail. A re-run adds nothing twice, so taking a
job up again after a restart resumes it; after ``MAX_ATTEMPTS`` starts it is
marked failed with the reason. A job whose run raises (anything but the
database going away) is queued again behind the jobs not yet tried, so it
holds up no one, and fails with the error at its ``MAX_ATTEMPTS``th start.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.audit.verify import psycopg_url
from services.registry.clock import today
from services.registry.imports.errors import ImportJobNotFound
from services.registry.imports.kinds import KINDS
from services.registry.imports.models import ImportJob
from services.registry.imports.read import (
    NotAList,
    NotText,
    UnknownEncoding,
    UnreadableFile,
    check_targets,
    count_rows,
    list_suffix,
    open_sheet,
    parse_mapping,
    text_codec,
)
from services.registry.imports.report import ImportReport, report_json, storable
from services.registry.settings import RegistrySettings
from shared.auth.principal import Principal
from shared.errors import InvalidInput

MAX_ATTEMPTS = 3
REPORT_LIMIT = 10_000  # rejected rows (and look-alikes) a job's answer lists
CHUNK = 5_000  # rows between progress updates
# Runners LISTEN here; a queued job NOTIFYs it (delivered when its transaction commits).
CHANNEL = "import_jobs"
NOTIFY = f"NOTIFY {CHANNEL}"
log = logging.getLogger("migreg.imports")


def checked_upload(
    kind: str, filename: str, content: bytes, mapping_text: str | None, encoding: str
) -> tuple[dict[str, str], int | None, str]:
    """The upload's column mapping, data rows and codec, once the file reads as a list
    in ``encoding`` (InvalidInput otherwise)."""
    try:
        suffix = list_suffix(filename)
    except NotAList as exc:
        raise InvalidInput("file", str(exc)) from exc
    if not content:
        raise InvalidInput("file", "is empty")
    if "\x00" in filename:  # the job row keeps the name (PostgreSQL text holds no NUL)
        raise InvalidInput("file", "the file's name must not contain NUL characters")
    try:
        codec = text_codec(encoding)
    except UnknownEncoding as exc:
        raise InvalidInput("encoding", str(exc)) from exc
    try:
        mapping = parse_mapping(mapping_text) if mapping_text else {}
    except UnreadableFile as exc:
        raise InvalidInput("mapping", f"is not a mapping file: {exc}") from exc
    try:
        check_targets(mapping, KINDS[kind].fields)
    except UnreadableFile as exc:
        raise InvalidInput("mapping", str(exc)) from exc
    with _spooled(content, suffix) as path:
        try:
            open_sheet(path, mapping, codec)
        except NotText as exc:
            hint = "a list saved in another encoding: name it in `encoding`, e.g. cp1251"
            raise InvalidInput("file", f"{_as_uploaded(exc, path, filename)} ({hint})") from exc
        except UnreadableFile as exc:
            raise InvalidInput("file", _as_uploaded(exc, path, filename)) from exc
        return mapping, count_rows(path), codec


def _as_uploaded(exc: UnreadableFile, path: Path, filename: str) -> str:
    """What the reader said, naming the upload as its sender named it, not the spooled copy."""
    return str(exc).replace(path.name, filename)


def fingerprint(kind: str, content: bytes, mapping: dict[str, str], codec: str) -> dict[str, Any]:
    """What the Idempotency-Key compares: the same kind, bytes, mapping and encoding."""
    return {
        "kind": kind,
        "sha256": hashlib.sha256(content).hexdigest(),
        "mapping": mapping,
        "encoding": codec,
    }


async def create_job(
    session: AsyncSession,
    kind: str,
    filename: str,
    content: bytes,
    mapping: dict[str, str],
    rows: int | None,
    principal: Principal,
    codec: str,
) -> ImportJob:
    job = ImportJob(
        kind=kind,
        filename=filename[:255],
        content=content,
        mapping=mapping,
        encoding=codec,
        state="queued",
        rows_total=rows,
        rows_done=0,
        attempts=0,
        created_by=principal.subject[:200],
    )
    session.add(job)
    await session.flush()
    await session.execute(text(NOTIFY))  # runners start it as soon as this commits
    return job


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ImportJob:
    job = await session.get(ImportJob, job_id)
    if job is None:
        raise ImportJobNotFound(job_id)
    return job


@contextlib.contextmanager
def _spooled(content: bytes, suffix: str) -> Iterator[Path]:
    """The upload as a temporary file with its suffix (the readers take paths)."""
    with tempfile.TemporaryDirectory(prefix="registry-import-") as directory:
        path = Path(directory) / f"upload{suffix}"
        path.write_bytes(content)
        yield path


CLAIM = """
    UPDATE import_jobs SET state = 'running', attempts = attempts + 1, updated_at = now()
    WHERE id = (
        SELECT id FROM import_jobs
        WHERE state = 'queued' OR (state = 'running' AND updated_at < now() - %s)
        ORDER BY attempts, created_at FOR UPDATE SKIP LOCKED LIMIT 1
    )
    RETURNING id, kind, filename, content, mapping, attempts, created_by, encoding
"""


class Stopped(Exception):
    """The registry is shutting down: the job goes back to the queue, to resume."""


def run_next(
    settings: RegistrySettings,
    lease: timedelta,
    stop: threading.Event | None = None,
    status: psycopg.Connection | None = None,
) -> uuid.UUID | None:
    """Claim one due job and run it to its end; its id, or None when none was due.

    ``status``: an autocommit connection to claim on and report progress with
    (the runner keeps one); a new one, closed at the end, when not given.
    """
    url = psycopg_url(settings.database_url)
    if status is None:
        with psycopg.connect(url, autocommit=True) as own:
            return _claim_and_run(url, settings, lease, stop or threading.Event(), own)
    return _claim_and_run(url, settings, lease, stop or threading.Event(), status)


def _claim_and_run(
    url: str,
    settings: RegistrySettings,
    lease: timedelta,
    stop: threading.Event,
    status: psycopg.Connection,
) -> uuid.UUID | None:
    claimed = status.execute(CLAIM, (lease,)).fetchone()
    if claimed is None:
        return None
    job_id: uuid.UUID = claimed[0]
    attempts: int = claimed[5]
    if attempts > MAX_ATTEMPTS:
        _finish(status, job_id, "failed", error=_GAVE_UP)
        return job_id
    try:
        report, rows = _run(url, settings, claimed, status, stop)
        _finish(status, job_id, "done", report=report_json(report, REPORT_LIMIT), rows=rows)
    except Stopped:
        _queue_again(status, job_id)
    except (UnreadableFile, UnicodeDecodeError, ValueError) as exc:
        _finish(status, job_id, "failed", error=f"the file could not be read: {exc}")
    except psycopg.OperationalError:
        # The database went away: the runner waits for it; the job, left running, is
        # taken up again once its lease runs out (and counts the start).
        raise
    except Exception as exc:
        # Anything else is this job's own: it must not hold up the others or loop.
        log.exception("import %s failed (start %d of %d)", job_id, attempts, MAX_ATTEMPTS)
        if attempts < MAX_ATTEMPTS:
            _queue_again(status, job_id)  # after the jobs not yet tried (CLAIM's order)
        else:
            _finish(status, job_id, "failed", error=_failed(exc))
    return job_id


def _queue_again(status: psycopg.Connection, job_id: uuid.UUID) -> None:
    status.execute(
        "UPDATE import_jobs SET state = 'queued', updated_at = now() WHERE id = %s", (job_id,)
    )
    status.execute(NOTIFY)  # another registry process may take it up now


def _failed(exc: Exception) -> str:
    return (
        f"failed at each of its {MAX_ATTEMPTS} starts ({type(exc).__name__}: {exc}); "
        "the rows loaded so far stay: report it with the file"
    )


_GAVE_UP = (
    f"stopped {MAX_ATTEMPTS} times before it finished (the registry restarted during the "
    "import); the rows loaded so far stay, upload the file again to finish"
)


def _run(
    url: str,
    settings: RegistrySettings,
    claimed: tuple[Any, ...],
    status: psycopg.Connection,
    stop: threading.Event,
) -> tuple[ImportReport, int]:
    """The job's report and the data rows it read (blank ones too: done, skipped)."""
    job_id, kind, filename, content, mapping, _, created_by, codec = claimed
    actor = {"actor": created_by, "role": "registrar", "action": "create"}
    done = 0

    def progress(n: int) -> None:  # also the job's heartbeat
        nonlocal done
        done += n
        if stop.is_set():
            raise Stopped
        status.execute(
            "UPDATE import_jobs SET rows_done = %s, updated_at = now() WHERE id = %s",
            (done, job_id),
        )

    with _spooled(bytes(content), Path(filename).suffix.lower()) as path:
        try:
            sheet = open_sheet(path, mapping, codec)
            with psycopg.connect(url) as conn:
                report = KINDS[kind].load(
                    conn, sheet.rows, settings, today(settings), progress, chunk=CHUNK, actor=actor
                )
            return report, sheet.rows.read
        except UnreadableFile as exc:  # also mid-file: a cell over the reader's limit
            raise UnreadableFile(_as_uploaded(exc, path, filename)) from None


def _finish(
    status: psycopg.Connection,
    job_id: uuid.UUID,
    state: str,
    *,
    report: dict[str, Any] | None = None,
    error: str | None = None,
    rows: int | None = None,
) -> None:
    """``rows``: the data rows read, now known: the job's total and done (the total
    counted at upload is an estimate: a CSV's quoted line break counts twice)."""
    status.execute(
        "UPDATE import_jobs SET state = %s, report = %s, error = %s, content = ''::bytea, "
        "rows_total = coalesce(%s, rows_total), rows_done = coalesce(%s, rows_done), "
        "finished_at = now(), updated_at = now() WHERE id = %s",
        (
            state,
            Jsonb(report) if report is not None else None,
            storable(error)[:2000] if error is not None else None,
            rows,
            rows,
            job_id,
        ),
    )
