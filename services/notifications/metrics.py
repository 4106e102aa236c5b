"""Outbox metrics for /metrics, read from the database.

Workers are separate processes, possibly on other machines, and come and go;
the database is the one place that knows the whole queue. So the API process
takes a snapshot (a few cheap indexed queries) when /metrics is scraped, at
most once per ``metrics_refresh_seconds``, and a collector serves it. Sends
and failures by provider come from counters the workers keep in the same
transaction as the result they count.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import FastAPI
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.inbound.models import InboundMessage
from services.notifications.messages.models import Message, ProviderCounter


@dataclass
class Snapshot:
    queued: int = 0
    due: int = 0
    oldest_due_age_seconds: float = 0.0
    pending_inbound: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    provider_results: dict[tuple[str, str], int] = field(default_factory=dict)


async def take_snapshot(session: AsyncSession) -> Snapshot:
    now = func.now()
    due_filter = (Message.status == "queued", Message.next_attempt_at <= now)
    due, oldest = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.extract("epoch", now - func.min(Message.next_attempt_at)), 0),
            ).where(*due_filter)
        )
    ).one()
    by_status = dict(
        (await session.execute(select(Message.status, func.count()).group_by(Message.status)))
        .tuples()
        .all()
    )
    pending = await session.scalar(
        select(func.count()).select_from(InboundMessage).where(InboundMessage.status == "pending")
    )
    counters = (
        await session.execute(
            select(ProviderCounter.provider, ProviderCounter.outcome, ProviderCounter.count)
        )
    ).all()
    return Snapshot(
        queued=int(by_status.get("queued", 0)),
        due=int(due),
        oldest_due_age_seconds=float(oldest),
        pending_inbound=int(pending or 0),
        by_status={k: int(v) for k, v in by_status.items()},
        provider_results={(p, o): int(c) for p, o, c in counters},
    )


class OutboxCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = Snapshot()
        self.taken_at = float("-inf")

    def collect(self) -> Iterable[Metric]:
        s = self.snapshot
        depth = GaugeMetricFamily(
            "notifications_queue_depth", "Messages waiting to be sent (queued, due or not)"
        )
        depth.add_metric([], s.queued)
        due = GaugeMetricFamily("notifications_queue_due", "Queued messages due now")
        due.add_metric([], s.due)
        age = GaugeMetricFamily(
            "notifications_oldest_due_age_seconds", "How long the oldest due message has waited"
        )
        age.add_metric([], s.oldest_due_age_seconds)
        inbound = GaugeMetricFamily(
            "notifications_inbound_pending", "Inbound SMS waiting for an answer (peer down)"
        )
        inbound.add_metric([], s.pending_inbound)
        statuses = GaugeMetricFamily(
            "notifications_messages", "Messages by status", labels=["status"]
        )
        for status, count in sorted(s.by_status.items()):
            statuses.add_metric([status], count)
        results = CounterMetricFamily(
            "notifications_provider_results",
            "Send attempts by provider and outcome (sent, failed, temporary_failure)",
            labels=["provider", "outcome"],
        )
        for (provider, outcome), count in sorted(s.provider_results.items()):
            results.add_metric([provider, outcome], count)
        yield from (depth, due, age, inbound, statuses, results)


COLLECTOR = OutboxCollector()
with contextlib.suppress(ValueError):  # registered once per process
    REGISTRY.register(COLLECTOR)


async def refresh(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        COLLECTOR.snapshot = await take_snapshot(session)
    COLLECTOR.taken_at = time.monotonic()


async def refresh_on_scrape(app: FastAPI) -> None:
    """The /metrics hook: a new snapshot at most once per ``metrics_refresh_seconds``,
    however many scrapers there are."""
    if time.monotonic() - COLLECTOR.taken_at >= app.state.settings.metrics_refresh_seconds:
        await refresh(app)
