"""Prometheus gauges of open and overdue cases per consulate.

Recomputed by a background task every ``case_gauges_refresh_seconds`` rather than at
scrape time: ``/metrics`` is shared plumbing that must stay cheap and cannot await the
database from a synchronous collector, and one grouped query per interval costs the
same however often Prometheus (or several of them) scrape. Values are at most one
interval old. Every consulate gets a value, zero included, so a consulate that clears
its backlog drops to 0 instead of keeping its last count. With several replicas each
exports the same numbers: aggregate with ``max by (consulate)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.consular.cases.clock_columns import is_overdue, is_unfinished
from services.consular.cases.models import Case
from services.consular.clock import Clock, clock_of
from services.consular.consulates.models import Consulate

log = logging.getLogger(__name__)

OPEN_CASES = Gauge(
    "consular_cases_open", "Cases not yet resolved or closed, per consulate", ["consulate"]
)
OVERDUE_CASES = Gauge(
    "consular_cases_overdue",
    "Unfinished cases past their SLA deadline, per consulate",
    ["consulate"],
)


async def refresh_case_gauges(engine: AsyncEngine, clock: Clock) -> None:
    now = clock()
    # One statement in autocommit: no transaction (and no lock) outlives the query, so a
    # paused event loop can never leave a lock behind that blocks DDL or TRUNCATE.
    query = (
        select(
            Consulate.code,
            func.count(Case.id).filter(is_unfinished()),
            func.count(Case.id).filter(is_overdue(now)),
        )
        .select_from(Consulate)
        .outerjoin(Case, Case.consulate == Consulate.code)
        .group_by(Consulate.code)
    )
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        rows = (await conn.execute(query)).all()
    for code, n_open, n_overdue in rows:
        OPEN_CASES.labels(consulate=code).set(n_open)
        OVERDUE_CASES.labels(consulate=code).set(n_overdue)


@asynccontextmanager
async def case_gauges(app: FastAPI) -> AsyncIterator[None]:
    """Lifespan hook: keep the gauges fresh while the app runs.

    Stopped with an event rather than cancelled, so shutdown never interrupts a query
    half-way and leaves its connection behind.
    """
    interval: float = app.state.settings.case_gauges_refresh_seconds
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            try:
                await refresh_case_gauges(app.state.engine, clock_of(app.state))
            except SQLAlchemyError as exc:  # a database blip must not kill the loop
                log.warning("case gauges not refreshed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    task = asyncio.create_task(loop(), name="consular-case-gauges")
    try:
        yield
    finally:
        stop.set()
        await task
