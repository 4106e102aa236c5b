"""Kyrgyz personal number (PIN) rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.persons.pin import (
    KG_PIN_RULES,
    PinError,
    PinFacts,
    PinRules,
    Sex,
    check_pin_matches,
    make_pin,
    mask_pin,
    parse_pin,
)

TODAY = date(2026, 11, 22)
EXAMPLE = "21403199012345"  # male, born 14 March 1990, serial 12345


def test_parse_reads_sex_birth_date_and_serial() -> None:
    assert parse_pin(EXAMPLE, today=TODAY) == PinFacts(
        sex="M", birth_date=date(1990, 3, 14), serial="12345"
    )


def test_parse_reads_female_digit() -> None:
    assert parse_pin("10102200000007", today=TODAY).sex == "F"


def test_leap_day_is_a_real_date() -> None:
    assert parse_pin("22902200000001", today=TODAY).birth_date == date(2000, 2, 29)


def test_born_today_is_allowed() -> None:
    assert parse_pin(make_pin("F", TODAY, 1), today=TODAY).birth_date == TODAY


@pytest.mark.parametrize(
    "pin",
    [
        "",
        "2140319901234",  # 13 digits
        "214031990123456",  # 15 digits
        "2140319901234X",
        "21403 199012345",
        " 21403199012345",
        "2140319901234٥",  # Arabic-Indic five: a digit to str.isdigit, not to a register
        "２１４０３１９９０１２３４５",  # full-width digits
    ],
)
def test_wrong_shape_is_refused(pin: str) -> None:
    with pytest.raises(PinError, match=r"^PIN must be 14 digits$"):
        parse_pin(pin, today=TODAY)


@pytest.mark.parametrize("first", ["0", "3", "5", "9"])
def test_unknown_sex_digit_is_refused_naming_the_digit(first: str) -> None:
    with pytest.raises(PinError, match=rf"1 \(female\) or 2 \(male\), not {first}$"):
        parse_pin(first + EXAMPLE[1:], today=TODAY)


@pytest.mark.parametrize(
    "pin, shown",
    [
        ("23102199012345", "31.02.1990"),
        ("22902202300001", "29.02.2023"),  # not a leap year
        ("20013199012345", "00.13.1990"),
        ("21400199012345", "14.00.1990"),
        ("20003199012345", "00.03.1990"),
    ],
)
def test_impossible_birth_date_is_refused(pin: str, shown: str) -> None:
    message = rf"PIN birth date {shown} \(DD.MM.YYYY\) is not a real date"
    with pytest.raises(PinError, match=message):
        parse_pin(pin, today=TODAY)


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(PinError, match="2026-11-23, which is in the future"):
        parse_pin(make_pin("M", date(2026, 11, 23), 1), today=TODAY)


def test_default_today_is_the_clock() -> None:
    with pytest.raises(PinError, match="in the future"):
        parse_pin("10101300000001")  # born 1 January 3000


def test_implausibly_early_year_is_refused() -> None:
    with pytest.raises(PinError, match="birth year 1899 is before 1900"):
        parse_pin("20101189900001", today=TODAY)


def test_pin_error_is_a_value_error_naming_the_field_without_the_whole_pin() -> None:
    with pytest.raises(ValueError) as caught:
        parse_pin("23102199012345", today=TODAY)
    error = caught.value
    assert isinstance(error, PinError)
    assert error.field == "pin"
    assert error.message == str(error)
    assert "23102199012345" not in str(error)


def test_matching_facts_give_no_messages() -> None:
    assert check_pin_matches(EXAMPLE, "M", date(1990, 3, 14), today=TODAY) == []


def test_sex_mismatch_names_both_values() -> None:
    assert check_pin_matches(EXAMPLE, "F", date(1990, 3, 14), today=TODAY) == [
        "PIN encodes sex M but sex is F"
    ]


def test_birth_date_mismatch_names_both_values() -> None:
    assert check_pin_matches(EXAMPLE, "M", date(1990, 3, 15), today=TODAY) == [
        "PIN encodes birth date 1990-03-14 but birth_date is 1990-03-15"
    ]


def test_both_mismatches_are_reported() -> None:
    assert len(check_pin_matches(EXAMPLE, "F", date(1991, 3, 14), today=TODAY)) == 2


def test_match_check_on_a_malformed_pin_raises() -> None:
    with pytest.raises(PinError):
        check_pin_matches("123", "M", date(1990, 3, 14), today=TODAY)


def test_mask_keeps_first_and_last_two_and_the_length() -> None:
    assert mask_pin(EXAMPLE) == "2***********45"
    assert len(mask_pin(EXAMPLE)) == len(EXAMPLE)


@pytest.mark.parametrize("text", ["", "1", "12345"])
def test_mask_hides_short_inputs_entirely(text: str) -> None:
    assert mask_pin(text) == "*" * len(text)


def test_make_pin_builds_the_documented_layout() -> None:
    assert make_pin("M", date(1990, 3, 14), 12345) == EXAMPLE
    assert make_pin("F", date(2001, 12, 9), 7) == "10912200100007"


@pytest.mark.parametrize("serial", [-1, 100_000])
def test_make_pin_refuses_a_serial_that_does_not_fit(serial: int) -> None:
    with pytest.raises(ValueError, match=r"serial must be 0\.\.99999"):
        make_pin("F", date(1990, 1, 1), serial)


def test_make_pin_refuses_a_year_the_parser_would_refuse() -> None:
    with pytest.raises(ValueError, match="1900 or later"):
        make_pin("F", date(1899, 12, 31), 1)


@given(
    sex=st.sampled_from(["F", "M"]),
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=0, max_value=99_999),
)
def test_make_then_parse_round_trips(sex: Sex, birth_date: date, serial: int) -> None:
    pin = make_pin(sex, birth_date, serial)
    assert len(pin) == 14
    assert parse_pin(pin, today=TODAY) == PinFacts(sex, birth_date, f"{serial:05d}")
    assert check_pin_matches(pin, sex, birth_date, today=TODAY) == []


def test_kyrgyz_rules_are_the_default() -> None:
    assert PinRules() == KG_PIN_RULES


def test_another_countrys_layout_plugs_in_through_rules() -> None:
    # A made-up 12-digit number: YYYYMMDD, sex digit (1 male, 2 female), 3-digit serial.
    rules = PinRules(
        length=12,
        sex_position=8,
        sex_digits=(("1", "M"), ("2", "F")),
        day=(6, 8),
        month=(4, 6),
        year=(0, 4),
        serial=(9, 12),
    )
    pin = make_pin("F", date(1985, 7, 1), 42, rules=rules)
    assert pin == "198507012042"
    assert parse_pin(pin, today=TODAY, rules=rules) == PinFacts("F", date(1985, 7, 1), "042")
    with pytest.raises(PinError, match="12 digits"):
        parse_pin(EXAMPLE, today=TODAY, rules=rules)
