"""Listing and searching people.

``q`` is read as a PIN (14 digits), a phone number (digits in any common
format, parsed with phonenumbers in the configured region) or names in either
script. Names are matched in two steps that both work on any PostgreSQL (no
pg_trgm): the query tokens' deletion keys find the registry's spellings within
about one edit in ``name_vocabulary`` (its size follows the number of distinct
names), then a GIN index on ``persons.name_tokens`` finds the people carrying
one of those spellings for every query token, exact spellings first, at most
``MAX_CANDIDATES`` of them (see ``_passes``). Work grows with how many people
share the searched names, not with the registry. The candidates are ranked
here: more query tokens matched, then smaller total edit distance between
skeletons (a token found only in the patronymic counts as one edit), then
name order.

A name search returns at most ``MAX_CANDIDATES`` ranked people, paged with
an offset cursor; plain listing pages by keyset on (last name, first name, id).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from sqlalchemy import Select, String, cast, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons.models import NameVocabulary, Person
from services.registry.persons.names import (
    PATRONYMIC_MARK,
    deletion_keys,
    edit_distance,
    name_tokens,
)
from shared.errors import InvalidInput
from shared.pagination import CursorKey, KeyBigInt, KeyText, KeyUuid

MAX_CANDIDATES = 200
MAX_QUERY_TOKENS = 6
# Symmetric one-deletion keys reach some two-edit spellings too (a swapped
# pair of letters); they count, ranked after the closer ones.
MAX_EDITS = 2
_NUMERIC = re.compile(r"^[\d\s+\-().]+$")


@dataclass(frozen=True)
class Filters:
    pin: str | None = None
    phone: str | None = None  # already E.164
    region: str | None = None
    status: str | None = None


def parse_phone_query(raw: str, default_region: str) -> str | None:
    """E.164 for anything phonenumbers reads as a valid number, else None."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _filtered(query: Select[Person], filters: Filters) -> Select[Person]:
    if filters.pin:
        query = query.where(Person.pin == filters.pin)
    if filters.phone:
        query = query.where(Person.phone == filters.phone)
    if filters.region:
        query = query.where(Person.region == filters.region)
    if filters.status:
        query = query.where(Person.status == filters.status)
    return query


# Lists page on (last name, first name, id); search pages on an offset into its ranking.
_LIST_CURSOR = CursorKey(tuple[KeyText, KeyText, KeyUuid])
_SEARCH_CURSOR = CursorKey(tuple[KeyBigInt])


async def list_persons(
    session: AsyncSession, filters: Filters, limit: int, cursor: str | None
) -> tuple[Sequence[Person], str | None]:
    order = (Person.last_name, Person.first_name, Person.id)
    query = _filtered(select(Person), filters).order_by(*order).limit(limit + 1)
    if cursor:
        query = query.where(tuple_(*order) > tuple_(*_LIST_CURSOR.decode(cursor)))
    rows = (await session.scalars(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        _LIST_CURSOR.encode((rows[-1].last_name, rows[-1].first_name, rows[-1].id))
        if more
        else None
    )
    return rows, next_cursor


async def search_persons(
    session: AsyncSession,
    q: str,
    filters: Filters,
    default_region: str,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Person], str | None]:
    """People matching ``q`` (and the filters), best match first."""
    offset = _offset(cursor)
    text_q = q.strip()
    if _NUMERIC.match(text_q) and any(c.isdigit() for c in text_q):
        ranked = await _by_number(session, text_q, filters, default_region)
        page, found = ranked[offset : offset + limit], len(ranked)
    else:
        wanted = min(offset + limit + 1, MAX_CANDIDATES)  # the page, and whether more follow
        ranked_ids = await _by_name(session, text_q, filters, wanted)
        page = await _people(session, ranked_ids[offset : offset + limit])
        found = len(ranked_ids)
    more = found > offset + limit
    return page, _SEARCH_CURSOR.encode((offset + limit,)) if more else None


async def _people(session: AsyncSession, ids: list[uuid.UUID]) -> list[Person]:
    """The page's people, in the ranked order (only these are loaded in full)."""
    found = {p.id: p for p in (await session.scalars(select(Person).where(Person.id.in_(ids))))}
    return [found[i] for i in ids if i in found]


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    (offset,) = _SEARCH_CURSOR.decode(cursor)
    if offset > MAX_CANDIDATES:
        raise InvalidInput(("query", "cursor"), "not a cursor this service issued")
    return offset


async def _by_number(
    session: AsyncSession, q: str, filters: Filters, default_region: str
) -> list[Person]:
    digits = re.sub(r"\D", "", q)
    if len(digits) == 14 and not q.startswith("+"):
        query = select(Person).where(Person.pin == digits)
    else:
        phone = parse_phone_query(q, default_region)
        if phone is None:
            return []
        query = select(Person).where(Person.phone == phone)
    query = _filtered(query, filters).order_by(Person.id).limit(MAX_CANDIDATES)
    return list((await session.scalars(query)).all())


