"""What one registry request costs: database round trips and server CPU seconds.

    .venv/bin/python bench/registry_request_path.py postgresql://postgres@127.0.0.1:5432/DB \\
        --tree /work/wt/base --tree . --requests 400

For a PIN search (``GET /v1/persons?q=PIN``), a person read (``GET
/v1/persons/{id}``) and a departure (``POST .../departures`` with an
Idempotency-Key), on a database loaded by ``bench/scale_data.py``:

- round trips: the app of each ``--tree`` runs in this process behind a TCP
  relay to PostgreSQL that counts how often a connection speaks after the
  server has answered (one round trip each, however many messages go
  together), averaged over a few requests after a warm-up; the background
  loops (sealer, imports, statistics, outbox) are off;
- CPU and latency: ``bench/registry_server.py`` of every tree, each in its
  own process, all up at once; one client sends ``--requests`` requests of
  each kind to every server, one at a time, the servers in a shuffled order
  each time (so a noisy neighbour hurts every tree alike); the server's user
  + system CPU from ``/proc/<pid>/stat`` before and after, divided by the
  count, and the latency p50 and p95 seen by the client. Medians over
  ``--rounds`` rounds.

Departures use up people not abroad: each round departs ``--requests`` of them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

# The tree whose app is measured (a subprocess per tree; see --tree).
sys.path.insert(0, os.environ.get("REQUEST_PATH_TREE") or str(Path(__file__).resolve().parents[1]))

import httpx
import psycopg
from sqlalchemy.engine import make_url

from bench.registry_reads import _free_port, _wait_ready
from bench.registry_server import SECRET
from services.registry.audit.verify import psycopg_url
from shared.auth.tokens import issue_token
from shared.settings import AuthSettings

KINDS = ("pin_search", "person_read", "departure")
TICKS = os.sysconf("SC_CLK_TCK")
DEPARTURE = {"departed_on": "2026-11-01", "destination_country": "RU"}


class People:
    """Whom to find, read and depart (each departer once)."""

    def __init__(self, url: str, half: int) -> None:
        with psycopg.connect(psycopg_url(url)) as conn:
            rows = conn.execute("SELECT id::text, pin FROM persons LIMIT 5000").fetchall()
            stay = "SELECT id::text FROM persons WHERE status IN ('in_country', 'returned')"
            self.leavers = [r[0] for r in conn.execute(stay)]
        self.rows = rows
        random.Random(7).shuffle(self.leavers)
        self.leavers = self.leavers[half::2]

    def request(self, kind: str, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        person_id, pin = rng.choice(self.rows)
        if kind == "pin_search":
            return "GET", "/v1/persons", {"params": {"q": pin}}
        if kind == "person_read":
            return "GET", f"/v1/persons/{person_id}", {}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        return (
            "POST",
            f"/v1/persons/{self.leavers.pop()}/departures",
            {
                "json": DEPARTURE,
                "headers": key,
            },
        )


def _headers() -> dict[str, str]:
    token = issue_token(
        AuthSettings(dev_secret=SECRET), subject="bench-registrar", roles=["registrar"]
    )
    return {"Authorization": f"Bearer {token}"}


async def _send(http: httpx.AsyncClient, people: People, kind: str, rng: random.Random) -> None:
    method, path, extra = people.request(kind, rng)
    headers = _headers_cache | extra.pop("headers", {})
    response = await http.request(method, path, headers=headers, **extra)
    assert response.status_code in (200, 201), response.text


_headers_cache: dict[str, str] = {}


# Round trips ---------------------------------------------------------------------------


class Relay:
    """A TCP relay that counts round trips: client bytes after server bytes."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.round_trips = 0

    async def _pipe(
        self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, state: list[bool], client: bool
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await src.read(65536):
                if client and state[0]:
                    self.round_trips += 1
                state[0] = not client
                dst.write(data)
                await dst.drain()
        dst.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        state = [True]  # the first client message is a round trip
        # Cancelled when the relay stops with connections still open: that is the end.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(
                self._pipe(reader, up_writer, state, True),
                self._pipe(up_reader, writer, state, False),
            )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[int]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        async with server:
            yield server.sockets[0].getsockname()[1]


async def count_round_trips(url: str, people: People, repeats: int) -> dict[str, float]:
    from services.registry.app import create_app
    from services.registry.settings import RegistrySettings

    parsed = make_url(url)
    relay = Relay(parsed.host or "127.0.0.1", parsed.port or 5432)
    async with relay.running() as port:
        settings = RegistrySettings(
            database_url=parsed.set(host="127.0.0.1", port=port).render_as_string(False),
            auth=AuthSettings(dev_secret=SECRET),
            log_level="WARNING",
            person_read_limits={},
            outbox_relay=False,
            statistics_refresh_interval_seconds=0,
            audit_seal_interval_seconds=0,
            import_poll_interval_seconds=0,
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        rng = random.Random(3)
        result = {}
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as http,
        ):
            for kind in KINDS:
                for _ in range(3):  # warm: pools filled, statements cached
                    await _send(http, people, kind, rng)
                before = relay.round_trips
                for _ in range(repeats):
                    await _send(http, people, kind, rng)
                result[kind] = (relay.round_trips - before) / repeats
    return result


