"""Load generator for the registry benchmarks: its own process, 127.0.0.1 only, bounded.

    python bench/load_client.py http://127.0.0.1:18041 job.json result.json \\
        --concurrency 20 --seconds 20 --token ...

``job.json`` is a list of query-parameter objects for ``GET /v1/persons``.
One client goes through the list once; several clients cycle through it
until ``--seconds`` pass (at most ``--max-requests``). The result holds every
latency in ms, the status counts, the throughput and, for one client, the
PINs each answer listed in order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx


async def one_client(client: httpx.AsyncClient, jobs: list[dict], headers: dict) -> dict:
    ms: list[float] = []
    statuses: Counter[str] = Counter()
    pins: list[list[str]] = []
    best_names: list[list[str] | None] = []
    for params in jobs:
        started = time.perf_counter()
        response = await client.get("/v1/persons", params=params, headers=headers)
        ms.append((time.perf_counter() - started) * 1000)
        statuses[str(response.status_code)] += 1
        items = response.json().get("items", []) if response.status_code == 200 else []
        pins.append([p["pin"] for p in items])
        best_names.append([items[0]["last_name"], items[0]["first_name"]] if items else None)
    return {"ms": ms, "statuses": statuses, "pins": pins, "best_names": best_names}


async def many_clients(
    client: httpx.AsyncClient, jobs: list[dict], headers: dict, n: int, seconds: float, cap: int
) -> dict:
    ms: list[float] = []
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    counter = iter(range(cap))

    async def worker() -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            response = await client.get("/v1/persons", params=jobs[i % len(jobs)], headers=headers)
            ms.append((time.perf_counter() - started) * 1000)
            statuses[str(response.status_code)] += 1

    await asyncio.gather(*(worker() for _ in range(n)))
    return {"ms": ms, "statuses": statuses}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("job", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    if urlsplit(args.base_url).hostname != "127.0.0.1":
        raise SystemExit("the load generator only aims at 127.0.0.1")
    jobs = json.loads(args.job.read_text(encoding="utf-8"))
    headers = {"Authorization": f"Bearer {args.token}"}
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=args.base_url, limits=limits, timeout=60) as client:
        await client.get("/v1/persons", params=jobs[0], headers=headers)  # warm up
        started = time.perf_counter()
        if args.concurrency == 1:
            result = await one_client(client, jobs, headers)
        else:
            result = await many_clients(
                client, jobs, headers, args.concurrency, args.seconds, args.max_requests
            )
        result["rate"] = len(result["ms"]) / (time.perf_counter() - started)
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
