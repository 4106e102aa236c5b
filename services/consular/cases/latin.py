"""Latin spellings of Kyrgyz and Russian names as the Cyrillic words they may stand for,
so "Abdykadyrov" finds a case whose person is Абдыкадыров. Cases keep names as the
registry has them (Cyrillic), and their search index holds those words as they are.

Written here by hand: the common passport and everyday romanisations read backwards,
a few dozen letters; a library (e.g. ``transliterate``) gives one spelling, not the
ambiguous ones (u: у or ү, o: о or ө, y: ы or й). Alternatives multiply, so past
``MAX_SPELLINGS`` the first reading of each letter is kept."""

from __future__ import annotations

import re
from itertools import product

MAX_SPELLINGS = 16
_LATIN = re.compile(r"[a-zäöüñ]+")
# Longest first: a digraph is read before its letters.
_READINGS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sh": ("ш",),
    "ch": ("ч",),
    "zh": ("ж",),
    "kh": ("х",),
    "ts": ("ц", "тс"),
    "yu": ("ю",),
    "ya": ("я",),
    "yo": ("ё", "йо"),
    "ye": ("е",),
    "ng": ("ң", "нг"),
    "dj": ("дж",),
    "a": ("а",),
    "b": ("б",),
    "c": ("ц", "к"),
    "d": ("д",),
    "e": ("е", "э"),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и",),
    "j": ("ж", "дж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о", "ө"),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у", "ү"),
    "v": ("в",),
    "w": ("в",),
    "x": ("кс",),
    "y": ("ы", "й"),
    "z": ("з",),
    "ä": ("э",),
    "ö": ("ө",),
    "ü": ("ү",),
    "ñ": ("ң",),
}
_LONGEST = max(len(key) for key in _READINGS)


def _pieces(word: str) -> list[tuple[str, ...]]:
    pieces: list[tuple[str, ...]] = []
    at = 0
    while at < len(word):
        for size in range(min(_LONGEST, len(word) - at), 0, -1):
            readings = _READINGS.get(word[at : at + size])
            if readings:
                pieces.append(readings)
                at += size
                break
        else:
            pieces.append((word[at],))
            at += 1
    return pieces


def cyrillic_spellings(word: str) -> list[str]:
    """The Cyrillic words a lower-case Latin ``word`` may stand for (none if not Latin)."""
    if not _LATIN.fullmatch(word):
        return []
    pieces = _pieces(word)
    kept: list[tuple[str, ...]] = []
    count = 1
    for readings in pieces:
        if count * len(readings) > MAX_SPELLINGS:
            readings = readings[:1]
        count *= len(readings)
        kept.append(readings)
    return ["".join(letters) for letters in product(*kept)]
