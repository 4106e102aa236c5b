"""The SMS sender process (``migreg worker notifications``).

Any number of these may run, on any number of machines: they share nothing but the
database. Each round takes a batch of due messages through four steps:

1. ``delivery/claim.py``: lease a batch of due messages (``FOR UPDATE SKIP LOCKED``);
2. ``delivery/decide.py``: the care rules at send time; what may go is dispatched and
   its lease renewed;
3. ``delivery/send.py``: hand each SMS to the provider, outside any transaction;
4. ``delivery/record.py``: write each outcome in its own short transaction.

Delivery is at-least-once after a worker crash: the gateway must deduplicate on the
client reference (our message id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notifications.delivery.claim import claim
from services.notifications.delivery.decide import decide
from services.notifications.delivery.record import record
from services.notifications.delivery.send import send
from services.notifications.inbound.service import answer_pending
from services.notifications.providers import make_provider
from services.notifications.providers.base import OutgoingSms, Provider
from services.notifications.settings import NotificationsSettings
from shared.db import make_engine, make_sessionmaker
from shared.logging import configure_logging

log = logging.getLogger("migreg.worker")


def _new_worker_id() -> str:
    # Host and pid say which process on which machine holds a lease.
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Worker:
    """One sender: its id (the lease owner it writes) and what it works with."""

    settings: NotificationsSettings
    sessions: async_sessionmaker[AsyncSession]
    provider: Provider
    id: str = field(default_factory=_new_worker_id)
    rng: random.Random = field(default_factory=random.Random)


async def work_once(worker: Worker) -> int:
    """One round: a batch of due messages, then due inbound questions.

    Returns how many items were handled (0: nothing is due now).
    """
    claimed = await claim(worker.sessions, worker.settings, worker.id)
    if claimed:
        await deliver(worker, claimed)
    return len(claimed) + await _answer_questions(worker)


async def deliver(worker: Worker, message_ids: list[uuid.UUID]) -> None:
    """Decide on a claimed batch, send what may go, record each outcome."""
    settings = worker.settings
    ready = await decide(worker.sessions, settings, worker.id, message_ids)
    slots = asyncio.Semaphore(settings.send_concurrency)

    async def send_and_record(sms: OutgoingSms) -> None:
        async with slots:
            result = await send(worker.provider, sms, settings.send_timeout_seconds)
            await record(
                worker.sessions,
                settings,
                worker_id=worker.id,
                provider=worker.provider.name,
                rng=worker.rng,
                message_id=sms.message_id,
                result=result,
            )

    # Every send ends before the batch does, even when one fails to record: the next
    # claim may then take back this worker's own leases (delivery/claim.py).
    outcomes = await asyncio.gather(
        *(send_and_record(sms) for sms in ready), return_exceptions=True
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _answer_questions(worker: Worker) -> int:
    """Inbound questions waiting for an answer (a case's status), one transaction each."""
    answered = 0
    for _ in range(worker.settings.batch_size):
        async with worker.sessions() as session, session.begin():
            if not await answer_pending(session, worker.settings):
                break
        answered += 1
    return answered


async def work(
    settings: NotificationsSettings,
    *,
    stop: asyncio.Event | None = None,
    once: bool = False,
    stop_after: float | None = None,
    provider: Provider | None = None,
    worker_id: str | None = None,
) -> None:
    """Send until `stop` is set (or, with `once`, until nothing is due now)."""
    stop = stop or asyncio.Event()
    # At most send_concurrency connections (pool + overflow): workers share the
    # server's connection limit with everyone else.
    engine = make_engine(settings.database_url, pool_size=max(1, settings.send_concurrency // 2))
    provider = provider or make_provider(settings)
    sessions = make_sessionmaker(engine)
    worker = Worker(settings, sessions, provider, id=worker_id or _new_worker_id())
    deadline = time.monotonic() + stop_after if stop_after else None
    log.info("worker started", extra={"provider": provider.name, "worker": worker.id})
    try:
        while not stop.is_set():
            try:
                handled = await work_once(worker)
            except (SQLAlchemyError, OSError):
                # The database went away for a moment: leases bring everything back.
                log.exception("worker round failed; retrying")
                handled = 0
            if deadline and time.monotonic() >= deadline:
                break
            if handled:
                continue
            if once:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.poll_interval_seconds)
    finally:
        await provider.aclose()
        await engine.dispose()
        log.info("worker stopped", extra={"worker": worker.id})


async def _serve_until_stopped(
    settings: NotificationsSettings, once: bool, stop_after: float | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM finishes the batch in hand, then exits; a harder death is what
    # the lease is for.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await work(settings, stop=stop, once=once, stop_after=stop_after)


def run_worker(
    settings: NotificationsSettings | None = None,
    *,
    once: bool = False,
    stop_after: float | None = None,
) -> None:
    settings = settings or NotificationsSettings()
    configure_logging("notifications-worker", settings.log_level)
    asyncio.run(_serve_until_stopped(settings, once, stop_after))
