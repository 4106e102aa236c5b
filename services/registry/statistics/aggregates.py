"""Monthly aggregates: refreshed whole, read when they cover the period asked.

A refresh recomputes every month of the window (``statistics_aggregate_months``
up to the last complete month) from the live rows (``population.py``) without
any long writing transaction, because the audit sealer waits for every
transaction that holds a transaction id older than its watermark (it compares
``pg_snapshot_xmin(pg_current_snapshot())``, the oldest running transaction
id; a transaction that only reads never takes one):

1. A READ ONLY REPEATABLE READ transaction is opened and its snapshot
   exported: ``as_of`` is that snapshot's time. It stays open, reading
   nothing, until the rows are written (it holds back vacuum, not the sealer).
2. The new rows are written as a new ``generation`` beside the answering one,
   ``BATCH_MONTHS`` months at a time, each batch in its own short transaction
   that imports that snapshot (so every batch counts the same data).
3. One short transaction points ``statistics_refresh`` at the new generation:
   readers switch at once and never see a half-written one (an interrupted
   refresh leaves rows nobody reads; the next refresh deletes them).
4. The other generations are deleted in short batches.

A second registry process refreshing at the same time skips (advisory lock,
held by the session for the refresh's length, not by a transaction).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Select,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from services.registry.statistics import population
from services.registry.statistics.models import FlowsMonthly, Refresh, StockMonthly

NAME = "monthly"
KEYS = ("sex", "age_group", "region", "destination_country", "sector", "occupation")
LOCK = 0x5747A7  # pg_try_advisory_lock key: one refresh at a time
# Months written per transaction: each batch rescans the movements, so fewer
# batches cost less in all; more keep each writing transaction shorter.
BATCH_MONTHS = 6
DELETE_BATCH = 20_000
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")

# Called after each batch of months is written (tests slow or interrupt a refresh).
AfterBatch = Callable[[date], Awaitable[None]]

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
    generation: int

    def covers(self, start: date, end: date) -> bool:
        return self.first_month <= start.replace(day=1) and end.replace(day=1) <= self.last_month


async def coverage(session: AsyncSession | AsyncConnection) -> Coverage | None:
    """The answering generation (a fresh read each time: not the session's identity map)."""
    columns = (Refresh.as_of, Refresh.first_month, Refresh.last_month, Refresh.generation)
    row = (await session.execute(select(*columns).where(Refresh.name == NAME))).first()
    return None if row is None else Coverage(*row)


def stock_rows(generation: int, on: date) -> Select[Any]:
    return select(StockMonthly).where(
        StockMonthly.generation == generation, StockMonthly.month_end == on
    )


def flows_rows(generation: int, start: date, end: date) -> Select[Any]:
    return select(FlowsMonthly).where(
        FlowsMonthly.generation == generation, FlowsMonthly.month.between(start, end)
    )


def months_before(last: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``last``'s."""
    index = last.year * 12 + last.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def month_batches(first: date, last: date, size: int) -> list[tuple[date, date]]:
    """``first``'s month to ``last``'s in runs of ``size`` months: (first day, last day)."""
    start, stop = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    batches = []
    for low in range(start, stop + 1, size):
        high = min(low + size - 1, stop)
        after = high + 1
        end = date(after // 12, after % 12 + 1, 1).toordinal() - 1
        batches.append((date(low // 12, low % 12 + 1, 1), date.fromordinal(end)))
    return batches


async def refresh(
    engine: AsyncEngine,
    first: date,
    last: date,
    *,
    batch_months: int = BATCH_MONTHS,
    after_batch: AfterBatch | None = None,
) -> Coverage | None:
    """Recompute the months from ``first``'s to ``last``'s as a new generation and
    answer from it; None when another process is refreshing."""
    async with engine.connect() as held:
        if not await held.scalar(select(func.pg_try_advisory_lock(LOCK))):
            return None
        try:
            return await _refresh_locked(engine, held, first, last, batch_months, after_batch)
        finally:
            await _release(held)


async def _release(held: AsyncConnection) -> None:
    """Unlock, or close the session (which unlocks on the server): a pooled
    connection must never keep the lock, or every later refresh would skip."""
    try:
        await held.rollback()
        await held.execute(select(func.pg_advisory_unlock(LOCK)))
        await held.commit()
    except Exception:
        await held.invalidate()


async def _refresh_locked(
    engine: AsyncEngine,
    held: AsyncConnection,
    first: date,
    last: date,
    batch_months: int,
    after_batch: AfterBatch | None,
) -> Coverage:
    started = time.monotonic()
    await held.commit()
    current = await coverage(held)
    await held.commit()
    keep = current.generation if current else 0
    await prune(engine, keep)  # what an interrupted refresh left
    new = keep + 1
    # The snapshot every batch counts: a transaction that writes nothing.
    await held.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    # Idle while the batches are written: a server-wide timeout must not end it.
    await held.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
    as_of = await held.scalar(select(func.now()))
    snapshot = str(await held.scalar(select(func.pg_export_snapshot())))
    for start, end in month_batches(first, last, batch_months):
        await _write_batch(engine, snapshot, new, start, end)
        if after_batch is not None:
            await after_batch(end)
    await held.rollback()
    assert as_of is not None
    done = Coverage(as_of, first.replace(day=1), last.replace(day=1), new)
    took = time.monotonic() - started
    await _switch(engine, done, took)
    await prune(engine, new)
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE statistics_stock_monthly, statistics_flows_monthly"))
        await conn.commit()
    REFRESHED.set(as_of.timestamp())
    REFRESH_SECONDS.set(took)
    return done


async def _write_batch(
    engine: AsyncEngine, snapshot: str, generation: int, start: date, end: date
) -> None:
    """One short transaction per table, counting the data of ``snapshot``."""
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    stock = population.stock_by_month_end(start, end)
    flows = population.flows_all()
    keys = ("month", "movement", *KEYS)
    statements = (
        _insert_counts(StockMonthly, generation, stock, ("month_end", *KEYS)),
        _insert_counts(FlowsMonthly, generation, flows, keys, flows.c.month.between(start, end)),
    )
    for statement in statements:
        async with engine.connect() as conn:
            await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            # Bound parameters are not allowed here; the id was checked above.
            await conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            # Millions of person-months are grouped: in memory, not spilled.
            await conn.execute(text("SET LOCAL work_mem = '256MB'"))
            await conn.execute(statement)
            await conn.commit()


async def _switch(engine: AsyncEngine, done: Coverage, took: float) -> None:
    """Readers answer from ``done``'s generation from this commit on."""
    values = {
        "as_of": done.as_of,
        "first_month": done.first_month,
        "last_month": done.last_month,
        "generation": done.generation,
        "took_seconds": took,
    }
    async with engine.begin() as conn:
        switched = await conn.execute(update(Refresh).where(Refresh.name == NAME).values(values))
        if not switched.rowcount:
            await conn.execute(insert(Refresh).values(name=NAME, **values))


async def prune(engine: AsyncEngine, keep: int) -> int:
    """Delete every generation but ``keep``, in short transactions; the rows deleted."""
    deleted = 0
    for table in (StockMonthly.__tablename__, FlowsMonthly.__tablename__):
        batch = text(
            f"DELETE FROM {table} WHERE id IN "  # noqa: S608 (a model's table name)
            f"(SELECT id FROM {table} WHERE generation <> :keep LIMIT :n)"
        )
        while True:
            async with engine.begin() as conn:
                done = (await conn.execute(batch, {"keep": keep, "n": DELETE_BATCH})).rowcount
            deleted += done
            if done < DELETE_BATCH:
                break
    return deleted


def _insert_counts(
    table: type[StockMonthly | FlowsMonthly],
    generation: int,
    rows: Any,
    keys: tuple[str, ...],
    *where: ColumnElement[bool],
) -> Insert:
    """INSERT the rows counted (or their counts summed) by month and every key."""
    columns = [rows.c[k] for k in keys]
    count = func.sum(rows.c.n) if "n" in rows.c else func.count()
    tag = literal(generation, Integer)
    counted = select(tag, *columns, count).select_from(rows).where(*where).group_by(*columns)
    # In month order: a table's rows are then on adjacent pages, read together.
    return insert(table).from_select(["generation", *keys, "n"], counted.order_by(columns[0]))
