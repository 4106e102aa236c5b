"""Statistics tables at national scale: two-key breakdowns, live and from monthly aggregates.

    .venv/bin/python bench/registry_statistics.py --people 1500000 --reuse bench_stats \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

Loads N synthetic people with their movements (``bench/scale_data.py``; at
1.5M about 3.1M movements), or reuses a database it left. A registry server
(``bench/registry_server.py``, its scheduled refresh off) answers an analyst, one
request at a time:

1. live (before any refresh): every two-key stock and flows table once (at
   full scale each is seconds: this is why the aggregates exist);
2. ``migreg statistics refresh``'s work, timed;
3. from the aggregates: every two-key breakdown (15) of the stock on three
   month ends and of the flows over a month, a quarter and a year, ``--runs``
   times; p50 and p95 over all, the slowest table, one- and three-key tables.

Baselines of the same run, through the same server: ``GET /readyz`` (one
``SELECT`` through the app, no auth) and the cheapest table (flows of one
month, no breakdown). Goal: two-key p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.registry_reads import _free_port, _wait_ready
from bench.registry_server import SECRET
from bench.scale_data import bench_server, counts, ensure
from services.registry.settings import RegistrySettings
from services.registry.statistics.background import refresh_now
from services.registry.statistics.schemas import BY_KEYS
from shared.auth.tokens import issue_token
from shared.db import make_engine
from shared.settings import AuthSettings

STOCK_ON = ("2026-10-31", "2026-06-30", "2025-12-31")
FLOWS = (("2026-10-01", "2026-10-31"), ("2026-04-01", "2026-06-30"), ("2025-01-01", "2025-12-31"))
PAIRS = [",".join(p) for p in itertools.combinations(BY_KEYS, 2)]
Request = tuple[str, dict[str, str]]


def tables(keys: list[str]) -> list[Request]:
    stock = [("/v1/statistics/stock", {"on": on, "by": k}) for k in keys for on in STOCK_ON]
    flows = [
        ("/v1/statistics/flows", {"from": a, "to": b, "by": k}) for k in keys for a, b in FLOWS
    ]
    return stock + flows


def timed(base: str, requests: list[Request], runs: int) -> list[tuple[Request, float]]:
    token = issue_token(
        AuthSettings(dev_secret=SECRET),
        subject="bench-analyst",
        roles=["analyst"],
        scopes=(),
        ttl_seconds=7200,
    )
    out: list[tuple[Request, float]] = []
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as c:
        c.get(*requests[0][:1], params=requests[0][1])  # warm up
        for _ in range(runs):
            for path, params in requests:
                started = time.perf_counter()
                response = c.get(path, params=params)
                out.append(((path, params), (time.perf_counter() - started) * 1000))
                assert response.status_code == 200, response.text
    return out


def p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def report(label: str, done: list[tuple[Request, float]]) -> float:
    ms = [t for _, t in done]
    (path, params), worst = max(done, key=lambda d: d[1])
    name = f"{path.rsplit('/', 1)[1]} {params}"
    print(
        f"{label:<34} n={len(ms):4d}  p50 {statistics.median(ms):8.1f} ms  "
        f"p95 {p95(ms):8.1f} ms  slowest {worst:8.1f} ms ({name})"
    )
    return p95(ms)


def measure(url: str, runs: int, live_pairs: int) -> None:
    port = _free_port()
    server = str(Path(__file__).with_name("registry_server.py"))
    # One client: a small pool (the shared server has few connections).
    proc = subprocess.Popen([sys.executable, server, url, str(port), "--pool", "2"])
    base = f"http://127.0.0.1:{port}"
    cheapest: list[Request] = [("/v1/statistics/flows", {"from": "2026-10-01", "to": "2026-10-31"})]
    try:
        _wait_ready(base, proc)
        print("-- live (no aggregates)")
        report("baseline: GET /readyz", timed(base, [("/readyz", {})], runs * 30))
        report("live: flows, one month, no by", timed(base, cheapest, runs))
        report("live: two-key tables", timed(base, tables(PAIRS[:live_pairs]), 1))
        print("-- refresh")
        settings = RegistrySettings(database_url=url)
        engine = make_engine(url, 1)
        started = time.perf_counter()
        done = asyncio.run(refresh_now(engine, settings))
        assert done is not None
        print(
            f"refresh {done.first_month} to {done.last_month}: "
            f"{time.perf_counter() - started:.1f} s, as of {done.as_of.isoformat()}"
        )
        print("-- from the aggregates")
        readyz = report("baseline: GET /readyz", timed(base, [("/readyz", {})], runs * 30))
        cheap = report("baseline: flows, one month, no by", timed(base, cheapest, runs * 10))
        report("one-key tables", timed(base, tables(list(BY_KEYS)), runs))
        two = report("two-key tables (the goal)", timed(base, tables(PAIRS), runs))
        three = [",".join(t) for t in itertools.combinations(BY_KEYS, 3)][::4]
        report("three-key tables (a sample)", timed(base, tables(three), runs))
        print(
            f"two-key p95 {two:.1f} ms (goal < 200 ms); / cheapest table {two / cheap:.1f}x; "
            f"/ readyz {two / readyz:.1f}x"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="A server to create a scratch database on")
    parser.add_argument("--people", type=int, default=1_500_000)
    parser.add_argument("--reuse", help="A database to keep (loaded once, reused next time)")
    parser.add_argument("--runs", type=int, default=3, help="repeats of the aggregate tables")
    parser.add_argument("--live-pairs", type=int, default=15, help="two-key pairs timed live")
    args = parser.parse_args()
    if not 1 <= args.runs <= 20 or not 1 <= args.live_pairs <= len(PAIRS):
        raise SystemExit(f"keep it bounded: 1-20 runs, 1-{len(PAIRS)} live pairs")
    with bench_server(args.database_url) as server:
        name = args.reuse or "bench_registry_statistics"
        try:
            url = ensure(server, name, args.people, quiet=True)
            with_refresh_cleared(url)
            print(f"{counts(url)}; {args.runs} runs")
            measure(url, args.runs, args.live_pairs)
        finally:
            if not args.reuse:
                server.drop_database(name)


def with_refresh_cleared(url: str) -> None:
    """Forget an earlier run's refresh: the live figures must be live."""
    import psycopg

    from services.registry.audit.verify import psycopg_url

    with psycopg.connect(psycopg_url(url)) as conn:
        conn.execute("DELETE FROM statistics_refresh")
        conn.commit()


if __name__ == "__main__":
    main()
