"""Listing and searching people.

``q`` is read as a PIN (14 digits), a phone number (digits in any common
format, parsed with phonenumbers in the configured region) or names in either
script, optionally with a birth date or year. A name search is one SQL
statement (``persons/name_search.py``) that works on any PostgreSQL (no
pg_trgm): it finds the registry's spellings within about one edit in
``name_vocabulary``, at most ``MAX_CANDIDATES`` people carrying a spelling of
every query token through the GIN index on ``persons.name_tokens`` (exact
spellings first), scores and ranks them and returns only the page. Work grows
with how many people share the searched names, not with the registry.

A name search returns at most ``MAX_CANDIDATES`` ranked people, paged with
an offset cursor; plain listing pages by keyset on (last name, first name, id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers
from sqlalchemy import Select, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons import name_search
from services.registry.persons.models import Person
from services.registry.persons.name_search import Filters, NameQuery
from shared.errors import InvalidInput
from shared.pagination import CursorKey, KeyBigInt, KeyText, KeyUuid

__all__ = ["Filters", "filtered", "list_persons", "parse_phone_query", "search_persons"]

MAX_CANDIDATES = 200
_NUMERIC = re.compile(r"^[\d\s+\-().]+$")


def parse_phone_query(raw: str, default_region: str) -> str | None:
    """E.164 for anything phonenumbers reads as a valid number, else None."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def filtered(query: Select[Person], filters: Filters) -> Select[Person]:
    """``query`` narrowed by each filter given (listing and search share them)."""
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
    query = filtered(select(Person), filters).order_by(*order).limit(limit + 1)
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
        page, more = ranked[offset : offset + limit], len(ranked) > offset + limit
    else:
        # One row past the page says whether another follows (within the cap).
        wanted = max(0, min(limit + 1, MAX_CANDIDATES - offset))
        found = await _by_name(session, text_q, filters, offset, wanted)
        page, more = found[:limit], len(found) > limit
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
    query = filtered(query, filters).order_by(Person.id).limit(MAX_CANDIDATES)
    return list((await session.scalars(query)).all())


async def _by_name(
    session: AsyncSession, q: str, filters: Filters, offset: int, limit: int
) -> list[Person]:
    """The ranked people from ``offset`` on, at most ``limit``: one round trip."""
    query = NameQuery.parse(q)
    if not query.tokens or limit <= 0:
        return []
    sql, params = name_search.statement(query, filters, MAX_CANDIDATES, offset, limit)
    found = await session.scalars(select(Person).from_statement(text(sql)), params)
    return list(found.all())
