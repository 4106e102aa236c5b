"""Uploads of legacy lists by registrars: HTTP only (the rules are ``migreg import``'s)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, status
from fastapi.responses import JSONResponse

from services.registry.access import Registrar
from services.registry.audit.declare import Action, Resource, audited
from services.registry.imports import jobs
from services.registry.imports.errors import ImportJobNotFound
from services.registry.imports.schemas import ImportJobOut, ImportKind, ImportRequest, Upload
from shared.db import DbSession
from shared.errors import InvalidInput, problems
from shared.idempotency import IdempotencyKey, IdempotencyKeyReused, StoredResponse, idempotent

router = APIRouter(prefix="/imports", tags=["imports"])
IMPORT_JOB = Resource("import_job")
ENCODING = (
    "A .csv file's text encoding, a Python codec name such as `cp1251` (lists saved by "
    "older Windows software) or `utf-16`; default (or empty) UTF-8, a byte-order mark "
    "skipped. A .xlsx file ignores it (its job shows none). A file that does not decode "
    "in it is refused naming the first line that does not; an unknown encoding is a 422 "
    "naming `encoding`."
)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJobOut,
    summary="Upload a legacy list (CSV or .xlsx) to import",
    description="The rows are checked by the same rules as the API's and `migreg import`; "
    "the import runs in the background: follow it at `GET /v1/imports/{id}` (rows done, "
    "then the report of rejected rows and look-alikes). A re-upload adds nothing twice.",
    responses=problems(InvalidInput, IdempotencyKeyReused),
)
@audited(Action.create, IMPORT_JOB)
async def upload_import(
    kind: Annotated[ImportKind, Form(description="What the list holds")],
    file: Annotated[Upload, File(description="The list: .csv or .xlsx")],
    session: DbSession,
    principal: Registrar,
    mapping: Annotated[
        str | None, Form(description='TOML: [columns] then "header in the file" = "field"')
    ] = None,
    encoding: Annotated[str, Form(description=ENCODING, max_length=64)] = "utf-8",
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    content = await file.read()
    filename = file.filename or "upload.csv"
    columns, rows, codec = jobs.checked_upload(kind, filename, content, mapping, encoding)

    async def run() -> StoredResponse:
        job = await jobs.create_job(
            session, kind, filename, content, columns, rows, principal, codec
        )
        out = ImportJobOut.model_validate(job).model_dump(mode="json")
        return StoredResponse(202, out, {"Location": f"/v1/imports/{job.id}"})

    async def still_there(answer: Any) -> None:
        await jobs.get_job(session, uuid.UUID(answer["id"]))

    request = ImportRequest(**jobs.fingerprint(kind, content, columns, codec))
    return await idempotent(
        session, principal, idempotency_key, "POST /v1/imports", request, run, revisit=still_there
    )


@router.get(
    "/{job_id}",
    response_model=ImportJobOut,
    summary="An import's progress and, once done, its report",
    responses=problems(ImportJobNotFound),
)
@audited(Action.read, IMPORT_JOB)
async def read_import(job_id: uuid.UUID, session: DbSession, principal: Registrar) -> ImportJobOut:
    return ImportJobOut.model_validate(await jobs.get_job(session, job_id))
