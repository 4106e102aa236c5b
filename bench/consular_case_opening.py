"""What the registry call costs when a consular officer opens a case for a registered person.

Runs the registry and consular services as real uvicorn processes on loopback (the
``live`` system of the tests) on a real PostgreSQL, registers one person, then opens
cases at a fixed concurrency, in the same run:

- baseline: cases for an unregistered person (``person`` details: no registry call);
- registered: cases for the registered person (``person_id``: consular asks the
  registry ``GET /v1/persons/{id}`` before numbering the case).

The ratio registered / baseline is what the peer call costs.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/consular_case_opening.py [--cases 400] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.embedded_pg import DatabaseServer
from tests.support.databases import create_service_databases, drop_service_databases
from tests.support.live import live_system
from tests.support.tokens import bearer

SUPERVISOR = bearer("consular_supervisor", subject="bench-supervisor")
REGISTRAR = bearer("registrar", subject="bench-registrar")
CONSULATES = ("RU-MOW", "RU-YEK", "RU-OVB", "RU-LED", "KZ-ALA", "TR-IST", "KR-SEL")


def _body(i: int, person_id: str | None) -> dict[str, object]:
    who: dict[str, object] = (
        {"person_id": person_id}
        if person_id
        else {"person": {"last_name": "Осмонов", "first_name": "Бакыт"}}
    )
    return {
        "consulate": CONSULATES[i % len(CONSULATES)],
        **who,
        "category": "wage_theft",
        "priority": "normal",
        "description": "Benchmark case: wages withheld.",
    }


async def _run(
    client: httpx.AsyncClient, url: str, person_id: str | None, cases: int, concurrency: int
) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            response = await client.post(
                f"{url}/v1/cases", json=_body(i, person_id), headers=SUPERVISOR
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(cases)))
    return time.perf_counter() - started, latencies


def _report(name: str, elapsed: float, latencies: list[float], cases: int) -> float:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    rate = cases / elapsed
    print(
        f"{name:<11} {rate:7.1f} cases/s   p50 {statistics.median(ordered) * 1000:6.1f} ms"
        f"   p95 {p95 * 1000:6.1f} ms"
    )
    return rate


async def _measure(urls: dict[str, str], cases: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        person = await client.post(
            f"{urls['registry']}/v1/persons",
            json={
                "pin": "21503199012345",
                "last_name": "Абдыкадыров",
                "first_name": "Бакыт",
                "sex": "M",
                "birth_date": "1990-03-15",
                "region": "KG-C",
            },
            headers=REGISTRAR,
        )
        assert person.status_code == 201, person.text
        person_id = person.json()["id"]
        await _run(client, urls["consular"], person_id, 40, concurrency)  # warm up both paths
        await _run(client, urls["consular"], None, 40, concurrency)
        base = await _run(client, urls["consular"], None, cases, concurrency)
        registered = await _run(client, urls["consular"], person_id, cases, concurrency)
    print(f"{cases} openings each, concurrency {concurrency}, services as real processes")
    rate_base = _report("no registry", base[0], base[1], cases)
    rate_reg = _report("registered", registered[0], registered[1], cases)
    print(f"registered / no-registry throughput ratio: {rate_reg / rate_base:.2f}")


def main(cases: int, concurrency: int) -> None:
    server = DatabaseServer(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    urls = create_service_databases(server)
    try:
        extra = {"CONSULAR_DB_POOL_SIZE": "20", "CONSULAR_LOG_LEVEL": "WARNING"}
        extra |= {"REGISTRY_LOG_LEVEL": "WARNING", "NOTIFICATIONS_LOG_LEVEL": "WARNING"}
        with live_system(urls, extra_env=extra) as system:
            asyncio.run(_measure(system.urls, cases, concurrency))
    finally:
        drop_service_databases(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    main(args.cases, args.concurrency)
