"""Rows of a legacy list: CSV or Excel (.xlsx), headers mapped to field names.

A mapping file (TOML) says which column holds which field when a list's
headers differ from the API's field names::

    [columns]
    "Фамилия" = "last_name"
    "Имя" = "first_name"
    "ПИН" = "pin"

Columns that are not mapped keep their header; empty cells read as missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

Row = dict[str, str]
SPREADSHEETS = frozenset({".xlsx", ".xls", ".ods"})


class UnreadableFile(Exception):
    """The file or mapping cannot be read at all (not one bad row)."""


@dataclass(frozen=True)
class Sheet:
    """A list's header (after mapping) and its data rows with their file row numbers."""

    header: list[str]
    rows: Iterator[tuple[int, Row]]


def load_mapping(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        return parse_mapping(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableFile(f"mapping {path}: {exc}") from exc
    except UnreadableFile as exc:
        raise UnreadableFile(f"mapping {path}: {exc}") from exc


def parse_mapping(text: str) -> dict[str, str]:
    """A mapping file's ``[columns]`` table (UnreadableFile when it is not one)."""
    try:
        columns = tomllib.loads(text).get("columns", {})
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableFile(str(exc)) from exc
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise UnreadableFile("[columns] maps header text to a field name")
    return dict(columns)


def open_sheet(path: Path, mapping: dict[str, str]) -> Sheet:
    """The rows of ``path`` (.csv, or .xlsx/.xls/.ods: the first sheet)."""
    raw = _xlsx_rows(path) if path.suffix.lower() in SPREADSHEETS else _csv_rows(path)
    try:
        header = next(raw)
    except StopIteration as exc:
        raise UnreadableFile(f"{path.name}: empty file") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(f"{path.name}: not a UTF-8 CSV file ({exc})") from exc
    names = [mapping.get(h.strip(), h.strip()) for h in header]
    return Sheet(names, _records(names, raw))


def count_rows(path: Path) -> int | None:
    """Data rows, for progress: a CSV's lines after the header (a quoted line break
    counts twice), a spreadsheet's used height; None when it cannot be read."""
    try:
        if path.suffix.lower() in SPREADSHEETS:
            height = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height
            return max(0, int(height) - 1)
        with path.open("rb") as handle:
            blocks = iter(lambda: handle.read(1 << 20), b"")
            lines, last = 0, b""
            for block in blocks:
                lines, last = lines + block.count(b"\n"), block
    except Exception:  # calamine raises several of its own types
        return None
    return max(0, lines + (0 if last.endswith(b"\n") or not last else 1) - 1)


def _records(names: list[str], raw: Iterator[list[str]]) -> Iterator[tuple[int, Row]]:
    # Row 1 is the header, so data starts at row 2 as a spreadsheet shows it.
    for number, cells in enumerate(raw, start=2):
        if not any(cells):
            continue
        yield number, {n: c.strip() for n, c in zip(names, cells, strict=False) if c.strip()}


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise UnreadableFile(f"{path}: {exc}") from exc
    with handle:
        yield from csv.reader(handle)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises several of its own types
        raise UnreadableFile(f"{path}: not a readable spreadsheet ({exc})") from exc
    for cells in sheet.iter_rows():
        yield [_text(c) for c in cells]


def _text(cell: Any) -> str:
    """A cell as the text a CSV would hold (whole numbers without .0, ISO dates)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)
