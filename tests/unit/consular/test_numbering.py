"""Case numbers: fixed widths, refused parts, and the pattern that finds them in text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.consular.cases.numbering import CASE_NUMBER_RE, case_number


def test_case_number_format() -> None:
    assert case_number("RU-MOW", 2026, 42) == "RU-MOW-2026-000042"
    assert case_number("KZ-ALA", 2027, 999_999) == "KZ-ALA-2027-999999"


@pytest.mark.parametrize(
    ("code", "year", "seq"),
    [
        ("ru-mow", 2026, 1),
        ("RU-MOSC", 2026, 1),
        ("RUMOW", 2026, 1),
        ("RU-MOW", 26, 1),
        ("RU-MOW", 10_000, 1),
        ("RU-MOW", 2026, 0),
        ("RU-MOW", 2026, 1_000_000),
    ],
)
def test_case_number_rejects_bad_parts(code: str, year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        case_number(code, year, seq)


@given(
    st.sampled_from(["RU-MOW", "TR-IST", "AE-DXB"]),
    st.integers(1000, 9999),
    st.integers(1, 999_999),
)
def test_case_number_round_trips_through_the_pattern(code: str, year: int, seq: int) -> None:
    text = f"Status? {case_number(code, year, seq)} please"
    match = CASE_NUMBER_RE.search(text)
    assert match is not None
    assert (match["consulate"], int(match["year"]), int(match["seq"])) == (code, year, seq)
