"""The registry process seals the trail and files checkpoints in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.audit import checkpoints
from services.registry.audit.sealer import head, seal
from services.registry.settings import RegistrySettings
from shared.background import in_background

log = logging.getLogger("migreg.audit")

# When the newest checkpoint was last found to cover the head (written now, or
# the head had not moved): an alert fires when this stops advancing.
CHECKPOINT_CURRENT = Gauge(
    "registry_audit_checkpoint_current_timestamp_seconds",
    "When a signed checkpoint last covered the head of the audit chain",
)


async def checkpoint_if_due(
    engine: AsyncEngine, settings: RegistrySettings, key: Ed25519PrivateKey
) -> Path | None:
    """File a signed checkpoint of the head when the interval has passed and the head moved."""
    directory = settings.audit_checkpoint_dir
    assert directory is not None
    now = datetime.now(UTC)
    last = checkpoints.newest_time(directory)
    interval = timedelta(seconds=settings.audit_checkpoint_interval_seconds)
    if last is not None and now - last < interval:
        CHECKPOINT_CURRENT.set(last.timestamp())
        return None
    async with engine.connect() as conn:
        current = await head(conn)
    CHECKPOINT_CURRENT.set(now.timestamp())
    if current is None or checkpoints.newest_seq(directory) == current.seq:
        return None
    return checkpoints.write(directory, checkpoints.Checkpoint(current.seq, current.hash, now), key)


def signing_key(settings: RegistrySettings) -> Ed25519PrivateKey | None:
    """The checkpoint key, read once at start-up (a bad path fails the start)."""
    if settings.audit_checkpoint_key_file is None:
        return None
    return checkpoints.load_private_key(settings.audit_checkpoint_key_file)


async def seal_and_checkpoint(
    engine: AsyncEngine, settings: RegistrySettings, key: Ed25519PrivateKey | None, wait: float
) -> int:
    sealed = await seal(engine, wait=wait)
    if key is not None:
        await checkpoint_if_due(engine, settings, key)
    return sealed


async def _run(engine: AsyncEngine, settings: RegistrySettings) -> None:
    key = signing_key(settings)
    interval = settings.audit_seal_interval_seconds
    while True:
        try:
            await seal_and_checkpoint(engine, settings, key, wait=interval)
        except Exception:
            # The database may be down: the next round catches up, nothing is lost.
            log.warning("audit sealing failed; retrying", exc_info=True)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def sealing(app: FastAPI) -> AsyncIterator[None]:
    settings: RegistrySettings = app.state.settings
    if settings.audit_seal_interval_seconds <= 0:
        yield
        return
    signing_key(settings)  # fail the start, not the loop, on a bad key
    async with in_background(_run(app.state.engine, settings)):
        yield
