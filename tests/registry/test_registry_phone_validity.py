"""Phone validity remembered per number shape answers exactly as phonenumbers does."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import PhoneNumber

from services.registry.persons.phones import free_digits, is_valid_number
from services.registry.persons.service import normalize_phone


def test_the_remembered_answer_is_phonenumbers_answer_for_every_number() -> None:
    rng = random.Random(7)
    checked = 0
    for region in ("KG", "UZ", "TJ", "AE", "DE", "RU", "US", "IT", "GB", "TR"):
        code = phonenumbers.country_code_for_region(region)
        example = phonenumbers.example_number(region)
        assert example is not None
        base = str(example.national_number)
        for _ in range(2_000):
            # Valid-looking numbers (the example with other last digits) and random ones.
            keep = rng.randint(0, len(base))
            digits = base[:keep] + "".join(rng.choices("0123456789", k=len(base) - keep))
            if rng.random() < 0.3:
                digits = str(rng.randint(1, 10 ** rng.randint(4, 12)))
            number = PhoneNumber(country_code=code, national_number=int(digits))
            assert is_valid_number(number) == phonenumbers.is_valid_number(number), digits
            checked += 1
    assert checked == 20_000


def test_the_configured_country_is_remembered_and_shared_codes_are_not() -> None:
    assert free_digits(996) >= 3  # Kyrgyz numbers: the last three digits never matter
    assert free_digits(1) == 0 and free_digits(7) == 0  # the region depends on the digits
    assert normalize_phone("0555 123 456", "KG") == "+996555123456"
