"""Small-cell suppression for published counts (statistical disclosure control).

Primary: a cell under the threshold is withheld. Secondary: a withheld cell
must not be recoverable by subtraction from a coarser breakdown the same
caller can ask for (the same query without one of its ``by`` keys). So in
every group of cells that differ in one key only, a lone withheld cell takes
the smallest shown cell of its group with it; repeated until nothing changes.
Both the registry and the consular service publish counts this way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence


def suppress(cells: Sequence[tuple[tuple[Hashable, ...], int]], threshold: int) -> list[int | None]:
    """The published count of each ``(keys, count)`` cell: itself, or None if withheld."""
    hidden = [count < threshold for _, count in cells]
    changed = True
    while changed:
        changed = False
        for dimension in range(len(cells[0][0]) if cells else 0):
            changed |= _protect_lone_cells(cells, hidden, dimension)
    return [None if h else count for (_, count), h in zip(cells, hidden, strict=True)]


def _protect_lone_cells(
    cells: Sequence[tuple[tuple[Hashable, ...], int]], hidden: list[bool], dimension: int
) -> bool:
    groups: dict[tuple[Hashable, ...], list[int]] = defaultdict(list)
    for index, (keys, _) in enumerate(cells):
        groups[keys[:dimension] + keys[dimension + 1 :]].append(index)
    changed = False
    for members in groups.values():
        withheld = [i for i in members if hidden[i]]
        shown = [i for i in members if not hidden[i]]
        if len(withheld) == 1 and shown:
            hidden[min(shown, key=lambda i: cells[i][1])] = True
            changed = True
    return changed
