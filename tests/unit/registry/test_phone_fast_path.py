"""The E.164 shortcut of normalize_phone reads every number as phonenumbers would."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.persons.service import _e164_number, normalize_phone
from shared.errors import InvalidInput


def generic(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "KG")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shortcut(raw: str) -> str | None:
    try:
        return normalize_phone(raw, "KG")
    except InvalidInput:
        return None


@given(st.from_regex(r"\+99[0-9]{1,14}", fullmatch=True))
def test_the_shortcut_agrees_with_phonenumbers(raw: str) -> None:
    assert shortcut(raw) == generic(raw)


@pytest.mark.parametrize(
    "raw", ["+996555123456", "+996700000000", "+99655512345", "+9960555123456"]
)
def test_known_numbers(raw: str) -> None:
    assert shortcut(raw) == generic(raw)


def test_only_e164_of_the_configured_country_takes_the_shortcut() -> None:
    assert _e164_number("+996555123456", "KG") is not None
    assert _e164_number("+77012345678", "KG") is None  # Kazakhstan: the generic path
    assert _e164_number("0555 123 456", "KG") is None
