"""Name keys for search across Cyrillic and Latin spellings and small typos.

The database has no pg_trgm in every deployment, so fuzzy name search works
on plain strings in an ordinary indexed table: each name token is reduced to a
*skeleton* (:func:`skeleton`), and the skeleton plus its one-letter deletions
(:func:`deletion_keys`) are stored as ``(person_id, key)`` rows. A query
computes the same keys and looks them up with ``key = ANY(:query_keys)``; the
candidates are then ranked with :func:`edit_distance` on skeletons.

Skeleton scheme
---------------
Latin look-alike letters inside a Cyrillic word are read as Cyrillic, the
name is lower-cased, Cyrillic letters are transliterated to a plain Latin
spelling, Latin diacritics are removed and everything but a-z is dropped.
Then, until nothing changes (so ``skeleton`` is idempotent), the rewrites
below are applied in order, doubled letters become single, and an ``i``
before another vowel is dropped.

=====================  ====================  =========
Cyrillic               Latin spellings       skeleton
=====================  ====================  =========
ж, дж                  zh, j, dj, dzh        j
ы, и, й, і             y, i                  i
ү, ұ, ў                u, ü                  u
ө                      o, ö                  o
ң                      ng, ñ, ŋ              n
ю                      yu, iu                u
я                      ya, ia                a
ё                      yo, io                o
е, э                   e, ye, ie             e
х, һ, ҳ                kh, h                 h
ц                      ts, tz                c
ч                      ch, tch, ç, č         c
ш, щ                   sh, sch, shch, ş, š   s
кс                     x, ks                 ks
в                      v, w                  v
к, қ                   k, q                  k
ь, ъ                   ' - space             (dropped)
=====================  ====================  =========

Two choices worth knowing: ч and ц both become ``c`` (Kyrgyz names barely
use ц, and a single letter keeps one sound one edit), and the ``i`` before
another vowel is taken for the glide of я/ю/ё/е (ya, iu, ...) and dropped,
so Мария, Mariya and Maria all agree.

Symmetric delete
----------------
If two strings are at most one edit apart (substitution, insertion or
deletion), deleting at most one character from each makes them equal; so
storing each key together with its single-deletion variants, and querying the
same way, finds every name within one edit without scanning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Cyrillic letters to a plain Latin spelling that the rewrite rules then fold;
# Kazakh, Uzbek and Ukrainian letters are included because such spellings
# turn up in Kyrgyz documents too.
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ү": "u",
    "ө": "o",
    "ң": "ng",
    "і": "i",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ұ": "u",
    "һ": "h",
    "ў": "u",
    "ҳ": "h",
    "ї": "i",
    "є": "e",
    "ґ": "g",
}

# Latin letters whose diacritic changes the sound, so stripping the mark
# (which happens next) would give the wrong letter.
_LATIN_SPECIAL = {
    "ž": "zh",
    "š": "sh",
    "č": "ch",
    "ş": "sh",
    "ç": "ch",
    "ı": "i",
    "ŋ": "ng",
    "ə": "a",
    "ß": "ss",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ł": "l",
}

_TRANSLITERATION = str.maketrans(_CYRILLIC | _LATIN_SPECIAL)

# Latin letters that look like Cyrillic ones. A word holding both scripts was
# almost always typed on the wrong keyboard layout or OCR'd (a Latin X in
# "Xасанов"), so inside such a word these are read as the Cyrillic letter.
_LOOKALIKES = str.maketrans("ABCEHKMOPTXYaceopxy", "АВСЕНКМОРТХУасеорху")
_WORD = re.compile(r"\w+")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Order matters: longer spellings before their parts (shch before sh and ch),
# and kh before sh so that Исхак, Iskhak and Ishak all reach "isak".
_REWRITES = (
    ("shch", "s"),
    ("sch", "s"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("tch", "c"),
    ("ch", "c"),
    ("ts", "c"),
    ("tz", "c"),
    ("sh", "s"),
    ("x", "ks"),
    ("w", "v"),
    ("q", "k"),
    ("y", "i"),
    ("ng", "n"),
)

_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"([a-z])\1+")
_GLIDE = re.compile(r"i(?=[aeou])")
_TOKEN_SPLIT = re.compile(r"[\s\-‐‑‒–—]+")

# Patronymic particles ("son of", "daughter of") are on half the population's
# names, so as search keys they would match nearly everyone.
_PARTICLES = frozenset({"ulu", "kizi", "ogli"})


def skeleton(name: str) -> str:
    """The canonical lowercase ASCII form of a name in either script.

    See the module docstring for the scheme. Returns "" when nothing
    letter-like remains.
    """
    text = _fix_lookalikes(unicodedata.normalize("NFC", name))
    text = text.lower().translate(_TRANSLITERATION)
    text = _strip_marks(text)
    text = _NOT_LETTER.sub("", text)
    while True:
        folded = _fold(text)
        if folded == text:
            return text
        text = folded


def deletion_keys(key: str, max_len: int = 24) -> set[str]:
    """The key and every string made by deleting one of its characters.

    Keys are cut to ``max_len`` first so very long names cost a bounded
    number of rows; two names within one edit still share a key after the
    cut. The empty string is never a key: it would tie every one-letter name
    (an initial, say) to every other.
    """
    key = key[:max_len]
    keys = {key[:i] + key[i + 1 :] for i in range(len(key))}
    keys.add(key)
    keys.discard("")
    return keys


def name_tokens(*names: str | None) -> list[str]:
    """Skeletons of each word in the given names, deduplicated, first-seen order.

    Names split on spaces and hyphens ("Абды-Кадыр" gives two tokens);
    missing names, empty skeletons and patronymic particles (уулу, кызы)
    are skipped.
    """
    # A few tokens a person: a list's linear look beats building a dict (per row of a bulk import).
    tokens: list[str] = []
    for name in names:
        for token in _name_tokens(name) if name else ():
            if token not in tokens:
                tokens.append(token)
    return tokens


@lru_cache(maxsize=65_536)
def _name_tokens(name: str) -> tuple[str, ...]:
    words = (skeleton(word) for word in _TOKEN_SPLIT.split(name))
    return tuple(t for t in words if t and t not in _PARTICLES)


def name_keys(*names: str | None, max_len: int = 24) -> set[str]:
    """Every deletion key of every token of the given names (what gets stored or queried)."""
    keys: set[str] = set()
    for token in name_tokens(*names):
        keys |= deletion_keys(token, max_len)
    return keys


# Marks a token that is only in the patronymic ("~nurlan" for Нурлан уулу), so
# a search can prefer people who carry the name as their own.
PATRONYMIC_MARK = "~"


def search_tokens(
    last: str | None,
    first: str | None,
    patronymic: str | None,
    last_latin: str | None,
    first_latin: str | None,
) -> list[str]:
    """A person's ``name_tokens``: own tokens cut to 24, then marked patronymic-only ones."""
    own = [t[:24] for t in name_tokens(last, first, last_latin, first_latin)]
    father = [t[:24] for t in name_tokens(patronymic)]
    return own + [PATRONYMIC_MARK + t for t in father if t not in own]


def vocabulary_rows(tokens: Iterable[str]) -> list[tuple[str, str]]:
    """(key, token) rows of ``name_vocabulary`` for tokens (unmarked, as stored)."""
    return [(key, token) for token in tokens for key in deletion_keys(token)]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (unit-cost insert, delete, substitute)."""
    if len(a) < len(b):
        a, b = b, a  # keep the row as short as the shorter string
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # delete from a
                    current[j - 1] + 1,  # insert into a
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


def _fix_lookalikes(text: str) -> str:
    return _WORD.sub(_cyrillic_lookalikes, text)


def _cyrillic_lookalikes(word: re.Match[str]) -> str:
    text = word.group()
    return text.translate(_LOOKALIKES) if _HAS_CYRILLIC.search(text) else text


def _strip_marks(text: str) -> str:
    # Only Latin is left at this point, so dropping combining marks turns
    # ü, ö, ñ, é and the like into their base letters.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(text: str) -> str:
    for old, new in _REWRITES:
        text = text.replace(old, new)
    text = _DOUBLED.sub(r"\1", text)
    text = _GLIDE.sub("", text)
    return _DOUBLED.sub(r"\1", text)
