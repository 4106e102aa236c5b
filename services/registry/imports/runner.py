"""The registry process runs uploaded imports in the background (see ``jobs``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI

from services.registry.imports.jobs import run_next
from services.registry.settings import RegistrySettings

log = logging.getLogger("migreg.imports")


async def _run(settings: RegistrySettings, stop: threading.Event) -> None:
    lease = timedelta(seconds=settings.import_lease_seconds)
    while True:
        try:
            # The loaders are synchronous (psycopg COPY): a thread, one job at a time.
            while await asyncio.to_thread(run_next, settings, lease, stop) is not None:
                pass
        except Exception:
            # The database may be down: the job keeps its row and is taken up again.
            log.warning("import runner failed; retrying", exc_info=True)
        await asyncio.sleep(settings.import_poll_interval_seconds)


@contextlib.asynccontextmanager
async def running_imports(app: FastAPI) -> AsyncIterator[None]:
    settings: RegistrySettings = app.state.settings
    if settings.import_poll_interval_seconds <= 0:
        yield
        return
    stop = threading.Event()
    task = asyncio.create_task(_run(settings, stop))
    try:
        yield
    finally:
        stop.set()  # a job in its thread stops at its next chunk and is queued again
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
