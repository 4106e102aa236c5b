"""Opt-out and opt-in, and what a number's owner reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.recipients.models import Recipient


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
