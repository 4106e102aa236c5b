"""Prometheus gauges of open and overdue cases per consulate.

Recomputed when ``/metrics`` is scraped (one grouped query), so the values are as
fresh as the scrape and nothing runs between scrapes. Every consulate gets a value,
zero included, so a consulate that clears its backlog drops to 0 instead of keeping
its last count. With several replicas each
exports the same numbers: aggregate with ``max by (consulate)``.
"""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.consular.cases.models import Case
from services.consular.cases.sla import is_overdue, is_unfinished
from services.consular.clock import Clock, clock_of
from services.consular.consulates.models import Consulate

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


async def refresh_on_scrape(app: FastAPI) -> None:
    """The /metrics hook: one grouped query per scrape."""
    await refresh_case_gauges(app.state.engine, clock_of(app.state))
