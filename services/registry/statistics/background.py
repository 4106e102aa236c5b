"""The registry process refreshes the monthly statistics aggregates on a schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.clock import today
from services.registry.settings import RegistrySettings
from services.registry.statistics import aggregates
from services.registry.statistics.models import Refresh
from services.registry.statistics.periods import last_complete_month
from shared.background import in_background

log = logging.getLogger("migreg.statistics")


async def refresh_now(
    engine: AsyncEngine, settings: RegistrySettings
) -> aggregates.Coverage | None:
    """Recompute the window's months, up to the last complete one."""
    last = last_complete_month(today(settings))[1]
    first = aggregates.months_before(last, settings.statistics_aggregate_months)
    return await aggregates.refresh(engine, first, last)


async def last_refresh(engine: AsyncEngine) -> datetime | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(Refresh.as_of).where(Refresh.name == aggregates.NAME))


async def freshness_gauge(app: FastAPI) -> None:
    """Metrics refresher: the aggregates' ``as_of``, whichever process refreshed them."""
    as_of = await last_refresh(app.state.engine)
    if as_of is not None:
        aggregates.REFRESHED.set(as_of.timestamp())


async def _first_wait(engine: AsyncEngine, interval: float) -> float:
    """Until the last refresh is one interval old (one interval when there is none:
    a new deployment answers live until then, or runs `migreg statistics refresh`)."""
    as_of = await last_refresh(engine)
    if as_of is None:
        return interval
    return max(0.0, interval - (datetime.now(UTC) - as_of).total_seconds())


async def _run(engine: AsyncEngine, settings: RegistrySettings) -> None:
    interval = settings.statistics_refresh_interval_seconds
    try:
        wait = await _first_wait(engine, interval)
    except Exception:
        log.warning("statistics aggregates: no refresh time; waiting an interval", exc_info=True)
        wait = interval
    while True:
        await asyncio.sleep(wait)
        wait = interval
        try:
            done = await refresh_now(engine, settings)
        except Exception:
            # The database may be down: answers stay as fresh as the last refresh.
            log.warning("statistics aggregates refresh failed; retrying", exc_info=True)
            continue
        if done is not None:
            log.info("statistics aggregates refreshed, as of %s", done.as_of.isoformat())


@contextlib.asynccontextmanager
async def refreshing(app: FastAPI) -> AsyncIterator[None]:
    settings: RegistrySettings = app.state.settings
    if settings.statistics_refresh_interval_seconds <= 0:
        yield
        return
    async with in_background(_run(app.state.engine, settings)):
        yield
