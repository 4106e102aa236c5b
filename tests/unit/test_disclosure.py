"""A withheld count cannot be recovered from a coarser breakdown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.disclosure import suppress


def test_small_cells_are_withheld_and_a_lone_one_takes_a_partner() -> None:
    cells = [(("RU", "death"), 2), (("RU", "wage_theft"), 40), (("RU", "medical"), 9)]
    # Alone, the 2 could be had as total(RU) - 40 - 9; the 9 goes with it.
    assert suppress(cells, 5) == [None, 40, None]


def test_nothing_is_withheld_when_every_cell_is_large() -> None:
    assert suppress([(("F",), 12), (("M",), 30)], 5) == [12, 30]


def test_no_cells_no_work() -> None:
    assert suppress([], 5) == []


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("ABC"), st.sampled_from("xyz")), st.integers(1, 30), min_size=1
    )
)
def test_no_withheld_cell_stands_alone_in_any_row_or_column(table: dict) -> None:
    cells = list(table.items())
    published = suppress(cells, 5)
    for (_, count), shown in zip(cells, published, strict=True):
        if count < 5:
            assert shown is None
    for dimension in (0, 1):
        groups: dict = {}
        for (keys, _), shown in zip(cells, published, strict=True):
            rest = keys[:dimension] + keys[dimension + 1 :]
            groups.setdefault(rest, []).append(shown)
        for members in groups.values():
            withheld = sum(1 for m in members if m is None)
            assert withheld != 1 or len(members) == 1
