"""The registry process runs uploaded imports in the background (see ``jobs``).

The runner keeps two connections for its whole life instead of opening one
per look: a synchronous one that claims jobs (and carries a running job's
heartbeat), and an asynchronous one that LISTENs on ``import_jobs``. A new
upload NOTIFYs that channel when it commits, so it starts at once; without a
notice the runner still looks every ``import_poll_interval_seconds``, which
is how it takes up a job whose runner stopped (its lease ran out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

import psycopg
from fastapi import FastAPI

from services.registry.audit.verify import psycopg_url
from services.registry.imports.jobs import CHANNEL, run_next
from services.registry.settings import RegistrySettings
from shared.background import in_background

log = logging.getLogger("migreg.imports")


class _Connections:
    """The claiming and the listening connection, (re)opened when missing or broken.

    The claiming one is used by one thread at a time, under ``lock``; closing
    it waits for a job in its thread to stop at its next chunk.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.claims: psycopg.Connection | None = None
        self.listener: psycopg.AsyncConnection | None = None

    def run_due(self, settings: RegistrySettings, lease: timedelta, stop: threading.Event) -> None:
        """Run every due job, one after the other (in a thread)."""
        with self.lock:
            if self.claims is None or self.claims.closed:
                self.claims = psycopg.connect(self.url, autocommit=True)
            while run_next(settings, lease, stop, self.claims) is not None:
                pass

    async def wait(self, seconds: float) -> None:
        """Until a NOTIFY on the channel or ``seconds``, whichever comes first."""
        if self.listener is None or self.listener.closed:
            self.listener = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
            await self.listener.execute(f"LISTEN {CHANNEL}")
        async for _ in self.listener.notifies(timeout=seconds, stop_after=1):
            pass

    def _close_claims(self) -> None:
        with self.lock:
            if self.claims is not None:
                self.claims.close()
            self.claims = None

    async def close(self) -> None:
        listener, self.listener = self.listener, None
        with contextlib.suppress(psycopg.Error):
            await asyncio.to_thread(self._close_claims)
            if listener is not None:
                await listener.close()


async def _run(settings: RegistrySettings, stop: threading.Event, conns: _Connections) -> None:
    lease = timedelta(seconds=settings.import_lease_seconds)
    while True:
        try:
            # The loaders are synchronous (psycopg COPY): a thread, one job at a time.
            await asyncio.to_thread(conns.run_due, settings, lease, stop)
            await conns.wait(settings.import_poll_interval_seconds)
        except Exception:
            # The database may be down: the job keeps its row and is taken up again.
            log.warning("import runner failed; retrying", exc_info=True)
            await conns.close()
            await asyncio.sleep(settings.import_poll_interval_seconds)


@contextlib.asynccontextmanager
async def running_imports(app: FastAPI) -> AsyncIterator[None]:
    settings: RegistrySettings = app.state.settings
    if settings.import_poll_interval_seconds <= 0:
        yield
        return
    stop = threading.Event()
    conns = _Connections(psycopg_url(settings.database_url))
    try:
        async with in_background(_run(settings, stop, conns)):
            try:
                yield
            finally:
                stop.set()  # a job in its thread stops at its next chunk and is queued again
    finally:
        await conns.close()
