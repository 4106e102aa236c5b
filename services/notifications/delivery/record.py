"""Step 4 (after the send, outside any transaction): record its outcome.

Each outcome in its own short transaction; every attempt is an event in the
history, even one whose lease another worker took over meanwhile.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.delivery import care, history
from services.notifications.messages.models import Message, MessageEvent, ProviderCounter
from services.notifications.providers.base import PermanentFailure, SendResult
from services.notifications.settings import NotificationsSettings

log = logging.getLogger("migreg.worker")

COUNTER_SHARDS = 32


async def record(
    sessions: async_sessionmaker[AsyncSession],
    settings: NotificationsSettings,
    *,
    worker_id: str,
    provider: str,
    rng: random.Random,
    message_id: uuid.UUID,
    result: SendResult | Exception,
) -> None:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        message = await session.get(Message, message_id, with_for_update=True)
        if message is None:
            return
        if message.lease_owner != worker_id:
            _lease_lost(session, message, result, worker=worker_id, provider=provider, now=now)
            return
        message.attempts += 1
        message.provider = provider
        if isinstance(result, SendResult):
            outcome = "sent"
            _sent(session, message, result, worker=worker_id, now=now)
        elif isinstance(result, PermanentFailure):
            outcome = "failed"
            history.finish(
                session, message, "failed", str(result), worker=worker_id, now=now, kind="failed"
            )
        else:
            outcome = "temporary_failure"
            _retry_or_give_up(session, settings, rng, message, str(result), worker_id, now)
        await _count(session, provider, outcome, shard=message_id.int % COUNTER_SHARDS)


def _lease_lost(
    session: AsyncSession,
    message: Message,
    result: SendResult | Exception,
    *,
    worker: str,
    provider: str,
    now: datetime,
) -> None:
    """Another worker took the message over while this one was sending: its
    state is theirs now, but the attempt still goes in the history."""
    log.warning("lease lost before recording", extra={"message_id": str(message.id)})
    if isinstance(result, SendResult):
        kind, detail = "sent_after_lease_lost", f"provider id {result.provider_message_id}"
    else:
        kind, detail = "attempt_after_lease_lost", str(result)
    session.add(
        MessageEvent(
            message_id=message.id,
            kind=kind,
            status=message.status,
            detail=detail,
            provider=provider,
            worker=worker,
            at=now,
        )
    )


def _sent(
    session: AsyncSession, message: Message, result: SendResult, *, worker: str, now: datetime
) -> None:
    message.provider_message_id = result.provider_message_id
    message.sent_at = now
    history.release(message, now)
    if message.status == "queued":  # a delivery report may have raced ahead
        message.status = "sent"
    history.event(session, message, "sent", "sent", None, worker=worker, now=now)


def _retry_or_give_up(
    session: AsyncSession,
    settings: NotificationsSettings,
    rng: random.Random,
    message: Message,
    error: str,
    worker: str,
    now: datetime,
) -> None:
    if message.attempts >= settings.max_attempts:
        reason = f"gave up after {message.attempts} attempts: {error}"
        history.finish(session, message, "failed", reason, worker=worker, now=now, kind="failed")
        return
    delay = care.backoff_seconds(
        message.attempts, settings.retry_base_seconds, settings.retry_max_seconds, rng.random()
    )
    when = now + timedelta(seconds=delay)
    history.reschedule(session, message, when, "attempt_failed", error, worker=worker, now=now)


async def _count(session: AsyncSession, provider: str, outcome: str, *, shard: int) -> None:
    stmt = insert(ProviderCounter).values(provider=provider, outcome=outcome, shard=shard, count=1)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[
                ProviderCounter.provider,
                ProviderCounter.outcome,
                ProviderCounter.shard,
            ],
            set_={"count": ProviderCounter.count + 1},
        )
    )
