"""The SMS sender process (``migreg worker notifications``)."""

from __future__ import annotations

import asyncio
import logging
import signal

from services.notifications.settings import NotificationsSettings
from shared.logging import configure_logging

log = logging.getLogger("migreg.worker")


async def _serve_until_stopped(settings: NotificationsSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", extra={"provider": settings.provider})
    await stop.wait()
    log.info("worker stopped")


def run_worker(settings: NotificationsSettings | None = None) -> None:
    settings = settings or NotificationsSettings()
    configure_logging("notifications-worker", settings.log_level)
    asyncio.run(_serve_until_stopped(settings))
