"""Rows of a legacy list: CSV or Excel (.xlsx), headers mapped to field names.

A mapping file (TOML) says which column holds which field when a list's
headers differ from the API's field names::

    [columns]
    "Фамилия" = "last_name"
    "Имя" = "first_name"
    "ПИН" = "pin"

Columns that are not mapped keep their header; empty cells read as missing.
A cell under no header (or under an empty one) is named by its position,
"column 13", so the row's validation refuses it like any unknown field
instead of the value being dropped unseen. A CSV file is read as UTF-8 (a
byte-order mark is skipped) unless another encoding is named, and is checked
to decode throughout before any row is used.
"""

from __future__ import annotations

import codecs
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
LISTS = frozenset({".csv", *SPREADSHEETS})  # what ``migreg import`` and uploads read


class UnreadableFile(Exception):
    """The file or mapping cannot be read at all (not one bad row)."""


class NotText(UnreadableFile):
    """The file does not decode in the encoding it is read with."""


class UnknownEncoding(UnreadableFile):
    """The encoding named is not a text encoding Python knows."""


class NotAList(UnreadableFile):
    """The file's name is not a list's (.csv or a spreadsheet)."""


def list_suffix(name: str) -> str:
    """``name``'s suffix in lower case, once it is a list's: NotAList otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix not in LISTS:
        raise NotAList("must be a .csv or .xlsx file")
    return suffix


class Records(Iterator[tuple[int, Row]]):
    """A list's data rows with their row numbers (the header is row 1), blank ones
    skipped; ``read`` counts the data rows read so far, blank ones included (a blank
    row is done once it is passed, so progress ends at the rows read)."""

    def __init__(self, names: list[str], raw: Iterator[list[str]]) -> None:
        self._names, self._raw = names, raw
        self.read = 0

    def __next__(self) -> tuple[int, Row]:
        for cells in self._raw:
            self.read += 1
            if len(cells) > len(self._names):  # cells beyond the header: named by position
                more = range(len(self._names), len(cells))
                self._names = self._names + [_nameless(i) for i in more]
            row = {n: c for n, c in zip(self._names, map(str.strip, cells), strict=False) if c}
            if row:
                return self.read + 1, row
        raise StopIteration


@dataclass(frozen=True)
class Sheet:
    """A list's header (after mapping) and its data rows with their file row numbers."""

    header: list[str]
    rows: Records


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
    if any("\x00" in k + v for k, v in columns.items()):  # a "\u0000" escape
        raise UnreadableFile("[columns] must not contain NUL characters")
    return dict(columns)


def check_targets(mapping: dict[str, str], fields: frozenset[str]) -> None:
    """UnreadableFile when the mapping names a field the list cannot hold."""
    for header, field in mapping.items():
        if field not in fields:
            valid = ", ".join(sorted(fields))
            raise UnreadableFile(
                f"[columns] maps {header!r} to {field!r}, which is not a field; "
                f"the fields are: {valid}"
            )


def open_sheet(path: Path, mapping: dict[str, str], encoding: str = "utf-8") -> Sheet:
    """The rows of ``path`` (.csv in ``encoding``, or .xlsx/.xls/.ods: the first sheet)."""
    try:
        suffix = list_suffix(path.name)
    except NotAList as exc:
        raise NotAList(f"{path.name}: {exc}") from None
    if suffix in SPREADSHEETS:
        raw = _xlsx_rows(path)
    else:
        raw = _csv_rows(path, _checked_encoding(path, encoding))
    try:
        header = next(raw)
    except StopIteration as exc:
        raise UnreadableFile(f"{path.name}: empty file") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name}: not a CSV file ({exc})") from exc
    names = [mapping.get(h.strip(), h.strip()) or _nameless(i) for i, h in enumerate(header)]
    _check_distinct(path, header, names)
    return Sheet(names, Records(names, raw))


def _check_distinct(path: Path, header: list[str], names: list[str]) -> None:
    """UnreadableFile when two columns hold one field: which one to load is not clear
    (the last one would win, the other dropped unseen)."""
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        other = first.setdefault(name, index)
        if other == index:
            continue
        was, now = header[other].strip(), header[index].strip()
        if was == now:
            said = f"the header names {name!r} twice (columns {other + 1} and {index + 1})"
        else:
            said = f"columns {was!r} and {now!r} both hold {name!r} (through the mapping)"
        raise UnreadableFile(f"{path.name}: {said}: keep one of them")


def _nameless(index: int) -> str:
    return f"column {index + 1}"


def text_codec(encoding: str) -> str:
    """The codec ``encoding`` names (``windows-1251`` is ``cp1251``; none, ``""``, is
    UTF-8 as an empty upload field is), once it is one that turns bytes into text (not
    ``hex`` or ``rot13``): UnknownEncoding otherwise."""
    try:
        info = codecs.lookup(encoding or "utf-8")
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        info = None
    if info is None or not info._is_text_encoding or info.name == "undefined":
        raise UnknownEncoding(f"{encoding!r} is not a known text encoding (e.g. utf-8, cp1251)")
    return info.name


def _checked_encoding(path: Path, encoding: str) -> str:
    """The codec to read ``path`` with, once every byte of it decodes (UnreadableFile
    naming the first line that does not: nothing is loaded from a half-readable file)."""
    codec = text_codec(encoding)
    codec = "utf-8-sig" if codec == "utf-8" else codec  # a byte-order mark is not data
    label = "UTF-8" if codec == "utf-8-sig" else encoding
    decoder = codecs.getincrementaldecoder(codec)()
    lines = 0
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    line = lines + block[: max(0, exc.start)].count(b"\n") + 1
                    raise NotText(
                        f"{path.name}: line {line} is not {label} text "
                        f"(byte 0x{exc.object[exc.start]:02x})"
                    ) from None
                lines += block.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise NotText(f"{path.name}: ends inside a character (not {label} text)") from None
    except UnicodeError as exc:  # a codec's own complaint (UTF-16 without its byte-order mark)
        raise NotText(f"{path.name}: is not {label} text ({exc})") from None
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: {exc.strerror}") from exc
    return codec


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


def _csv_rows(path: Path, codec: str) -> Iterator[list[str]]:
    try:
        handle = path.open(newline="", encoding=codec)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: {exc.strerror}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            yield from reader
        except csv.Error as exc:
            # A cell over the reader's limit (an unclosed quote swallowing the lines
            # after it, most often): where it is, not a traceback.
            said = str(exc)
            if "field limit" in said:
                limit = csv.field_size_limit()
                said = f"a cell is longer than {limit} characters (an unclosed quote?)"
            raise UnreadableFile(f"{path.name}: line {reader.line_num}: {said}") from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception:  # calamine raises several of its own types
        # Not calamine's words: they may hold the path (a server's temporary file).
        kind = "OpenDocument spreadsheet" if path.suffix.lower() == ".ods" else "Excel workbook"
        raise UnreadableFile(f"{path.name}: not a readable {kind}") from None
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
