"""The statistics refresh in batches of months: what batching costs, how long each batch is.

    .venv/bin/python bench/registry_statistics_refresh.py --people 200000

Loads N synthetic people (``bench/scale_data.py``) on an embedded PostgreSQL
and refreshes the 120-month window with several batch sizes, in turn. The
same-run baseline is one batch of 120 months: the work of the refresh before
batching (one pass over the movements), but it was then one writing
transaction. The longest batch bounds how long a refresh's writing
transaction (so the audit sealer's wait) can be.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale_data import counts, ensure
from services.registry.statistics import aggregates
from services.registry.statistics.periods import last_complete_month
from shared.db import make_engine
from shared.embedded_pg import start_embedded

BATCHES = (120, 12, 6)


async def timed(url: str, first: date, last: date, months: int) -> tuple[float, float]:
    """(Total seconds, longest batch seconds) of one refresh."""
    engine = make_engine(url, 1)
    marks = [time.perf_counter()]

    async def mark(_: date) -> None:
        marks.append(time.perf_counter())

    try:
        done = await aggregates.refresh(engine, first, last, batch_months=months, after_batch=mark)
        assert done is not None
    finally:
        await engine.dispose()
    longest = max(b - a for a, b in itertools.pairwise(marks))
    return time.perf_counter() - marks[0], longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    if not 1_000 <= args.people <= 2_000_000:
        raise SystemExit("keep it bounded: 1,000 to 2,000,000 people")
    last = last_complete_month(date.today())[1]
    first = aggregates.months_before(last, 120)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        server = start_embedded(Path(tmp) / "pgdata")
        try:
            url = ensure(server, "bench_refresh", args.people, quiet=True)
            print(f"{counts(url)}; months {first} to {last}")
            for months in BATCHES:
                total, longest = asyncio.run(timed(url, first, last, months))
                print(
                    f"batches of {months:>3} months: {total:6.1f} s, longest batch {longest:5.1f} s"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
