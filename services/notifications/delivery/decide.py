"""Step 2: the care rules, at send time, for a claimed batch.

In one transaction holding advisory locks on the recipients' numbers, re-check
expiry, opt-out, quiet hours and the daily cap *at send time* (a number may
opt out after its message was queued), then mark what may go as dispatched and
renew its lease: the batch's sends start now.
"""

from __future__ import annotations

import collections
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.delivery import care, history
from services.notifications.messages.models import Message
from services.notifications.providers.base import OutgoingSms
from services.notifications.recipients.models import Recipient
from services.notifications.recipients.phones import time_zone_for
from services.notifications.settings import NotificationsSettings

# Messages a recipient has "used up" today: on their way, sent or delivered.
_COUNTED = ("queued", "sent", "delivered")


@dataclass
class _Batch:
    """What the rules need to know about the batch's recipients."""

    session: AsyncSession
    settings: NotificationsSettings
    worker_id: str
    now: datetime
    opted_out: set[str]
    zones: dict[str, ZoneInfo]
    counts: collections.Counter[str]


async def decide(
    sessions: async_sessionmaker[AsyncSession],
    settings: NotificationsSettings,
    worker_id: str,
    message_ids: list[uuid.UUID],
) -> list[OutgoingSms]:
    """Apply the care rules to a batch in one transaction.

    The recipients' advisory locks are taken in one sorted order, so two
    workers deciding for the same number serialise and never deadlock; the
    daily count therefore sees every earlier decision.
    """
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        messages = (
            await session.scalars(
                select(Message)
                .where(
                    Message.id.in_(message_ids),
                    Message.lease_owner == worker_id,  # else lost to another worker
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
        zones = {phone: _zone(settings, phone) for phone in phones}
        batch = _Batch(
            session=session,
            settings=settings,
            worker_id=worker_id,
            now=now,
            opted_out=await _opted_out(session, phones),
            zones=zones,
            counts=await _counts_today(session, messages, zones, now),
        )
        return [sms for m in messages if (sms := _apply_care_rules(batch, m)) is not None]


def _zone(settings: NotificationsSettings, phone: str) -> ZoneInfo:
    return time_zone_for(
        phone, country_zones=settings.country_time_zones, default=settings.default_time_zone
    )


def _apply_care_rules(batch: _Batch, message: Message) -> OutgoingSms | None:
    settings, now, phone = batch.settings, batch.now, message.to_phone
    worker = batch.worker_id
    if message.expires_at <= now:
        reason = "time to live passed before sending"
        history.finish(batch.session, message, "expired", reason, worker=worker, now=now)
        return None
    if not message.ignore_opt_out and phone in batch.opted_out:
        history.finish(
            batch.session, message, "suppressed", "recipient opted out", worker=worker, now=now
        )
        return None
    if not message.urgent:
        zone = batch.zones[phone]
        start, end = settings.quiet_hours_start, settings.quiet_hours_end
        if care.in_quiet_hours(now, zone, start, end):
            when = care.next_morning(now, zone, end)
            why = f"quiet hours in {zone.key}"
            history.reschedule(
                batch.session, message, when, "deferred", why, worker=worker, now=now
            )
            return None
        if batch.counts[phone] >= settings.daily_cap:
            when = care.tomorrow_morning(now, zone, end)
            why = f"daily cap of {settings.daily_cap} reached"
            history.reschedule(
                batch.session, message, when, "deferred", why, worker=worker, now=now
            )
            return None
    batch.counts[phone] += 1
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