async def _by_name(session: AsyncSession, q: str, filters: Filters, wanted: int) -> list[uuid.UUID]:
    """Ids of up to MAX_CANDIDATES people, best match first (ranked on names alone).

    A looser pass only runs while fewer than ``wanted`` people were found:
    whoever it adds ranks after everyone the stricter passes found.
    """
    tokens = [t[:24] for t in name_tokens(q)[:MAX_QUERY_TOKENS]]
    if not tokens:
        return []
    spellings = await _spellings(session, tokens)
    found: dict[uuid.UUID, _Names] = {}
    for required in _passes(spellings):
        if len(found) >= wanted:
            break
        for row in await _carrying(session, required, filters, MAX_CANDIDATES - len(found)):
            found.setdefault(row[0], row)
    return [row[0] for row in sorted(found.values(), key=lambda row: _rank(tokens, row))]


async def _spellings(session: AsyncSession, tokens: list[str]) -> list[dict[str, int]]:
    """For each query token, the registry's tokens within about one edit → distance."""
    keys = {key for token in tokens for key in deletion_keys(token)}
    rows = await session.execute(
        select(NameVocabulary.token).where(NameVocabulary.key.in_(keys)).distinct()
    )
    known = [row[0] for row in rows]
    return [{k: d for k in known if (d := _distance(token, k)) <= MAX_EDITS} for token in tokens]


def _passes(spellings: list[dict[str, int]]) -> list[list[list[str]]]:
    """Ever looser requirements, each a list of "carries one of these tokens" (ANDed).

    First the exact spellings as the person's own names; then any spelling
    within reach, in own names or the patronymic; then, for several query
    tokens, only the rarest-looking (longest) token, so a person with one
    name badly misspelt still turns up after the closer matches.
    """
    usable = [s for s in spellings if s]
    if not usable:
        return []
    exact = [[t for t, d in s.items() if d == 0] for s in usable]
    loose = [[*s, *(PATRONYMIC_MARK + t for t in s)] for s in usable]
    passes = []
    if all(exact):
        passes.append(exact)
    passes.append(loose)
    if len(loose) > 1:
        passes.append([max(loose, key=lambda group: min(len(t) for t in group))])
    return passes


# (id, last, first, patronymic, last Latin, first Latin): what ranking needs.
_Names = tuple[uuid.UUID, str, str, str | None, str | None, str | None]
_NAME_COLUMNS = (
    Person.id,
    Person.last_name,
    Person.first_name,
    Person.patronymic,
    Person.last_name_latin,
    Person.first_name_latin,
)


async def _carrying(
    session: AsyncSession, required: list[list[str]], filters: Filters, limit: int
) -> list[_Names]:
    """Up to ``limit`` people whose name tokens meet every requirement.

    Each requirement is an ``&&`` (overlap) on the GIN-indexed array, so
    PostgreSQL ANDs the posting lists of the query's few tokens and reads
    only the matching rows: the cost follows how many people carry those
    names, not the size of the registry, and the LIMIT stops the reading.
    """
    query = select(Person)
    for group in required:
        query = query.where(Person.name_tokens.overlap(cast(group, ARRAY(String(25)))))
    names = _filtered(query, filters).with_only_columns(*_NAME_COLUMNS).limit(limit)
    return [row.tuple() for row in await session.execute(names)]


# Names repeat a great deal (a few thousand spellings cover a population), so
# skeletons and distances are memoised: ranking 200 candidates then costs
# dictionary lookups rather than pure-Python Levenshtein.
@lru_cache(maxsize=100_000)
def _own_tokens(names: tuple[str | None, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens of the names proper, tokens of the patronymic)."""
    last, first, patronymic, last_latin, first_latin = names
    proper = name_tokens(last, first, last_latin, first_latin)
    return tuple(t[:24] for t in proper), tuple(t[:24] for t in name_tokens(patronymic))


@lru_cache(maxsize=200_000)
def _distance(a: str, b: str) -> int:
    if abs(len(a) - len(b)) > MAX_EDITS:
        return MAX_EDITS + 1  # beyond what counts as a match; no need for the exact figure
    return min(edit_distance(a, b), MAX_EDITS + 1)


def _token_distance(token: str, proper: tuple[str, ...], patronymic: tuple[str, ...]) -> int:
    # A token found only in the patronymic ("Nurlan" in "Nurlan uulu") ranks
    # like a one-letter typo: after people who carry it as their own name.
    if token in proper:
        return 0
    best = min((_distance(token, o) for o in proper), default=3)
    if patronymic:
        best = min(best, 1 + min(_distance(token, o) for o in patronymic))
    return best


def _rank(tokens: list[str], row: _Names) -> tuple[int, int, str, str, str]:
    ident, last, first, patronymic, last_latin, first_latin = row
    proper, father = _own_tokens((last, first, patronymic, last_latin, first_latin))
    distances = [_token_distance(t, proper, father) for t in tokens]
    unmatched = sum(d > MAX_EDITS for d in distances)
    return (unmatched, sum(distances), last, first, str(ident))
