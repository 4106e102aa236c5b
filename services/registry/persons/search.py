"""Listing and searching people.

``q`` is read as a PIN (14 digits), a phone number (digits in any common
format, parsed with phonenumbers in the configured region) or names in either
script. Names are matched through ``person_name_keys`` (see ``names``): the
query's keys find every person within about one edit per token with an
ordinary b-tree lookup, which works on any PostgreSQL (no pg_trgm). The
candidates are ranked here: more query tokens matched, then smaller total edit
distance between skeletons (exact spellings first), then name order.

A name search returns at most ``MAX_CANDIDATES`` ranked people, paged with
an offset cursor; plain listing pages by keyset on (last name, first name, id).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import Select, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons.models import Person
from services.registry.persons.names import deletion_keys, edit_distance, name_tokens
from services.registry.persons.service import searchable_names
from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor

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


def _filtered(query: Select[tuple[Person]], filters: Filters) -> Select[tuple[Person]]:
    if filters.pin:
        query = query.where(Person.pin == filters.pin)
    if filters.phone:
        query = query.where(Person.phone == filters.phone)
    if filters.region:
        query = query.where(Person.region == filters.region)
    if filters.status:
        query = query.where(Person.status == filters.status)
    return query


async def list_persons(
    session: AsyncSession, filters: Filters, limit: int, cursor: str | None
) -> tuple[Sequence[Person], str | None]:
    order = (Person.last_name, Person.first_name, Person.id)
    query = _filtered(select(Person), filters).order_by(*order).limit(limit + 1)
    if cursor:
        last, first, ident = decode_cursor(cursor, 3)
        try:
            after = (str(last), str(first), uuid.UUID(str(ident)))
        except ValueError as exc:
            raise InvalidInput(("query", "cursor"), "not a cursor this service issued") from exc
        query = query.where(tuple_(*order) > tuple_(*after))
    rows = (await session.scalars(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor([rows[-1].last_name, rows[-1].first_name, str(rows[-1].id)]) if more else None
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
    return page, encode_cursor([offset + limit]) if more else None


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    (offset,) = decode_cursor(cursor, 1)
    if not isinstance(offset, int) or not 0 <= offset <= MAX_CANDIDATES:
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
    tokens = name_tokens(q)[:MAX_QUERY_TOKENS]
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
    # touches nothing but the key index.
    conditions = [
        f"p.{column} = :{column}"
        for column in ("pin", "phone", "region", "status")
        if getattr(filters, column)
    ]
    join = "JOIN persons AS p ON p.id = k.person_id WHERE " + " AND ".join(conditions)
    statement = text(
        f"""
        SELECT k.person_id
        FROM person_name_keys AS k
        JOIN unnest(CAST(:keys AS text[]), CAST(:idx AS int[]), CAST(:exact AS bool[]))
             AS q(key, idx, exact) ON k.key = q.key
        {join if conditions else ""}
        GROUP BY k.person_id
        ORDER BY count(DISTINCT q.idx) DESC,
                 count(DISTINCT q.idx) FILTER (WHERE k.exact AND q.exact) DESC,
                 k.person_id
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


def _rank(tokens: list[str], person: Person) -> tuple[int, int, str, str, str]:
    own = name_tokens(*searchable_names(person))
    distances = [min(edit_distance(t, o[:24]) for o in own) if own else 99 for t in tokens]
    unmatched = sum(d > 2 for d in distances)
    return (unmatched, sum(distances), person.last_name, person.first_name, str(person.id))
