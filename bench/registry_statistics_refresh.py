"""The statistics refresh without a long writing transaction: its cost, its longest one.

    .venv/bin/python bench/registry_statistics_refresh.py --people 200000

Loads N synthetic people (``bench/scale_data.py``) on an embedded PostgreSQL
and, in turn:

1. baseline (the refresh before this change): the same counts written by
   ``INSERT ... SELECT`` in one writing transaction, which held the audit
   sealer back for its whole length;
2. the refresh: counted in a read-only snapshot, streamed, and COPYed in
   short transactions; the longest of them bounds the sealer's wait.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, literal, select, text

from bench.scale_data import bench_server, counts, ensure
from services.registry.database import Base
from services.registry.statistics import aggregates
from services.registry.statistics.periods import last_complete_month
from shared.db import make_engine


async def one_transaction(url: str, first: date, last: date) -> float:
    """Seconds to write the same rows the old way (generation -1, deleted after)."""
    engine = make_engine(url, 1)
    try:
        started = time.perf_counter()
        async with engine.begin() as conn:
            await conn.execute(text("SET LOCAL work_mem = '256MB'"))
            for table, keys, query in aggregates.counts(first, last):
                counted = query.subquery()
                rows = select(literal(-1), *counted.c)
                target = Base.metadata.tables[table]
                await conn.execute(insert(target).from_select(["generation", *keys, "n"], rows))
        took = time.perf_counter() - started
        await aggregates.prune(engine, 0)
        return took
    finally:
        await engine.dispose()


async def batched(url: str, first: date, last: date) -> tuple[float, float, int]:
    """(Seconds, longest writing transaction in seconds, batches) of one refresh."""
    engine = make_engine(url, 1)
    spans: list[float] = []
    began = [0.0]
    original = aggregates._Writer.__call__

    async def timed_write(self: aggregates._Writer, *args: object) -> None:
        began[0] = time.perf_counter()
        await original(self, *args)  # type: ignore[arg-type]

    async def mark() -> None:
        spans.append(time.perf_counter() - began[0])

    aggregates._Writer.__call__ = timed_write  # type: ignore[method-assign,assignment]
    try:
        started = time.perf_counter()
        done = await aggregates.refresh(engine, first, last, after_batch=mark)
        assert done is not None
        return time.perf_counter() - started, max(spans), len(spans)
    finally:
        aggregates._Writer.__call__ = original  # type: ignore[method-assign]
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not 1_000 <= args.people <= 2_000_000 or not 1 <= args.runs <= 5:
        raise SystemExit("keep it bounded: 1,000 to 2,000,000 people, 1 to 5 runs")
    last = last_complete_month(date.today())[1]
    first = aggregates.months_before(last, 120)
    with bench_server(None) as server:
        url = ensure(server, "bench_refresh", args.people, quiet=True)
        print(f"{counts(url)}; months {first} to {last}")
        for _ in range(args.runs):
            old = asyncio.run(one_transaction(url, first, last))
            print(f"baseline, one writing transaction: {old:6.1f} s")
            new, longest, n = asyncio.run(batched(url, first, last))
            print(
                f"refresh: {new:6.1f} s ({new / old:.2f}x); {n} writing transactions, "
                f"longest {longest * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
