"""Import job bodies: ``POST /v1/imports`` answers and ``GET /v1/imports/{id}``."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import UploadFile
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import UploadFile as FilePart

from services.registry.imports.read import SPREADSHEETS
from shared.openapi import NamedEnum

ImportKind = Annotated[
    Literal["persons", "family-members", "movements"],
    NamedEnum("ImportKind", "What the list holds (the columns of `migreg import <kind>`)."),
]
ImportState = Annotated[
    Literal["queued", "running", "done", "failed"],
    NamedEnum(
        "ImportState",
        "`queued` (waiting), `running`, `done` (the report is ready) or `failed` (see `error`).",
    ),
]


def _file_part(value: Any) -> Any:
    if not isinstance(value, FilePart):  # a plain form field (curl -F file=text)
        raise PydanticCustomError("file_part", "must be a file upload (multipart file part)")
    return value


Upload = Annotated[UploadFile, BeforeValidator(_file_part)]


class RejectedRow(BaseModel):
    row: int = Field(description="The row as a spreadsheet numbers it (the header is row 1)")
    field: str
    reason: str
    original: dict[str, str] = Field(description="The row's cells as read")


class LookAlike(BaseModel):
    """Two records that look like one person under different PINs: for review, not merged."""

    row: int
    pin: str
    other_pin: str
    other_row: int | None = Field(description="None: the other one was already registered")
    why: str


class ImportReportOut(BaseModel):
    rows: int
    loaded: int
    already_present: int = Field(description="Rows already in the registry (a re-run)")
    rejected_rows: int
    rejected: list[RejectedRow]
    duplicates: list[LookAlike]
    truncated: bool = Field(description="The lists stop at 10,000 entries each")


class ImportJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ImportKind
    filename: str
    encoding: str | None = Field(
        description="The CSV's text encoding, as Python names it (cp1251); null for a workbook"
    )
    state: ImportState
    rows_total: int | None = Field(description="Data rows in the file, for progress")
    rows_done: int
    error: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    report: ImportReportOut | None = Field(description="Once done")

    @field_validator("encoding")
    @classmethod
    def _none_for_a_workbook(cls, encoding: str | None, info: ValidationInfo) -> str | None:
        """A workbook has no text encoding (the job keeps the upload's field, unused)."""
        suffix = Path(info.data.get("filename", "")).suffix.lower()
        return None if suffix in SPREADSHEETS else encoding


class ImportRequest(BaseModel):
    """What an Idempotency-Key compares: kind, the file's SHA-256, the mapping and encoding."""

    kind: str
    sha256: str
    mapping: dict[str, str]
    encoding: str
