"""Monthly aggregates: refreshed whole, read when they cover the period asked.

A refresh recomputes every month of the window (``statistics_aggregate_months``
up to the last complete month) from the live rows (``population.py``) without
any long writing transaction, because the audit sealer waits for every
transaction holding a transaction id older than its watermark (it compares
``pg_snapshot_xmin(pg_current_snapshot())``, the oldest running transaction
id; a transaction that only reads never gets one):

1. The counts are read, streamed, in one READ ONLY REPEATABLE READ
   transaction: one snapshot for both tables, and ``as_of`` is its time
   (it holds back vacuum for the refresh's length, not the sealer).
2. The rows are written as a new ``generation`` beside the answering one,
   ``ROWS_PER_TRANSACTION`` at a time (COPY), each batch its own short
   transaction.
3. One short transaction points ``statistics_refresh`` at the new generation:
   readers switch at once and never see a half-written one (an interrupted
   refresh leaves rows nobody reads; the next refresh deletes them).
4. The other generations are deleted in short batches.

Movements or persons recorded or corrected after the snapshot show at the next
refresh; a period outside the window (or before any refresh) is counted live.
A second registry process refreshing at the same time skips (an advisory lock
held by the session for the refresh's length, never by a transaction).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from prometheus_client import Gauge
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    func,
    insert,
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
# Rows written per transaction (COPY): a fraction of a second each.
ROWS_PER_TRANSACTION = 20_000
DELETE_BATCH = 20_000

# Called after each batch is written (tests slow or interrupt a refresh).
AfterBatch = Callable[[], Awaitable[None]]

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


async def refresh(
    engine: AsyncEngine,
    first: date,
    last: date,
    *,
    rows_per_transaction: int = ROWS_PER_TRANSACTION,
    after_batch: AfterBatch | None = None,
) -> Coverage | None:
    """Recompute the months from ``first``'s to ``last``'s as a new generation and
    answer from it; None when another process is refreshing."""
    async with engine.connect() as held:
        if not await held.scalar(select(func.pg_try_advisory_lock(LOCK))):
            return None
        try:
            write = _Writer(engine, rows_per_transaction, after_batch)
            return await _refresh_locked(held, first, last, write)
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
    held: AsyncConnection, first: date, last: date, write: _Writer
) -> Coverage:
    started = time.monotonic()
    await held.commit()
    current = await coverage(held)
    await held.commit()
    keep = current.generation if current else 0
    await prune(write.engine, keep)  # what an interrupted refresh left
    new = keep + 1
    # One snapshot for every count, in a transaction that writes nothing.
    await held.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    # Idle while a batch is written: a server-wide timeout must not end it.
    await held.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
    # Millions of person-months are grouped: in memory, not spilled.
    await held.execute(text("SET LOCAL work_mem = '256MB'"))
    as_of = await held.scalar(select(func.now()))
    assert as_of is not None
    for table, keys, query in counts(first, last):
        result = await held.stream(query.execution_options(yield_per=write.rows))
        async for rows in result.partitions():
            await write(table, new, keys, rows)
    await held.rollback()
    done = Coverage(as_of, first.replace(day=1), last.replace(day=1), new)
    took = time.monotonic() - started
    await _switch(write.engine, done, took)
    await prune(write.engine, new)
    async with write.engine.connect() as conn:
        await conn.execute(text("ANALYZE statistics_stock_monthly, statistics_flows_monthly"))
        await conn.commit()
    REFRESHED.set(as_of.timestamp())
    REFRESH_SECONDS.set(took)
    return done


def counts(first: date, last: date) -> list[tuple[str, tuple[str, ...], Select[Any]]]:
    """(Table, key columns, query of its rows: the keys then ``n``) for each table."""
    stock = population.stock_by_month_end(first, last)
    flows = population.flows_all()
    between = flows.c.month.between(first.replace(day=1), last.replace(day=1))
    stock_keys, flows_keys = ("month_end", *KEYS), ("month", "movement", *KEYS)
    return [
        (StockMonthly.__tablename__, stock_keys, _counted(stock, stock_keys)),
        (FlowsMonthly.__tablename__, flows_keys, _counted(flows, flows_keys, between)),
    ]


def _counted(rows: Any, keys: tuple[str, ...], *where: ColumnElement[bool]) -> Select[Any]:
    """The rows counted (or their counts summed) by month and every key."""
    columns = [rows.c[k] for k in keys]
    count = func.sum(rows.c.n) if "n" in rows.c else func.count()
    counted = select(*columns, count).select_from(rows).where(*where).group_by(*columns)
    # In month order: a table's rows are then on adjacent pages, read together.
    return counted.order_by(columns[0])


@dataclass(frozen=True)
class _Writer:
    """Writes the rows streamed from the snapshot, one short transaction per batch."""

    engine: AsyncEngine
    rows: int
    after_batch: AfterBatch | None

    async def __call__(
        self, table: str, generation: int, keys: tuple[str, ...], rows: Sequence[Row[Any]]
    ) -> None:
        names = ", ".join(("generation", *keys, "n"))
        async with self.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert isinstance(raw, psycopg.AsyncConnection)
            # COPY: the fastest way in (a model's table and columns, no input).
            statement = f"COPY {table} ({names}) FROM STDIN"
            async with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    await copy.write_row((generation, *row))
            await raw.commit()
        if self.after_batch is not None:
            await self.after_batch()


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
