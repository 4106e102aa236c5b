"""What an import did: counts, rejected rows and possible duplicates, as CSV files."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared.errors import InvalidInput


@dataclass(frozen=True)
class Rejection:
    row: int
    field: str
    reason: str
    original: dict[str, str]


@dataclass(frozen=True)
class PossibleDuplicate:
    """Two records that look like one person under different PINs: for review, not merged."""

    row: int
    pin: str
    other_pin: str
    other_row: int | None  # None: the other one was already registered
    why: str


@dataclass
class ImportReport:
    rows: int = 0
    loaded: int = 0
    already_present: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)

    def reject(self, row: int, original: dict[str, str], problems: list[tuple[str, str]]) -> None:
        for name, reason in problems:
            self.rejected.append(Rejection(row, name, reason, original))

    def in_row_order(self) -> list[Rejection]:
        """The rejections by row, then field (a row refused after validation, a repeated
        PIN, is found after the rows its chunk's validation refused)."""
        return sorted(self.rejected, key=lambda r: (r.row, r.field))

    def summary(self) -> str:
        rejected_rows = len({r.row for r in self.rejected})
        return (
            f"{self.rows} rows: {self.loaded} loaded, {self.already_present} already present, "
            f"{rejected_rows} rejected, {len(self.duplicates)} possible duplicates for review"
        )

    def write(self, stem: Path) -> list[Path]:
        """``<stem>.rejected.csv`` and ``<stem>.duplicates.csv``; the paths written."""
        rejected = stem.with_name(stem.name + ".rejected.csv")
        duplicates = stem.with_name(stem.name + ".duplicates.csv")
        with rejected.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(("row", "field", "reason", "original"))
            for r in self.in_row_order():
                out.writerow((r.row, r.field, r.reason, json.dumps(r.original, ensure_ascii=False)))
        with duplicates.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(("row", "pin", "other_pin", "other_row", "why"))
            for d in self.duplicates:
                out.writerow((d.row, d.pin, d.other_pin, d.other_row or "", d.why))
        return [rejected, duplicates]


def problems_of(exc: ValidationError | InvalidInput) -> list[tuple[str, str]]:
    """(field, reason) pairs, named like the API's 422 problem+json names them."""
    if isinstance(exc, InvalidInput):
        return [(e["field"], e["reason"]) for e in exc.extra["errors"]]
    return [(".".join(str(p) for p in e["loc"]) or "row", e["msg"]) for e in exc.errors()]


def report_json(report: ImportReport, limit: int) -> dict[str, Any]:
    """The report as ``GET /v1/imports/{id}`` shows it (at most ``limit`` of each list),
    its text as JSONB holds it (``storable``)."""
    return {
        "rows": report.rows,
        "loaded": report.loaded,
        "already_present": report.already_present,
        "rejected_rows": len({r.row for r in report.rejected}),
        "rejected": [_storable_values(asdict(r)) for r in report.in_row_order()[:limit]],
        "duplicates": [_storable_values(asdict(d)) for d in report.duplicates[:limit]],
        "truncated": max(len(report.rejected), len(report.duplicates)) > limit,
    }


def storable(text: str) -> str:
    """``text`` as PostgreSQL text and JSONB hold it: a NUL (a row rejected for one,
    shown as read) becomes U+FFFD, the replacement character."""
    return text.replace("\x00", "\ufffd")


def _storable_values(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(k): _storable_values(v) for k, v in value.items()}
    return value
