"""Rows in COPY's text format, made where the rows are validated.

The import's workers turn each valid row into its COPY line, so the loading
process only joins bytes. Written by hand (fifteen lines) because psycopg's
own formatter is private API and wants a connection's adapters; the format is
PostgreSQL's documented one: tab-separated, ``\\N`` for NULL, backslash escapes
for backslash, tab, newline and carriage return, arrays as ``{"a","b"}``
literals with backslash and double quote escaped inside the quotes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_array(items: Iterable[str]) -> str:
    """A ``text[]`` literal."""
    items = list(items)
    if not items:
        return "{}"
    joined = '","'.join(items)
    if '"' not in "".join(items) and "\\" not in joined:  # nothing to escape: the common case
        return '{"' + joined + '"}'
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return "{" + ",".join(quoted) + "}"


def field(value: Any) -> str:
    """One value (str, int, date, UUID, or None) as COPY text."""
    if value is None:
        return NULL
    text = value if type(value) is str else str(value)
    # Almost every value has nothing to escape: two C-speed checks skip the mapping.
    return text if text.isprintable() and "\\" not in text else text.translate(_ESCAPES)


def line(values: Iterable[Any]) -> bytes:
    row = [v if v is None or type(v) is str else str(v) for v in values]
    joined = "\t".join([NULL if v is None else v for v in row])
    # One look at the whole line instead of one per value: with no backslash but
    # the NULLs', no line break and no tab but the separators, nothing needs escaping.
    plain = joined.count("\\") == row.count(None) and joined.count("\t") == len(row) - 1
    if not plain or "\n" in joined or "\r" in joined:
        joined = "\t".join(map(field, row))
    return (joined + "\n").encode()
