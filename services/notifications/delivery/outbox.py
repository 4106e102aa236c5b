"""The worker's three steps per message: claim, decide, record.

1. ``claim``: one short transaction leases a batch of due messages with
   ``FOR UPDATE SKIP LOCKED``, so concurrent workers never take the same row
   and never wait on each other. The lease (not a held lock) marks them taken:
   a worker that dies mid-send lets its lease lapse and the messages are due
   again for anyone.
2. ``decide``: per message, under an advisory lock on the recipient's number,
   re-check expiry, opt-out, quiet hours and the daily cap *at send time* (a
   number may opt out after its message was queued), then mark it dispatched.
3. send outside any transaction, then ``record`` the outcome; every attempt
   is an event in the history.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.delivery import care
from services.notifications.messages.models import Message, MessageEvent, ProviderCounter
from services.notifications.providers.base import (
    OutgoingSms,
    PermanentFailure,
    Provider,
    SendResult,
    TemporaryFailure,
)
from services.notifications.recipients import service as recipients
from services.notifications.recipients.phones import time_zone_for
from services.notifications.settings import NotificationsSettings

log = logging.getLogger("migreg.worker")

# Messages a recipient has "used up" today: on their way, sent or delivered.
_COUNTED = ("queued", "sent", "delivered")
COUNTER_SHARDS = 32


@dataclass
class Outbox:
    settings: NotificationsSettings
    sessions: async_sessionmaker[AsyncSession]
    provider: Provider
    # Host and pid say which process on which machine holds a lease.
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    rng: random.Random = field(default_factory=random.Random)

    async def claim(self) -> list[uuid.UUID]:
        due = (
            select(Message.id)
            .where(
                Message.status == "queued",
                Message.next_attempt_at <= func.now(),
                or_(Message.lease_expires_at.is_(None), Message.lease_expires_at < func.now()),
            )
            .order_by(Message.urgent.desc(), Message.next_attempt_at)
            .limit(self.settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        lease_until = func.now() + timedelta(seconds=self.settings.lease_seconds)
        stmt = (
            update(Message)
            .where(Message.id.in_(due.scalar_subquery()))
            .values(lease_owner=self.worker_id, lease_expires_at=lease_until)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
        async with self.sessions() as session, session.begin():
            return list((await session.scalars(stmt)).all())

    async def deliver(self, message_id: uuid.UUID) -> None:
        """Decide, send and record one claimed message."""
        sms = await self.decide(message_id)
        if sms is None:
            return
        try:
            result: SendResult | Exception = await self.provider.send(sms)
        except (TemporaryFailure, PermanentFailure) as exc:
            result = exc
        except Exception as exc:  # a provider bug must not lose the message: retry it
            log.exception("provider raised unexpectedly", extra={"message_id": str(message_id)})
            result = TemporaryFailure(f"provider error: {type(exc).__name__}")
        await self.record(message_id, result)

    async def decide(self, message_id: uuid.UUID) -> OutgoingSms | None:
        async with self.sessions() as session, session.begin():
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None or message.lease_owner != self.worker_id:
                return None  # lease lost to another worker
            if message.status != "queued":
                return None
            await session.execute(
                select(func.pg_advisory_xact_lock(func.hashtextextended(message.to_phone, 0)))
            )
            return await self._apply_care_rules(session, message, datetime.now(UTC))

    async def _apply_care_rules(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> OutgoingSms | None:
        settings = self.settings
        if message.expires_at <= now:
            self._finish(session, message, "expired", "time to live passed before sending", now)
            return None
        if not message.ignore_opt_out and await recipients.is_opted_out(session, message.to_phone):
            self._finish(session, message, "suppressed", "recipient opted out", now)
            return None
        if not message.urgent:
            zone = time_zone_for(
                message.to_phone,
                country_zones=settings.country_time_zones,
                default=settings.default_time_zone,
            )
            start, end = settings.quiet_hours_start, settings.quiet_hours_end
            if care.in_quiet_hours(now, zone, start, end):
                when = care.next_morning(now, zone, end)
                self._defer(session, message, when, f"quiet hours in {zone.key}", now)
                return None
            sent_today = await self._count_today(session, message, care.local_day_start(now, zone))
            if sent_today >= settings.daily_cap:
                when = care.tomorrow_morning(now, zone, end)
                self._defer(
                    session, message, when, f"daily cap of {settings.daily_cap} reached", now
                )
                return None
        message.dispatched_at = now
        return OutgoingSms(
            message_id=message.id,
            to=message.to_phone,
            text=message.text,
            encoding=message.encoding,
            segments=message.segments,
        )

    async def _count_today(self, session: AsyncSession, message: Message, since: datetime) -> int:
        count = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.to_phone == message.to_phone,
                Message.dispatched_at >= since,
                Message.status.in_(_COUNTED),
                Message.id != message.id,
            )
        )
        return int(count or 0)

    async def record(self, message_id: uuid.UUID, result: SendResult | Exception) -> None:
        now = datetime.now(UTC)
        name = self.provider.name
        async with self.sessions() as session, session.begin():
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None or message.lease_owner != self.worker_id:
                log.warning("lease lost before recording", extra={"message_id": str(message_id)})
                return
            message.attempts += 1
            message.provider = name
            if isinstance(result, SendResult):
                outcome = "sent"
                self._sent(session, message, result, now)
            elif isinstance(result, PermanentFailure):
                outcome = "failed"
                self._finish(session, message, "failed", str(result), now, kind="failed")
            else:
                outcome = "temporary_failure"
                self._retry_or_give_up(session, message, str(result), now)
            await _count(session, name, outcome, shard=message_id.int % COUNTER_SHARDS)

    def _sent(
        self, session: AsyncSession, message: Message, result: SendResult, now: datetime
    ) -> None:
        message.provider_message_id = result.provider_message_id
        message.sent_at = now
        message.lease_owner = message.lease_expires_at = None
        message.updated_at = now
        if message.status == "queued":  # a delivery report may have raced ahead
            message.status = "sent"
        self._event(session, message, "sent", "sent", None, now)

    def _retry_or_give_up(
        self, session: AsyncSession, message: Message, error: str, now: datetime
    ) -> None:
        settings = self.settings
        if message.attempts >= settings.max_attempts:
            reason = f"gave up after {message.attempts} attempts: {error}"
            self._finish(session, message, "failed", reason, now, kind="failed")
            return
        delay = care.backoff_seconds(
            message.attempts,
            settings.retry_base_seconds,
            settings.retry_max_seconds,
            self.rng.random(),
        )
        when = now + timedelta(seconds=delay)
        if when >= message.expires_at:
            self._finish(
                session, message, "expired", f"would expire before the next try: {error}", now
            )
            return
        message.next_attempt_at = when
        message.lease_owner = message.lease_expires_at = None
        message.updated_at = now
        detail = f"{error}; next try at {when.isoformat(timespec='seconds')}"
        self._event(session, message, "attempt_failed", "queued", detail, now)

    def _defer(
        self, session: AsyncSession, message: Message, when: datetime, why: str, now: datetime
    ) -> None:
        if when >= message.expires_at:
            self._finish(session, message, "expired", f"would expire while waiting ({why})", now)
            return
        message.next_attempt_at = when
        message.lease_owner = message.lease_expires_at = None
        message.updated_at = now
        detail = f"{why}; waits until {when.isoformat(timespec='minutes')}"
        self._event(session, message, "deferred", "queued", detail, now)

    def _finish(
        self,
        session: AsyncSession,
        message: Message,
        status: str,
        reason: str,
        now: datetime,
        *,
        kind: str | None = None,
    ) -> None:
        message.status = status
        message.status_reason = reason
        message.lease_owner = message.lease_expires_at = None
        message.updated_at = now
        self._event(session, message, kind or status, status, reason, now)

    def _event(
        self,
        session: AsyncSession,
        message: Message,
        kind: str,
        status: str,
        detail: str | None,
        now: datetime,
    ) -> None:
        attempt = message.attempts if kind in ("sent", "failed", "attempt_failed") else None
        session.add(
            MessageEvent(
                message_id=message.id,
                kind=kind,
                status=status,
                detail=detail,
                attempt=attempt,
                provider=message.provider if attempt else None,
                worker=self.worker_id,
                at=now,
            )
        )


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
