"""The worker's three steps per batch: claim, decide, send and record.

1. ``claim.py``: lease a batch of due messages (``FOR UPDATE SKIP LOCKED``).
2. ``decide.py``: the care rules at send time; what may go is dispatched and
   its lease renewed.
3. send outside any transaction, each call bounded by ``send_timeout_seconds``
   (the settings check that a batch's sends fit inside the lease), then
   ``record.py`` writes each outcome in its own short transaction.

Delivery is at-least-once after a worker crash: the gateway must deduplicate on
the client reference (our message id).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.delivery import claim as claiming
from services.notifications.delivery import decide as deciding
from services.notifications.delivery import record as recording
from services.notifications.providers.base import (
    OutgoingSms,
    PermanentFailure,
    Provider,
    SendResult,
    TemporaryFailure,
)
from services.notifications.settings import NotificationsSettings

log = logging.getLogger("migreg.worker")


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
        return await claiming.claim(self.sessions, self.settings, self.worker_id)

    async def decide(self, message_ids: list[uuid.UUID]) -> list[OutgoingSms]:
        return await deciding.decide(self.sessions, self.settings, self.worker_id, message_ids)

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
            # Bounds the whole call, so the batch ends well inside its lease.
            async with asyncio.timeout(self.settings.send_timeout_seconds):
                return await self.provider.send(sms)
        except TimeoutError:
            return TemporaryFailure(f"send took over {self.settings.send_timeout_seconds:g} s")
        except (TemporaryFailure, PermanentFailure) as exc:
            return exc
        except Exception as exc:  # a provider bug must not lose the message: retry it
            log.exception("provider raised unexpectedly", extra={"message_id": str(sms.message_id)})
            return TemporaryFailure(f"provider error: {type(exc).__name__}")

    async def record(self, message_id: uuid.UUID, result: SendResult | Exception) -> None:
        await recording.record(
            self.sessions,
            self.settings,
            worker_id=self.worker_id,
            provider=self.provider.name,
            rng=self.rng,
            message_id=message_id,
            result=result,
        )
