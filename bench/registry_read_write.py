"""Person reads and departures through the registry against a bare app doing the same SQL.

    .venv/bin/python bench/registry_read_write.py --people 1500000 --reuse bench_stats \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

Loads N synthetic people (``bench/scale_data.py``: at 1.5M, 4.2M family members
and 3.1M movements) or reuses a database it left. Then, for reads
(``GET /v1/persons/{id}``, random people) and writes (``POST
/v1/persons/{id}/departures``, each to a different person not abroad), rounds
alternate between two server processes on 127.0.0.1, C concurrent clients
each for a fixed time:

- the registry (``bench/registry_server.py``: the real app with auth, audit,
  idempotency, its outbox row; the outbox relay and the per-user read limit
  off: not the request path);
- the baseline, ``bench/bare_registry.py``: Starlette and psycopg sending the
  same SQL in the same transactions and nothing else (the physical limit).

Both get the same number of database connections (10; the shared server has
few). Prints requests/s, p50, p95 and the server's peak RSS per round, the
medians over rounds and the ratios registry / bare. Goals: reads >= 0.8,
writes >= 0.5, each server under 150 MB resident.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import psycopg

from bench.registry_reads import _free_port, _peak_rss_mb, _wait_ready
from bench.registry_server import SECRET
from bench.scale_data import bench_server, counts, ensure
from services.registry.audit.verify import psycopg_url
from shared.auth.tokens import issue_token
from shared.settings import AuthSettings

CONNECTIONS = 10
BARE = str(Path(__file__).with_name("bare_registry.py"))
SERVER = str(Path(__file__).with_name("registry_server.py"))


@dataclass
class Round:
    mode: str
    server: str
    rps: float
    p50: float
    p95: float
    rss: float = 0.0


class Work:
    """Who is read (anyone) and who departs (each once, never abroad)."""

    def __init__(self, url: str) -> None:
        with psycopg.connect(psycopg_url(url)) as conn:
            self.readers = [str(r[0]) for r in conn.execute("SELECT id FROM persons")]
            stay = "SELECT id FROM persons WHERE status IN ('in_country', 'returned')"
            self.leavers = [str(r[0]) for r in conn.execute(stay)]
        random.Random(5).shuffle(self.leavers)


async def _drive(base: str, work: Work, mode: str, clients: int, seconds: float) -> list[float]:
    token = issue_token(
        AuthSettings(dev_secret=SECRET),
        subject="bench-registrar",
        roles=["registrar"],
        scopes=(),
        ttl_seconds=3600,
    )
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    body = {"departed_on": "2026-11-01", "destination_country": "RU"}

    async def one(http: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        if mode == "read":
            return await http.get(f"/v1/persons/{rng.choice(work.readers)}", headers=headers)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        path = f"/v1/persons/{work.leavers.pop()}/departures"
        return await http.post(path, json=body, headers=headers | key)

    async def client(rng: random.Random, http: httpx.AsyncClient) -> None:
        # A write needs someone not abroad: a small database can run out of them.
        while time.perf_counter() < deadline and (mode == "read" or work.leavers):
            started = time.perf_counter()
            response = await one(http, rng)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), response.text

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(random.Random(i), http) for i in range(clients)))
    return timings


def run_round(url: str, work: Work, mode: str, server: str, clients: int, secs: float) -> Round:
    port = _free_port()
    if server == "registry":
        pool = str(CONNECTIONS // 2)  # and as many overflow: 10 at most
        command = [sys.executable, SERVER, url, str(port), "--pool", pool]
    else:
        command = [sys.executable, BARE, url, "--port", str(port), "--pool", str(CONNECTIONS)]
    proc = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        # Warm the pool with reads: departures would use up people to depart.
        asyncio.run(_drive(base, work, "read", clients, 1.0))
        timings = asyncio.run(_drive(base, work, mode, clients, secs))
        rss = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if len(timings) < 2:
        raise SystemExit(f"{len(timings)} {mode}s in a round: load more people")
    ms = statistics.quantiles(timings, n=20, method="inclusive")
    return Round(mode, server, len(timings) / secs, statistics.median(timings), ms[-1], rss)


def _line(r: Round) -> str:
    return (
        f"{r.mode:<5} {r.server:<8} {r.rps:8.1f} req/s  p50 {r.p50:6.1f} ms  "
        f"p95 {r.p95:6.1f} ms  peak RSS {r.rss:5.0f} MB"
    )


def measure(url: str, clients: int, seconds: float, runs: int) -> None:
    work = Work(url)
    print(f"{counts(url)}; {clients} clients; {seconds:.0f}s a round; {runs} rounds each")
    goals = {"read": 0.8, "write": 0.5}
    for mode, goal in goals.items():
        rounds = []
        for i in range(runs * 2):
            server = ("registry", "bare")[(i + i // 2) % 2]  # r b b r r b: neither always first
            rounds.append(run_round(url, work, mode, server, clients, seconds))
            print(_line(rounds[-1]), flush=True)
        median = {}
        for server in ("registry", "bare"):
            mine = [r for r in rounds if r.server == server]
            median[server] = Round(
                mode,
                server,
                statistics.median(r.rps for r in mine),
                statistics.median(r.p50 for r in mine),
                statistics.median(r.p95 for r in mine),
                max(r.rss for r in mine),
            )
            print("median " + _line(median[server]) + " (RSS: the highest)")
        ratio = median["registry"].rps / median["bare"].rps
        print(f"{mode} ratio registry / bare (req/s): {ratio:.2f} (goal >= {goal})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="A server to create a scratch database on")
    parser.add_argument("--people", type=int, default=1_500_000)
    parser.add_argument("--reuse", help="A database to keep (loaded once, reused next time)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per round")
    parser.add_argument("--runs", type=int, default=3, help="rounds per server and mode")
    args = parser.parse_args()
    if not 1 <= args.runs <= 10 or not 1 <= args.seconds <= 60 or not 1 <= args.clients <= 100:
        raise SystemExit("keep it bounded: 1-10 runs, 1-60 s, 1-100 clients")
    with bench_server(args.database_url) as server:
        name = args.reuse or "bench_registry_read_write"
        try:
            measure(
                ensure(server, name, args.people, quiet=True), args.clients, args.seconds, args.runs
            )
        finally:
            if not args.reuse:
                server.drop_database(name)


if __name__ == "__main__":
    main()
