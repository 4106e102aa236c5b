"""Import job bodies: ``POST /v1/imports`` answers and ``GET /v1/imports/{id}``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    encoding: str = Field(description="The CSV's text encoding, as Python names it (cp1251)")
    state: ImportState
    rows_total: int | None = Field(description="Data rows in the file, for progress")
    rows_done: int
    error: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    report: ImportReportOut | None = Field(description="Once done")


class ImportRequest(BaseModel):
    """What an Idempotency-Key compares: kind, the file's SHA-256, the mapping and encoding."""

    kind: str
    sha256: str
    mapping: dict[str, str]
    encoding: str
