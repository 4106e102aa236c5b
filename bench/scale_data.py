"""A registry database at a given size, loaded once and reused by the scale benchmarks.

    .venv/bin/python bench/scale_data.py --people 1500000 --keep-as bench_stats \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

The synthetic country of `migreg demo generate` (people, their family members
and movements, `services/registry/demo/synthetic.py`) COPYed with the demo
bulk loader (`services/registry/demo/bulk.py`), committed every chunk, then
``VACUUM ANALYZE``. At 1.5M people: about 4.2M family members, 3.1M movements.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from services.registry.audit.verify import psycopg_url
from services.registry.demo.bulk import LoadCounts, copy_people
from services.registry.demo.synthetic import iter_people
from shared.embedded_pg import DatabaseServer, scratch_embedded
from shared.migrate import upgrade

CHUNK = 50_000


@contextlib.contextmanager
def bench_server(url: str | None) -> Iterator[DatabaseServer]:
    """The server at ``url``, or else an embedded one in a temporary directory,
    stopped and removed afterwards."""
    if url:
        yield DatabaseServer(url=url)
        return
    with scratch_embedded("bench-pg-") as server:
        yield server


def counts(url: str) -> dict[str, int]:
    """Rows per table (zero when the registry tables are not there yet)."""
    tables = ("persons", "family_members", "movements")
    with psycopg.connect(psycopg_url(url)) as conn:
        found = conn.execute("SELECT to_regclass('persons') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return dict.fromkeys(tables, 0)
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def load(url: str, people: int, quiet: bool = False) -> LoadCounts:
    """COPY ``people`` synthetic people into the (migrated, empty) database at ``url``."""
    total = LoadCounts()
    started = time.monotonic()
    source = iter_people(people)
    with psycopg.connect(psycopg_url(url)) as conn:
        while total.persons < people:
            batch = (
                p for _, p in zip(range(min(CHUNK, people - total.persons)), source, strict=False)
            )
            done = copy_people(conn, batch)
            conn.commit()
            for field in ("persons", "family_members", "movements", "abroad"):
                setattr(total, field, getattr(total, field) + getattr(done, field))
            if not quiet:
                rate = total.persons / (time.monotonic() - started)
                print(f"  {total.persons} people loaded ({rate:.0f}/s)", flush=True)
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return total


def ensure(server: DatabaseServer, name: str, people: int, quiet: bool = False) -> str:
    """The database ``name`` with at least ``people`` people: reused when already loaded."""
    url = server.ensure_database(name)
    if counts(url)["persons"] >= people:
        upgrade("registry", url)  # a database kept from before a migration
        return url
    server.drop_database(name)
    url = server.ensure_database(name)
    upgrade("registry", url)
    load(url, people, quiet)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="The server to load on")
    parser.add_argument("--people", type=int, default=1_500_000)
    parser.add_argument("--keep-as", required=True, help="The database to create and keep")
    args = parser.parse_args()
    server = DatabaseServer(url=args.database_url)
    started = time.monotonic()
    url = ensure(server, args.keep_as, args.people)
    print(f"{counts(url)} in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
