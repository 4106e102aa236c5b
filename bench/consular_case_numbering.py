"""What the per-consulate case-number counter costs under concurrent openings.

Opens cases through the real consular app (in process, ASGI) on a real PostgreSQL:

- baseline: openings spread over every seeded consulate (counter rows rarely contended);
- contended: the same number of openings all at RU-MOW (every opening waits for the
  previous one's counter row lock until commit).

Both at the same concurrency, in the same run, so the ratio is what matters. Also checks
that every number handed out is distinct and that each consulate's numbers have no gaps.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/consular_case_numbering.py [--cases 400] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from services.consular.app import create_app
from services.consular.consulates.seed_data import SEED_CONSULATES
from services.consular.settings import ConsularSettings
from shared.embedded_pg import DatabaseServer
from shared.migrate import upgrade
from tests.support.tokens import AUTH, bearer

SUPERVISOR = bearer("consular_supervisor", subject="bench-supervisor")


def _body(consulate: str) -> dict[str, object]:
    return {
        "consulate": consulate,
        "person": {"last_name": "Осмонов", "first_name": "Бакыт"},
        "category": "wage_theft",
        "priority": "normal",
        "description": "Benchmark case: wages withheld.",
    }


async def _run(
    client: httpx.AsyncClient, consulates: list[str], cases: int, concurrency: int
) -> tuple[float, list[float], list[str]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    numbers: list[str] = []

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            response = await client.post(
                "/v1/cases", json=_body(consulates[i % len(consulates)]), headers=SUPERVISOR
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
            numbers.append(response.json()["case_number"])

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(cases)))
    return time.perf_counter() - started, latencies, numbers


def _check(numbers: list[str]) -> None:
    assert len(set(numbers)) == len(numbers), "duplicate case numbers"
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        prefix, seq = number.rsplit("-", 1)
        by_prefix[prefix].append(int(seq))
    for prefix, seqs in by_prefix.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gaps at {prefix}"


def _report(name: str, elapsed: float, latencies: list[float], cases: int) -> float:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    rate = cases / elapsed
    print(
        f"{name:<10} {rate:7.1f} cases/s   p50 {statistics.median(ordered) * 1000:6.1f} ms"
        f"   p95 {p95 * 1000:6.1f} ms"
    )
    return rate


async def main(cases: int, concurrency: int) -> None:
    server = DatabaseServer(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    database = f"bench_consular_{os.getpid()}"
    server.drop_database(database)
    url = server.ensure_database(database)
    upgrade("consular", url)
    settings = ConsularSettings(database_url=url, auth=AUTH, log_level="WARNING", db_pool_size=20)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _run(client, ["DE-BER"], 20, 5)  # warm up
                everywhere = [c.code for c in SEED_CONSULATES if c.code != "DE-BER"]
                spread = await _run(client, everywhere, cases, concurrency)
                contended = await _run(client, ["RU-MOW"], cases, concurrency)
        _check(spread[2] + contended[2])
        print(f"{cases} openings each, concurrency {concurrency}")
        base = _report("spread", spread[0], spread[1], cases)
        hot = _report("one-site", contended[0], contended[1], cases)
        print(f"one consulate / spread throughput ratio: {hot / base:.2f}")
    finally:
        server.drop_database(database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.concurrency))
