"""Prometheus gauges of the outbox, recomputed when ``/metrics`` is scraped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from prometheus_client import Gauge
from sqlalchemy import func, select

from shared.outbox.models import PENDING, POISONED, OutboxMixin

PENDING_ROWS = Gauge("outbox_pending", "Outbox rows not yet delivered", ["service"])
OLDEST_PENDING = Gauge(
    "outbox_oldest_pending_age_seconds", "Age of the oldest undelivered outbox row", ["service"]
)
FAILING_ROWS = Gauge(
    "outbox_failing", "Undelivered outbox rows whose last attempt failed", ["service"]
)
POISONED_ROWS = Gauge(
    "outbox_poisoned", "Outbox rows a peer refused (kept, not retried)", ["service"]
)


def outbox_gauges(model: type[OutboxMixin]) -> Callable[[FastAPI], Awaitable[None]]:
    """A metrics refresher for the service's outbox table: one grouped query."""

    async def refresh(app: FastAPI) -> None:
        pending = model.status == PENDING
        query = select(
            func.count().filter(pending),
            func.extract("epoch", func.now() - func.min(model.created_at).filter(pending)),
            func.count().filter(pending, model.last_error.is_not(None)),
            func.count().filter(model.status == POISONED),
        )
        # Autocommit: no transaction (and no lock) outlives the query.
        async with app.state.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            n_pending, oldest, n_failing, n_poisoned = (await conn.execute(query)).one()
        service = app.state.service_name
        PENDING_ROWS.labels(service).set(n_pending)
        OLDEST_PENDING.labels(service).set(float(oldest or 0))
        FAILING_ROWS.labels(service).set(n_failing)
        POISONED_ROWS.labels(service).set(n_poisoned)

    return refresh
