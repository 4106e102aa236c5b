"""Registry search at scale: p50/p95 of `GET /v1/persons?q=` over 100k people.

Loads N synthetic people (``iter_people``, COPY) into a scratch database, then
drives the real registry app in-process (ASGI, no network: auth, validation,
the audit append for every person returned, JSON) with representative
queries, against a baseline measured in the same run: an exact PIN filter
(``?pin=``), the cheapest person read there is.

    .venv/bin/python bench/registry_search.py                  # embedded PostgreSQL
    .venv/bin/python bench/registry_search.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/registry_search.py --people 20000 --queries 100

Results go to stdout; record them in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from services.registry.app import create_app
from services.registry.audit.verify import psycopg_url
from services.registry.demo.bulk import copy_people
from services.registry.demo.synthetic import DemoPerson, generate_people, iter_people
from services.registry.settings import RegistrySettings
from shared.auth.tokens import issue_token
from shared.embedded_pg import DatabaseServer, start_embedded
from shared.migrate import upgrade
from shared.settings import AuthSettings

AUTH = AuthSettings(dev_secret="bench-secret-not-for-production")
TOKEN = issue_token(AUTH, subject="bench", roles=["registrar"], scopes=(), ttl_seconds=7200)
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
DB = "bench_registry_search"


def misspell_latin(person: DemoPerson, rng: random.Random) -> str:
    """A transliteration variant of the surname plus a one-letter typo in the first name."""
    surname = person.last_name_latin.replace("y", "i").replace("Zh", "J").replace("zh", "j")
    first = person.first_name_latin
    at = rng.randrange(1, len(first))
    typo = first[:at] + rng.choice("aeiouklmnrst") + first[at + 1 :]
    return f"{surname} {typo}"


def local_phone(person: DemoPerson) -> str:
    digits = person.phone[4:] if person.phone else ""
    return f"0{digits[:3]} {digits[3:6]} {digits[6:]}"


def _best_is_right(query: str, person: DemoPerson, items: list[dict[str, str]]) -> bool:
    """Is the first result the person, or (for names many people share) same-named?

    The synthetic population reuses a few hundred name pairs, so for a name
    query "right" means the best match carries the target's names.
    """
    if not items:
        return False
    best = items[0]
    if "surname" in query:
        return best["last_name"] == person.last_name
    if "name" in query:
        return (best["last_name"], best["first_name"]) == (person.last_name, person.first_name)
    return best["pin"] == person.pin


QUERIES: dict[str, Callable[[DemoPerson, random.Random], dict[str, str]]] = {
    "baseline: ?pin= exact": lambda p, r: {"pin": p.pin},
    "q = PIN": lambda p, r: {"q": p.pin},
    "q = phone 0555 123 456": lambda p, r: {"q": local_phone(p)},
    "q = Cyrillic full name": lambda p, r: {"q": f"{p.last_name} {p.first_name}"},
    "q = misspelled Latin name": lambda p, r: {"q": misspell_latin(p, r)},
    "q = Latin surname only": lambda p, r: {"q": p.last_name_latin},
}


async def measure(url: str, sample: list[DemoPerson], limit: int) -> None:
    settings = RegistrySettings(database_url=url, auth=AUTH, log_level="WARNING")
    app = create_app(settings)
    rng = random.Random(7)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for person in sample[:20]:  # warm caches and the connection pool
                await client.get("/v1/persons", params={"pin": person.pin}, headers=HEADERS)
            baseline = None
            print(f"{'query':<28} {'p50 ms':>8} {'p95 ms':>8} {'x base p95':>10} {'best ok':>7}")
            for name, build in QUERIES.items():
                timings, hits, tried = [], 0, 0
                for person in sample:
                    if name.startswith("q = phone") and not person.phone:
                        continue
                    params = {**build(person, rng), "limit": str(limit)}
                    started = time.perf_counter()
                    response = await client.get("/v1/persons", params=params, headers=HEADERS)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                    tried += 1
                    hits += _best_is_right(name, person, response.json()["items"])
                p50 = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1]
                baseline = baseline or p95
                print(
                    f"{name:<28} {p50:8.1f} {p95:8.1f} {p95 / baseline:10.1f} {hits / tried:7.0%}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="A server to create a scratch database on")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per query type")
    parser.add_argument("--limit", type=int, default=20, help="page size of each search")
    args = parser.parse_args()
    tmp = None
    if args.database_url:
        server = DatabaseServer(url=args.database_url)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-pg-")
        server = start_embedded(Path(tmp.name) / "pgdata")
    try:
        server.drop_database(DB)
        url = server.ensure_database(DB)
        upgrade("registry", url)
        started = time.monotonic()
        with psycopg.connect(psycopg_url(url)) as conn:
            counts = copy_people(conn, iter_people(args.people))
            conn.commit()
        with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            keys = conn.execute("SELECT count(*) FROM person_name_keys").fetchone()
        print(
            f"loaded {counts.persons} people, {counts.family_members} family members, "
            f"{counts.movements} movements, {keys[0] if keys else 0} name keys "
            f"in {time.monotonic() - started:.1f}s"
        )
        population = generate_people(args.people)
        sample = random.Random(11).sample(population, args.queries)
        asyncio.run(measure(url, sample, args.limit))
    finally:
        server.drop_database(DB)
        server.stop()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
