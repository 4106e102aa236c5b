"""Step 1: lease a batch of due messages to one worker.

One short transaction with ``FOR UPDATE SKIP LOCKED``, so concurrent workers
never take the same row and never wait on each other. The lease (not a held
lock) marks them taken: a worker that dies mid-send lets its lease lapse and
the messages are due again for anyone. A worker finishes every send of a batch
before it claims again, so a message still leased to it at a claim is one whose
outcome it could not record (the database went away): it is due again at once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.messages.models import Message
from services.notifications.settings import NotificationsSettings


async def claim(
    sessions: async_sessionmaker[AsyncSession], settings: NotificationsSettings, worker_id: str
) -> list[uuid.UUID]:
    due = (
        select(Message.id)
        .where(
            Message.status == "queued",
            Message.next_attempt_at <= func.now(),
            or_(
                Message.lease_expires_at.is_(None),
                Message.lease_expires_at < func.now(),
                Message.lease_owner == worker_id,
            ),
        )
        .order_by(Message.urgent.desc(), Message.next_attempt_at)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    )
    lease_until = func.now() + timedelta(seconds=settings.lease_seconds)
    stmt = (
        update(Message)
        .where(Message.id.in_(due.scalar_subquery()))
        .values(lease_owner=worker_id, lease_expires_at=lease_until)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as session, session.begin():
        return list((await session.scalars(stmt)).all())
