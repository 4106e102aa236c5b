"""Bulk import: `migreg import persons` of N people against a raw COPY of the same file.

Each run makes a scratch database, applies the registry migrations, then
(1) the baseline: ``COPY bare FROM STDIN (FORMAT csv)`` of the same CSV into a
table of text columns with no index, no constraint and no validation (the
physical limit of getting these bytes into PostgreSQL), and (2) the real
thing: the ``migreg import persons`` command as a separate process
(validation with the API's rules, PIN checks, phones to E.164, search tokens,
COPY into ``persons`` with its indexes, the report). Wall times; the ratio is
import / baseline of the same run.

    .venv/bin/python bench/registry_import.py --people 100000
    .venv/bin/python bench/registry_import.py --country /tmp/country --people 1000000 --runs 3 \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import psycopg

from services.registry.audit.verify import psycopg_url
from services.registry.demo.export import PERSON_HEADER, write_country
from shared.embedded_pg import DatabaseServer, start_embedded
from shared.migrate import upgrade

DB = f"bench_registry_import_{os.getpid()}"


def persons_file(country: Path | None, people: int, work: Path) -> Path:
    """The first ``people`` rows of the country's persons.csv (generated when not given)."""
    if country is None:
        country = work / "country"
        write_country(country, people, seed=2026)
    source = country / "persons.csv"
    target = work / f"persons-{people}.csv"
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        out.writelines(islice(src, people + 1))
    return target


def bare_copy(url: str, path: Path) -> float:
    columns = ", ".join(f"{name} text" for name in PERSON_HEADER)
    with psycopg.connect(psycopg_url(url)) as conn:
        conn.execute(f"CREATE TABLE bare ({columns})")
        started = time.perf_counter()
        statement = "COPY bare FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cur, cur.copy(statement) as cp, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                cp.write(block)
        conn.commit()
        return time.perf_counter() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def real_import(url: str, path: Path, workers: int) -> tuple[float, str]:
    """Wall seconds and the summary line; the summary also names the import's own CPU
    seconds (its processes, not the database server's): the machine is shared."""
    env = dict(os.environ, REGISTRY_DATABASE_URL=url)
    command = [sys.executable, "-m", "migreg.main", "import", "persons", str(path)]
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--workers", str(workers)], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr[-2000:])
    summary = next((line for line in done.stdout.splitlines() if " rows: " in line), "")
    return elapsed, f"{summary} (import processes' CPU {cpu:.1f} s)"


def one_run(
    server: DatabaseServer, path: Path, workers: int, db: str = DB
) -> tuple[float, float, str]:
    server.drop_database(db)
    url = server.ensure_database(db)
    upgrade("registry", url)
    baseline = bare_copy(url, path)
    imported, summary = real_import(url, path, workers)
    return baseline, imported, summary


def describe(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
    return f"median {statistics.median(values):.1f} s, p95 {p95:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="A server to create a scratch database on")
    parser.add_argument("--country", type=Path, help="A `migreg demo generate` directory")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--keep-as", help="Keep the last run's database under this name (for registry_search)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        path = persons_file(args.country, args.people, work)
        server = (
            DatabaseServer(url=args.database_url)
            if args.database_url
            else start_embedded(work / "pgdata")
        )
        try:
            results = [one_run(server, path, args.workers) for _ in range(args.runs - 1)]
            results.append(one_run(server, path, args.workers, args.keep_as or DB))
        finally:
            server.drop_database(DB)
            if not args.keep_as:
                server.stop()
    baselines = [b for b, _, _ in results]
    imports = [i for _, i, _ in results]
    ratios = [i / b for b, i, _ in results]
    print(f"people: {args.people}, runs: {args.runs}, workers: {args.workers}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"last run: {results[-1][2]}")
    print(f"baseline raw COPY into a bare table: {describe(baselines)}")
    print(f"migreg import persons:               {describe(imports)}")
    print(f"import / baseline: median {statistics.median(ratios):.1f}x")
    print(f"import rate: median {args.people / statistics.median(imports):,.0f} rows/s")


if __name__ == "__main__":
    main()
