"""Phone validity, phonenumbers' own answer remembered per number shape.

``phonenumbers.is_valid_number`` matches the national number against the
region's patterns (some ten regular expressions): about 12 µs a number, most
of a bulk import's phone time. Its answer depends only on the country code,
the national number's length and its leading digits: every alternative of
every pattern of a country ends in at least ``free`` unconstrained digits
(``\\d{n}``), so two numbers of one length that differ only in their last
``free`` digits get the same answer. That answer is still phonenumbers': the
first number of each shape is asked, the rest reuse it. Nothing here holds a
numbering plan; ``free`` is read off phonenumbers' metadata, and a country
whose patterns do not end that way (or that shares its code with others, as
+1 and +7 do) is asked every time.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber

_DESCS = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)
_TRAILING_DIGITS = re.compile(r"\\d(?:\{(\d+)(?:,\d*)?\})?$")
_MAX_REMEMBERED = 200_000  # shapes, a few MB; forgotten all at once past that
_decided: dict[tuple[int, int, str], bool] = {}


def is_valid_number(number: PhoneNumber) -> bool:
    """Exactly ``phonenumbers.is_valid_number(number)``."""
    code = number.country_code
    free = free_digits(code) if code is not None else 0
    if code is None or not free:
        return bool(phonenumbers.is_valid_number(number))
    nsn = phonenumbers.national_significant_number(number)
    key = _shape(code, nsn, free)
    decided = _decided.get(key)
    if decided is None:
        if len(_decided) >= _MAX_REMEMBERED:
            _decided.clear()
        decided = _decided[key] = bool(phonenumbers.is_valid_number(number))
    return decided


def remembered_valid(country_code: int, national_number: str) -> bool | None:
    """What :func:`is_valid_number` answered for a number of this shape, if it was asked."""
    free = free_digits(country_code)
    return _decided.get(_shape(country_code, national_number, free)) if free else None


def _shape(code: int, nsn: str, free: int) -> tuple[int, int, str]:
    return (code, len(nsn), nsn[: max(0, len(nsn) - free)])


@functools.cache
def free_digits(country_code: int) -> int:
    """How many trailing digits no pattern of this country code constrains (0: unknown)."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if len(regions) != 1:
        return 0  # the region is chosen by the number's digits: ask every time
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    if metadata is None:
        return 0
    descs = (getattr(metadata, name, None) for name in _DESCS)
    patterns = [d.national_number_pattern for d in descs if d and d.national_number_pattern]
    return min((_trailing(alt) for p in patterns for alt in _alternatives(p)), default=0)


def _trailing(alternative: str) -> int:
    """Digits that any digits may fill at the end of one alternative (``\\d{n}`` gives n)."""
    match = _TRAILING_DIGITS.search(alternative)
    if match is None:
        return 0
    return int(match[1]) if match[1] else 1


def _alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regular expression."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts
