"""Officers seen changing cases, so colleagues can assign cases to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Officer
from shared.auth.principal import Principal, Role

# Refreshing an officer's last-seen time on every change would write twice per change.
_SEEN_GRANULARITY = timedelta(hours=1)


async def record_officer(session: AsyncSession, principal: Principal, now: datetime) -> None:
    """Remember an officer and their consulate (the token's claims are already valid).

    Two statements rather than one upsert: ``ON CONFLICT DO UPDATE ... WHERE`` locks the
    existing row even when it changes nothing, which would queue every request of the
    same officer behind their slowest one (say, an opening waiting on the registry).
    """
    if not principal.has_role(Role.consular_officer) or not principal.consulate:
        return  # nobody a colleague could assign a case to
    subject, consulate = principal.subject, principal.consulate
    inserted = await session.execute(
        insert(Officer)
        .values(subject=subject, consulate=consulate, last_seen_at=now)
        .on_conflict_do_nothing()
        .returning(Officer.subject)
    )
    if inserted.first() is not None:
        return
    await session.execute(
        update(Officer)
        .where(
            Officer.subject == subject,
            (Officer.consulate != consulate) | (Officer.last_seen_at < now - _SEEN_GRANULARITY),
        )
        .values(consulate=consulate, last_seen_at=now)
    )
