"""Plain listing, newest registrations first (``sort=-created_at``): what a registrar
checks after registering someone. Apart from ``search.py`` so name search is untouched;
pages by keyset on (created_at, id), both descending."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons.models import Person
from services.registry.persons.search import Filters, filtered
from shared.pagination import CursorKey, KeyTimestamp, KeyUuid

_NEWEST_CURSOR = CursorKey(tuple[KeyTimestamp, KeyUuid])


async def newest_first(
    session: AsyncSession, filters: Filters, limit: int, cursor: str | None
) -> tuple[Sequence[Person], str | None]:
    order = (Person.created_at, Person.id)
    query = filtered(select(Person), filters)
    query = query.order_by(*(column.desc() for column in order)).limit(limit + 1)
    if cursor:
        query = query.where(tuple_(*order) < tuple_(*_NEWEST_CURSOR.decode(cursor)))
    rows = (await session.scalars(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return rows, _NEWEST_CURSOR.encode((last.created_at, last.id)) if last else None