# CPU -----------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _start(tree: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = tree / "bench" / "registry_server.py"
    proc = subprocess.Popen([sys.executable, str(server), url, str(port), "--pool", "5"])
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, proc)
    return proc, base


async def _alternate(
    servers: dict[Path, tuple[subprocess.Popen[bytes], str]], people: People, n: int
) -> dict[Path, dict[str, float]]:
    """Each kind: ``n`` requests to every server, one at a time in a shuffled
    order, so a neighbour's burst of work falls on all of them alike."""
    rng = random.Random(11)
    result: dict[Path, dict[str, float]] = {tree: {} for tree in servers}
    clients = {
        tree: httpx.AsyncClient(base_url=base, timeout=60) for tree, (_, base) in servers.items()
    }
    try:
        for kind in KINDS:
            for tree in servers:  # warm-up
                for _ in range(20):
                    await _send(clients[tree], people, kind, rng)
            times: dict[Path, list[float]] = {tree: [] for tree in servers}
            cpu = {tree: _cpu_seconds(proc.pid) for tree, (proc, _) in servers.items()}
            for _ in range(n):
                for tree in rng.sample(list(servers), len(servers)):
                    started = time.perf_counter()
                    await _send(clients[tree], people, kind, rng)
                    times[tree].append((time.perf_counter() - started) * 1000)
            for tree, (proc, _) in servers.items():
                result[tree][kind] = (_cpu_seconds(proc.pid) - cpu[tree]) / n * 1000
                ms = statistics.quantiles(times[tree], n=20, method="inclusive")
                result[tree][kind + "_p50"] = statistics.median(times[tree])
                result[tree][kind + "_p95"] = ms[-1]
    finally:
        for client in clients.values():
            await client.aclose()
    return result


def interleaved_round(
    trees: list[Path], url: str, people: People, n: int
) -> dict[Path, dict[str, float]]:
    """Every tree's server up at once; CPU ms per request and latency per kind."""
    servers = {}
    try:
        for tree in trees:
            servers[tree] = _start(tree, url)
        return asyncio.run(_alternate(servers, people, n))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=30)


def round_trips_in(tree: Path, url: str, repeats: int) -> str:
    """The round-trip line of ``tree``'s app (its own process: its own imports)."""
    env = {**os.environ, "REQUEST_PATH_TREE": str(tree)}
    command = [sys.executable, __file__, url, "--count-round-trips", "--repeats", str(repeats)]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="a database loaded by bench/scale_data.py")
    parser.add_argument("--tree", action="append", type=Path, help="a worktree (repeatable)")
    parser.add_argument("--requests", type=int, default=300, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=2, help="per tree")
    parser.add_argument("--repeats", type=int, default=10, help="requests counted for round trips")
    parser.add_argument("--count-round-trips", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000 or not 1 <= args.rounds <= 10:
        raise SystemExit("keep it bounded: 1-5000 requests, 1-10 rounds")
    _headers_cache.update(_headers())
    if args.count_round_trips:
        people = People(args.database_url, half=1)
        trips = asyncio.run(count_round_trips(args.database_url, people, args.repeats))
        print("round trips per request: " + ", ".join(f"{k} {v:.1f}" for k, v in trips.items()))
        return
    trees = [t.resolve() for t in args.tree or [Path(__file__).resolve().parents[1]]]
    for tree in trees:
        print(f"{tree.name}: " + round_trips_in(tree, args.database_url, args.repeats), end="")
    people = People(args.database_url, half=0)  # after those departures
    rounds: dict[Path, list[dict[str, float]]] = {t: [] for t in trees}
    for _ in range(args.rounds):
        measured = interleaved_round(trees, args.database_url, people, args.requests)
        for tree in trees:
            rounds[tree].append(measured[tree])
            print(f"{tree.name}: {_figures(measured[tree])}", flush=True)
    for tree, per_round in rounds.items():
        median = {k: statistics.median(m[k] for m in per_round) for k in per_round[0]}
        print(f"median {tree.name}: {_figures(median)}")


def _figures(measured: dict[str, float]) -> str:
    return "; ".join(
        f"{k}: CPU {measured[k]:.2f} ms, p50 {measured[k + '_p50']:.1f} ms, "
        f"p95 {measured[k + '_p95']:.1f} ms"
        for k in KINDS
    )


if __name__ == "__main__":
    main()
