"""Opt-out and opt-in, and what a number's owner reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.recipients.models import Recipient
from services.notifications.recipients.phones import parse_e164
from shared.errors import InvalidInput, NotFound
from shared.pagination import CursorKey, KeyText, KeyTimestamp

# How an administrator's opt-out is recorded in place of the keyword the owner texted.
BY_ADMIN = "admin"
_CURSOR = CursorKey(tuple[KeyTimestamp, KeyText])


async def find(session: AsyncSession, phone: str) -> Recipient | None:
    return await session.scalar(select(Recipient).where(Recipient.phone == phone))


async def set_opt_out(
    session: AsyncSession, phone: str, *, keyword: str | None, at: datetime | None
) -> None:
    """Opt out (``at`` set) or back in (``at`` None); repeating either changes nothing."""
    values = {
        "opted_out_at": at,
        "opt_out_keyword": keyword,
        "updated_at": at or datetime.now().astimezone(),
    }
    stmt = insert(Recipient).values(phone=phone, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=[Recipient.phone], set_=values))


def phone_from_path(raw: str) -> str:
    phone = parse_e164(raw)
    if phone is None:
        raise InvalidInput(("path", "phone"), "not a valid phone number in E.164 form")
    return phone


async def opted_out(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[Sequence[Recipient], str | None]:
    """Numbers that opted out, most recent first, keyset-paginated."""
    query = select(Recipient).where(Recipient.opted_out_at.is_not(None))
    if cursor is not None:
        query = query.where(
            tuple_(Recipient.opted_out_at, Recipient.phone) < _CURSOR.decode(cursor)
        )
    query = query.order_by(Recipient.opted_out_at.desc(), Recipient.phone.desc()).limit(limit + 1)
    rows = (await session.scalars(query)).all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    assert last.opted_out_at is not None
    return rows[:limit], _CURSOR.encode((last.opted_out_at, last.phone))


async def opt_out_by_admin(session: AsyncSession, phone: str) -> Recipient:
    """Opt a number out (as if its owner had texted STOP); an existing opt-out stays as it
    was, with its own time and keyword."""
    existing = await find(session, phone)
    if existing is None or existing.opted_out_at is None:
        await set_opt_out(session, phone, keyword=BY_ADMIN, at=datetime.now(UTC))
    session.expire_all()
    recipient = await find(session, phone)
    assert recipient is not None
    return recipient


async def opt_back_in(session: AsyncSession, phone: str) -> None:
    existing = await find(session, phone)
    if existing is None or existing.opted_out_at is None:
        raise NotFound("This number has not opted out.")
    await set_opt_out(session, phone, keyword=None, at=None)
