"""Concurrent person reads with the audit trail on and off, in the same run.

    .venv/bin/python bench/registry_reads.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/registry_reads.py --people 5000 --clients 20 --seconds 8 --runs 3

Creates a scratch database, COPYs N synthetic people, then alternates rounds:
a registry server process (uvicorn, 127.0.0.1, a free port) serving the real
app with audit on, or with audit off, and this process as the client: C
concurrent clients each reading random people (``GET /v1/persons/{id}``) for
a fixed time. "Audit off" exists only here: the bench's own app instance
overrides the audit dependency (``app.dependency_overrides``) with one that
records nothing; the production app has no such switch.

Prints requests/s, median and p95 latency per round, then the medians over
rounds and the ratio audited / unaudited. Record results in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import psycopg

from bench.scale_data import bench_server
from services.registry.audit.verify import psycopg_url
from services.registry.demo.bulk import copy_people
from services.registry.demo.synthetic import iter_people
from shared.auth.tokens import issue_token
from shared.migrate import upgrade
from shared.settings import AuthSettings

SECRET = "bench-secret-not-for-production"
DB = "bench_registry_reads"


def serve(url: str, port: int, audit: bool) -> None:
    """The server process: the real registry app, audit overridden only when off."""
    import uvicorn

    from services.registry.app import create_app
    from services.registry.settings import RegistrySettings

    settings = RegistrySettings(
        database_url=url,
        auth=AuthSettings(dev_secret=SECRET),
        log_level="WARNING",
        db_pool_size=20,
        # One bench principal reads as fast as it can: the per-principal rate
        # limit is not what is measured here.
        person_read_limits={},
    )
    app = create_app(settings)
    if not audit:
        from services.registry.audit.declare import AuditTrail, audit_trail, audit_trail_apart

        app.dependency_overrides[audit_trail] = lambda: AuditTrail.off()
        app.dependency_overrides[audit_trail_apart] = lambda: AuditTrail.off()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Round:
    audit: bool
    rps: float
    p50: float
    p95: float
    peak_rss_mb: float = 0.0


def _peak_rss_mb(pid: int) -> float:
    """The server's peak resident memory (Linux VmHWM), for sizing its limits."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _drive(base: str, ids: list[str], clients: int, seconds: float) -> list[float]:
    token = issue_token(
        AuthSettings(dev_secret=SECRET),
        subject="bench-officer",
        roles=["consular_officer"],
        scopes=(),
        consulate="RU-MOW",
        ttl_seconds=3600,
    )
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(rng: random.Random, http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await http.get(f"/v1/persons/{rng.choice(ids)}", headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(random.Random(i), http) for i in range(clients)))
    return timings


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("the server process exited")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def run_round(url: str, ids: list[str], audit: bool, clients: int, seconds: float) -> Round:
    port = _free_port()
    args = [sys.executable, __file__, "--serve", url, "--port", str(port)]
    proc = subprocess.Popen([*args, "--audit", "on" if audit else "off"])
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        asyncio.run(_drive(base, ids, clients, 1.0))  # warm the pool
        timings = asyncio.run(_drive(base, ids, clients, seconds))
        peak = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return Round(
        audit,
        len(timings) / seconds,
        statistics.median(timings),
        statistics.quantiles(timings, n=20)[-1],
        peak,
    )


def _summary(rounds: list[Round], audit: bool) -> Round:
    mine = [r for r in rounds if r.audit == audit]
    return Round(
        audit,
        statistics.median(r.rps for r in mine),
        statistics.median(r.p50 for r in mine),
        statistics.median(r.p95 for r in mine),
    )


def measure(url: str, people: int, clients: int, seconds: float, runs: int) -> None:
    with psycopg.connect(psycopg_url(url)) as conn:
        copy_people(conn, iter_people(people))
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        ids = [str(row[0]) for row in conn.execute("SELECT id FROM persons")]
    print(f"{len(ids)} people; {clients} clients; {seconds:.0f}s a round; {runs} rounds each")
    rounds = []
    for i in range(runs * 2):
        done = run_round(url, ids, i % 2 == 0, clients, seconds)
        rounds.append(done)
        label = "audit on " if done.audit else "audit off"
        print(
            f"{label}  {done.rps:8.1f} req/s  p50 {done.p50:6.1f} ms  p95 {done.p95:6.1f} ms"
            f"  peak RSS {done.peak_rss_mb:5.0f} MB"
        )
    on, off = _summary(rounds, True), _summary(rounds, False)
    print("median over rounds:")
    for r in (on, off):
        label = "audit on " if r.audit else "audit off"
        print(f"{label}  {r.rps:8.1f} req/s  p50 {r.p50:6.1f} ms  p95 {r.p95:6.1f} ms")
    print(f"ratio audited / unaudited (req/s): {on.rps / off.rps:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="A server to create a scratch database on")
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0, help="per round")
    parser.add_argument("--runs", type=int, default=3, help="rounds per mode (bounded)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--audit", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.audit == "on")
        return
    if not 1 <= args.runs <= 10 or not 1 <= args.seconds <= 60 or not 1 <= args.clients <= 100:
        raise SystemExit("keep it bounded: 1-10 runs, 1-60 s, 1-100 clients")
    with bench_server(args.database_url) as server:
        try:
            server.drop_database(DB)
            url = server.ensure_database(DB)
            upgrade("registry", url)
            measure(url, args.people, args.clients, args.seconds, args.runs)
        finally:
            server.drop_database(DB)


if __name__ == "__main__":
    main()
