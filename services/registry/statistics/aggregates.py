"""Monthly aggregates: refreshed whole, read when they cover the period asked.

A refresh recomputes every month of the window (``statistics_aggregate_months``
up to the last complete month) from the live rows (``population.py``) in one
REPEATABLE READ transaction: one snapshot for both tables, readers see the old
rows until it commits, and ``as_of`` is that snapshot's time. Movements or
persons recorded or corrected since then show at the next refresh; a period
outside the window (or before any refresh) is counted live.

Known cost: the refresh is one writing transaction (about 6 min at 1.5M people
on a loaded 2-core machine), and the audit sealer waits for every writing
transaction older than its watermark, so audit events appended meanwhile are
sealed when the refresh commits (kept, not lost; sealing lags by that long).
Writing each generation in short batches beside the current one, then
switching ``statistics_refresh`` over, would remove the lag.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import ColumnElement, Insert, Select, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.registry.statistics import population
from services.registry.statistics.models import FlowsMonthly, Refresh, StockMonthly

NAME = "monthly"
KEYS = ("sex", "age_group", "region", "destination_country", "sector", "occupation")
# A second registry process refreshing at the same time waits for none: it skips.
LOCK = 0x5747A7  # pg_try_advisory_xact_lock key

REFRESHED = Gauge(
    "registry_statistics_aggregates_as_of_timestamp_seconds",
    "Up to when the monthly statistics aggregates count (their last refresh's snapshot)",
)
REFRESH_SECONDS = Gauge(
    "registry_statistics_aggregates_refresh_seconds", "How long the last refresh took"
)


@dataclass(frozen=True)
class Coverage:
    as_of: datetime
    first_month: date
    last_month: date

    def covers(self, start: date, end: date) -> bool:
        return self.first_month <= start.replace(day=1) and end.replace(day=1) <= self.last_month


async def coverage(session: AsyncSession) -> Coverage | None:
    row = await session.get(Refresh, NAME)
    return None if row is None else Coverage(row.as_of, row.first_month, row.last_month)


def stock_rows(on: date) -> Select[Any]:
    return select(StockMonthly).where(StockMonthly.month_end == on)


def flows_rows(start: date, end: date) -> Select[Any]:
    return select(FlowsMonthly).where(FlowsMonthly.month.between(start, end))


def months_before(last: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``last``'s."""
    index = last.year * 12 + last.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


async def refresh(conn: AsyncConnection, first: date, last: date) -> Coverage | None:
    """Recompute the months from ``first``'s to ``last``'s on ``conn`` (committed
    here); None when another process is refreshing."""
    started = time.monotonic()
    conn = await conn.execution_options(isolation_level="REPEATABLE READ")
    async with conn.begin():
        got = await conn.scalar(select(func.pg_try_advisory_xact_lock(LOCK)))
        if not got:
            return None
        # Tens of millions of person-months are grouped: in memory, not spilled.
        await conn.execute(text("SET LOCAL work_mem = '256MB'"))
        as_of = await conn.scalar(select(func.now()))
        assert as_of is not None
        await conn.execute(delete(StockMonthly))
        await conn.execute(delete(FlowsMonthly))
        stock = population.stock_by_month_end(first, last)
        await conn.execute(_insert_counts(StockMonthly, stock, ("month_end", *KEYS)))
        flows = population.flows_all()
        between = flows.c.month.between(first.replace(day=1), last.replace(day=1))
        keys = ("month", "movement", *KEYS)
        await conn.execute(_insert_counts(FlowsMonthly, flows, keys, between))
        took = time.monotonic() - started
        values = {"as_of": as_of, "first_month": first.replace(day=1)}
        values |= {"last_month": last.replace(day=1), "took_seconds": took}
        await conn.execute(delete(Refresh).where(Refresh.name == NAME))
        await conn.execute(insert(Refresh).values(name=NAME, **values))
        await conn.execute(text("ANALYZE statistics_stock_monthly, statistics_flows_monthly"))
    REFRESHED.set(as_of.timestamp())
    REFRESH_SECONDS.set(took)
    return Coverage(as_of, values["first_month"], values["last_month"])


def _insert_counts(
    table: type[StockMonthly | FlowsMonthly],
    rows: Any,
    keys: tuple[str, ...],
    *where: ColumnElement[bool],
) -> Insert:
    """INSERT the rows counted (or their counts summed) by month and every key."""
    columns = [rows.c[k] for k in keys]
    count = func.sum(rows.c.n) if "n" in rows.c else func.count()
    counted = select(*columns, count).select_from(rows).where(*where).group_by(*columns)
    # In month order: a table's rows are then on adjacent pages, read together.
    return insert(table).from_select([*keys, "n"], counted.order_by(columns[0]))
