"""Listing and searching people.

``q`` is read as a PIN (14 digits), a phone number (digits in any common
format, parsed with phonenumbers in the configured region) or names in either
script. Names are matched through ``person_name_keys`` (see ``names``): the
query's keys find every person within about one edit per token with an
ordinary b-tree lookup, which works on any PostgreSQL (no pg_trgm). The
candidates are ranked here: more query tokens matched, then smaller total edit
distance between skeletons (exact spellings first; a token found only in the
patronymic counts as one edit), then name order.

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
from sqlalchemy import Select, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons.models import Person
from services.registry.persons.names import deletion_keys, edit_distance, name_tokens
from services.registry.persons.service import searchable_names
from shared.errors import InvalidInput
from shared.pagination import CursorKey, KeyBigInt, KeyText, KeyUuid

MAX_CANDIDATES = 200
MAX_QUERY_TOKENS = 6
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
    else:
        ranked = await _by_name(session, text_q, filters)
    page = ranked[offset : offset + limit]
    more = len(ranked) > offset + limit
    return page, _SEARCH_CURSOR.encode((offset + limit,)) if more else None


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


async def _by_name(session: AsyncSession, q: str, filters: Filters) -> list[Person]:
    tokens = [t[:24] for t in name_tokens(q)[:MAX_QUERY_TOKENS]]
    if not tokens:
        return []
    keys, idx, exact = [], [], []
    for i, token in enumerate(tokens):
        for key in deletion_keys(token):
            keys.append(key)
            idx.append(i)
            exact.append(key == token[:24])
    ids = await _candidate_ids(session, keys, idx, exact, filters)
    if not ids:
        return []
    people = (await session.scalars(select(Person).where(Person.id.in_(ids)))).all()
    return sorted(people, key=lambda p: _rank(tokens, p))


async def _candidate_ids(
    session: AsyncSession,
    keys: list[str],
    idx: list[int],
    exact: list[bool],
    filters: Filters,
) -> list[uuid.UUID]:
    # Join persons only when filtering: the common name-only search then
    # reads nothing but the covering (key, person_id, exact) index.
    conditions = [
        f"p.{column} = :{column}"
        for column in ("pin", "phone", "region", "status")
        if getattr(filters, column)
    ]
    join = "JOIN persons AS p ON p.id = k.person_id" if conditions else ""
    where = "".join(f" AND {c}" for c in conditions)
    # Hash aggregates need a little more memory than the default 4MB for
    # common names at 100k+ people; LOCAL keeps it to this transaction.
    await session.execute(text("SET LOCAL work_mem = '32MB'"))
    statement = text(
        f"""
        WITH hits AS MATERIALIZED (
            SELECT k.person_id, k.key, k.exact
            FROM person_name_keys AS k {join}
            WHERE k.key = ANY(CAST(:keys AS text[])){where}
        ),
        per_token AS (
            SELECT h.person_id, q.idx, bool_or(h.exact AND q.exact) AS exact
            FROM hits AS h
            JOIN unnest(CAST(:keys AS text[]), CAST(:idx AS int[]), CAST(:exact AS bool[]))
                 AS q(key, idx, exact) ON h.key = q.key
            GROUP BY h.person_id, q.idx
        )
        SELECT person_id FROM per_token
        GROUP BY person_id
        ORDER BY count(*) DESC, count(*) FILTER (WHERE exact) DESC, person_id
        LIMIT :cap
        """  # noqa: S608 - only fixed column names are interpolated
    )
    result = await session.execute(
        statement,
        {
            "keys": keys,
            "idx": idx,
            "exact": exact,
            "cap": MAX_CANDIDATES,
            **{c: getattr(filters, c) for c in ("pin", "phone", "region", "status")},
        },
    )
    return [row[0] for row in result]


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
    if abs(len(a) - len(b)) > 2:
        return 3  # beyond what counts as a match; no need for the exact figure
    return min(edit_distance(a, b), 3)


def _token_distance(token: str, proper: tuple[str, ...], patronymic: tuple[str, ...]) -> int:
    # A token found only in the patronymic ("Nurlan" in "Nurlan uulu") ranks
    # like a one-letter typo: after people who carry it as their own name.
    if token in proper:
        return 0
    best = min((_distance(token, o) for o in proper), default=3)
    if patronymic:
        best = min(best, 1 + min(_distance(token, o) for o in patronymic))
    return best


def _rank(tokens: list[str], person: Person) -> tuple[int, int, str, str, str]:
    proper, patronymic = _own_tokens(searchable_names(person))
    distances = [_token_distance(t, proper, patronymic) for t in tokens]
    unmatched = sum(d > 2 for d in distances)
    return (unmatched, sum(distances), person.last_name, person.first_name, str(person.id))
