"""The worker's three steps per message: claim, decide, record.

1. ``claim``: one short transaction leases a batch of due messages with
   ``FOR UPDATE SKIP LOCKED``, so concurrent workers never take the same row
   and never wait on each other. The lease (not a held lock) marks them taken:
   a worker that dies mid-send lets its lease lapse and the messages are due
   again for anyone.
2. ``decide``: for the batch, in one transaction holding advisory locks on
   the recipients' numbers, re-check expiry, opt-out, quiet hours and the
   daily cap *at send time* (a number may opt out after its message was
   queued), then mark what may go as dispatched.
3. send outside any transaction, then ``record`` each outcome in its own
   short transaction; every attempt is an event in the history.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, text, update
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
from services.notifications.recipients.models import Recipient
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

    async def deliver(self, message_ids: list[uuid.UUID]) -> None:
        """Decide on a claimed batch, send what may go, record each outcome."""
        ready = await self.decide(message_ids)
        slots = asyncio.Semaphore(self.settings.send_concurrency)

        async def send_one(sms: OutgoingSms) -> None:
            async with slots:
                await self.record(sms.message_id, await self._send(sms))

        await asyncio.gather(*(send_one(sms) for sms in ready))

    async def _send(self, sms: OutgoingSms) -> SendResult | Exception:
        try:
            # Bounds the whole call, so the batch ends well inside its lease
            # (settings check lease_seconds against this).
            async with asyncio.timeout(self.settings.send_timeout_seconds):
                return await self.provider.send(sms)
        except TimeoutError:
            return TemporaryFailure(f"send took over {self.settings.send_timeout_seconds:g} s")
        except (TemporaryFailure, PermanentFailure) as exc:
            return exc
        except Exception as exc:  # a provider bug must not lose the message: retry it
            log.exception("provider raised unexpectedly", extra={"message_id": str(sms.message_id)})
            return TemporaryFailure(f"provider error: {type(exc).__name__}")

    async def decide(self, message_ids: list[uuid.UUID]) -> list[OutgoingSms]:
        """Apply the care rules to a batch in one transaction.

        The recipients' advisory locks are taken in one sorted order, so two
        workers deciding for the same number serialise and never deadlock;
        the daily count therefore sees every earlier decision.
        """
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            messages = (
                await session.scalars(
                    select(Message)
                    .where(
                        Message.id.in_(message_ids),
                        Message.lease_owner == self.worker_id,  # else lost to another worker
                        Message.status == "queued",
                    )
                    .order_by(Message.urgent.desc(), Message.next_attempt_at, Message.id)
                    .with_for_update()
                )
            ).all()
            if not messages:
                return []
            phones = sorted({m.to_phone for m in messages})
            await _lock_recipients(session, phones)
            opted_out = await _opted_out(session, phones)
            zones = {phone: self._zone(phone) for phone in phones}
            counts = await self._counts_today(session, messages, zones, now)
            ready = []
            for message in messages:
                sms = self._apply_care_rules(session, message, now, opted_out, zones, counts)
                if sms is not None:
                    ready.append(sms)
            return ready

    def _zone(self, phone: str) -> ZoneInfo:
        return time_zone_for(
            phone,
            country_zones=self.settings.country_time_zones,
            default=self.settings.default_time_zone,
        )

    def _apply_care_rules(
        self,
        session: AsyncSession,
        message: Message,
        now: datetime,
        opted_out: set[str],
        zones: dict[str, ZoneInfo],
        counts: collections.Counter[str],
    ) -> OutgoingSms | None:
        settings = self.settings
        phone = message.to_phone
        if message.expires_at <= now:
            self._finish(session, message, "expired", "time to live passed before sending", now)
            return None
        if not message.ignore_opt_out and phone in opted_out:
            self._finish(session, message, "suppressed", "recipient opted out", now)
            return None
        if not message.urgent:
            zone = zones[phone]
            start, end = settings.quiet_hours_start, settings.quiet_hours_end
            if care.in_quiet_hours(now, zone, start, end):
                when = care.next_morning(now, zone, end)
                self._defer(session, message, when, f"quiet hours in {zone.key}", now)
                return None
            if counts[phone] >= settings.daily_cap:
                when = care.tomorrow_morning(now, zone, end)
                self._defer(
                    session, message, when, f"daily cap of {settings.daily_cap} reached", now
                )
                return None
        counts[phone] += 1
        message.dispatched_at = now
        # The lease runs from now, not from the claim: the batch's sends start here.
        message.lease_expires_at = now + timedelta(seconds=settings.lease_seconds)
        return OutgoingSms(
            message_id=message.id,
            to=phone,
            text=message.text,
            encoding=message.encoding,
            segments=message.segments,
        )

    async def _counts_today(
        self,
        session: AsyncSession,
        batch: Sequence[Message],
        zones: dict[str, ZoneInfo],
        now: datetime,
    ) -> collections.Counter[str]:
        """Messages each recipient has had since their own local midnight,
        outside this batch (the batch is counted as it is decided)."""
        since = {phone: care.local_day_start(now, zone) for phone, zone in zones.items()}
        rows = await session.execute(
            select(Message.to_phone, Message.dispatched_at).where(
                Message.to_phone.in_(list(zones)),
                Message.dispatched_at >= min(since.values()),
                Message.status.in_(_COUNTED),
                Message.id.not_in([m.id for m in batch]),
            )
        )
        counts: collections.Counter[str] = collections.Counter()
        for phone, dispatched_at in rows.tuples():
            if dispatched_at is not None and dispatched_at >= since[phone]:
                counts[phone] += 1
        return counts

    async def record(self, message_id: uuid.UUID, result: SendResult | Exception) -> None:
        now = datetime.now(UTC)
        name = self.provider.name
        async with self.sessions() as session, session.begin():
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None:
                return
            if message.lease_owner != self.worker_id:
                self._lease_lost(session, message, result, now)
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

    def _lease_lost(
        self,
        session: AsyncSession,
        message: Message,
        result: SendResult | Exception,
        now: datetime,
    ) -> None:
        """Another worker took the message over while this one was sending:
        its state is theirs now, but the attempt still goes in the history."""
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
                provider=self.provider.name,
                worker=self.worker_id,
                at=now,
            )
        )

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


async def _lock_recipients(session: AsyncSession, phones: list[str]) -> None:
    # One statement; unnest yields the sorted keys in order, so every worker
    # takes the locks in the same order.
    keys = sorted({_lock_key(phone) for phone in phones})
    await session.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
        {"keys": keys},
    )


def _lock_key(phone: str) -> int:
    # A stable signed 64-bit key per number (Python's hash() varies per process).
    digest = hashlib.blake2b(phone.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _opted_out(session: AsyncSession, phones: list[str]) -> set[str]:
    rows = await session.scalars(
        select(Recipient.phone).where(
            Recipient.phone.in_(phones), Recipient.opted_out_at.is_not(None)
        )
    )
    return set(rows.all())


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
