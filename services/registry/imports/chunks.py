"""Chunks of a list's rows that never split one person's rows."""

from __future__ import annotations

from collections.abc import Iterator

Rows = list[tuple[int, dict[str, str]]]


def whole_groups(
    rows: Iterator[tuple[int, dict[str, str]]], chunk: int, column: str
) -> Iterator[Rows]:
    """Chunks of about ``chunk`` rows; consecutive rows with one ``column`` value stay together."""
    batch: Rows = []
    for row in rows:
        if len(batch) >= chunk and row[1].get(column) != batch[-1][1].get(column):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch
