"""SMS encoding (GSM 03.38 7-bit or UCS-2) and segmentation.

Written by hand: the PyPI options such as gsm0338 only give a codec and no segmenting,
and what we need is the count (units, segments) and the split, not the encoded bytes.

Rules implemented here:

* GSM-7 when every character is in the GSM 03.38 default alphabet or its extension
  table; an extension character costs two septets (ESC + char).
* Otherwise UCS-2, counted in UTF-16 code units, so a character outside the BMP
  (an emoji) costs two units. Any Cyrillic letter therefore forces UCS-2.
* A message fits one SMS up to 160 septets / 70 units. Longer messages are
  concatenated; the user data header takes room, leaving 153 septets / 67 units
  a part. A part never ends in the middle of an escape pair or a surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet, in code order 0x00..0x7F, without 0x1B (ESC), which
# introduces the extension table and is not a character of its own.
_GSM7_BASIC: Final[frozenset[str]] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# Extension table: each of these is sent as ESC + code, i.e. two septets.
_GSM7_EXTENSION: Final[frozenset[str]] = frozenset("\f^{}\\[~]|€")

_GSM7_ALL: Final[frozenset[str]] = _GSM7_BASIC | _GSM7_EXTENSION


@dataclass(frozen=True)
class _Limits:
    single: int  # units that fit one stand-alone SMS
    concatenated: int  # units per part once a user data header is needed


_LIMITS: Final[dict[Encoding, _Limits]] = {
    "GSM-7": _Limits(single=160, concatenated=153),
    "UCS-2": _Limits(single=70, concatenated=67),
}


@dataclass(frozen=True)
class SmsEncoding:
    """How a text goes over the air and how many SMS it takes."""

    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int  # 1 when it fits a single SMS, else the number of concatenated parts
    characters: int  # code points in the text


def _choose_encoding(text: str) -> Encoding:
    # A single character outside GSM 03.38 switches the whole message to UCS-2.
    return "GSM-7" if all(char in _GSM7_ALL for char in text) else "UCS-2"


def _unit_cost(char: str, encoding: Encoding) -> int:
    if encoding == "GSM-7":
        return 2 if char in _GSM7_EXTENSION else 1
    # Outside the BMP a character is a surrogate pair: two UTF-16 code units.
    return 2 if ord(char) > 0xFFFF else 1


def _count_units(text: str, encoding: Encoding) -> int:
    return sum(_unit_cost(char, encoding) for char in text)


def _pack(text: str, encoding: Encoding, limit: int) -> list[str]:
    """Split greedily into parts of at most `limit` units.

    Working per character (not per unit) is what keeps escape pairs and surrogate
    pairs whole: a two-unit character that does not fit moves to the next part.
    """
    parts: list[str] = []
    start = 0
    used = 0
    for index, char in enumerate(text):
        cost = _unit_cost(char, encoding)
        if used + cost > limit:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def _split(text: str, encoding: Encoding) -> list[str]:
    limits = _LIMITS[encoding]
    if _count_units(text, encoding) <= limits.single:
        return [text]
    return _pack(text, encoding, limits.concatenated)


def split_segments(text: str) -> list[str]:
    """The parts the text is sent as; joined together they give the text back.

    An empty text is one (empty) segment, as it is still one SMS.
    """
    return _split(text, _choose_encoding(text))


def analyse(text: str) -> SmsEncoding:
    """Encoding, size and number of SMS segments of `text`."""
    encoding = _choose_encoding(text)
    # Segments come from the actual split: with two-unit characters a greedy split
    # can need one part more than ceil(units / per_part).
    return SmsEncoding(
        encoding=encoding,
        units=_count_units(text, encoding),
        segments=len(_split(text, encoding)),
        characters=len(text),
    )
