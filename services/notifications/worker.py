"""The SMS sender process (``migreg worker notifications``).

Any number of these may run, on any number of machines: they share nothing
but the database (see ``delivery/outbox.py`` for how they never double-send).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from sqlalchemy.exc import SQLAlchemyError

from services.notifications.delivery.outbox import Outbox
from services.notifications.inbound.service import answer_pending
from services.notifications.providers import make_provider
from services.notifications.providers.base import Provider
from services.notifications.settings import NotificationsSettings
from shared.db import make_engine, make_sessionmaker
from shared.logging import configure_logging

log = logging.getLogger("migreg.worker")


async def work_once(outbox: Outbox) -> int:
    """One round: a batch of due messages, then due inbound questions.

    Returns how many items were handled (0: nothing is due now).
    """
    claimed = await outbox.claim()
    if claimed:
        await outbox.deliver(claimed)
    answered = 0
    for _ in range(outbox.settings.batch_size):
        async with outbox.sessions() as session, session.begin():
            if not await answer_pending(session, outbox.settings):
                break
        answered += 1
    return len(claimed) + answered


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
    outbox = Outbox(settings=settings, sessions=make_sessionmaker(engine), provider=provider)
    if worker_id:
        outbox.worker_id = worker_id
    deadline = time.monotonic() + stop_after if stop_after else None
    log.info("worker started", extra={"provider": provider.name, "worker": outbox.worker_id})
    try:
        while not stop.is_set():
            try:
                handled = await work_once(outbox)
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
        log.info("worker stopped", extra={"worker": outbox.worker_id})


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
