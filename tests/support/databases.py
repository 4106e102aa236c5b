"""A real PostgreSQL for the test session, and one database per service on it.

Order: ``TEST_DATABASE_URL`` if set; else testcontainers when a Docker engine
answers; else the embedded PostgreSQL. Never none: no database, no green.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

from psycopg.errors import DeadlockDetected
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from shared.embedded_pg import DatabaseServer, scratch_embedded
from shared.migrate import SERVICES, sync_url, upgrade


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def test_server() -> Iterator[DatabaseServer]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield DatabaseServer(url=url)
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
            yield DatabaseServer(url=container.get_connection_url())
        return
    with scratch_embedded("migreg-test-pg-") as server:
        yield server


def create_service_databases(server: DatabaseServer) -> dict[str, str]:
    """Fresh databases, named per process so parallel runs never collide."""
    urls = {}
    for service in SERVICES:
        name = f"migreg_test_{os.getpid()}_{service}"
        server.drop_database(name)
        urls[service] = server.ensure_database(name)
        upgrade(service, urls[service])
    return urls


def drop_service_databases(server: DatabaseServer) -> None:
    for service in SERVICES:
        server.drop_database(f"migreg_test_{os.getpid()}_{service}")


# Empties, in one round trip, the listed tables that a test used: those with rows, and
# those whose identity sequence moved (a rolled-back insert leaves no row but a used id).
# Truncating only these is several times faster than truncating every table.
_TRUNCATE_USED = """
DO $$
DECLARE
    candidates text[] := :tables;
    used text[] := '{}';
    name text;
    has_rows boolean;
BEGIN
    FOREACH name IN ARRAY candidates LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', name) INTO has_rows;
        IF has_rows THEN
            used := used || name;
        END IF;
    END LOOP;
    FOR name IN
        SELECT owner.relname
        FROM pg_sequences seq
        JOIN pg_class sequence ON sequence.relname = seq.sequencename AND sequence.relkind = 'S'
        JOIN pg_depend dep ON dep.objid = sequence.oid AND dep.refclassid = 'pg_class'::regclass
        JOIN pg_class owner ON owner.oid = dep.refobjid
        WHERE seq.schemaname = current_schema() AND seq.last_value IS NOT NULL
    LOOP
        IF name = ANY (candidates) AND NOT name = ANY (used) THEN
            used := used || name;
        END IF;
    END LOOP;
    IF cardinality(used) > 0 THEN
        EXECUTE 'TRUNCATE ' || array_to_string(used, ', ') || ' RESTART IDENTITY CASCADE';
    END IF;
END
$$
"""


class TableReset:
    """Empties a database's tables between tests, reference tables kept.

    One engine for the whole session and the table list read once: between tests
    it is one transaction and one round trip that truncates only what the test used.
    """

    def __init__(self, url: str, keep: frozenset[str]) -> None:
        self._engine = create_engine(sync_url(url), pool_size=1, pool_pre_ping=True)
        with self._engine.connect() as conn:
            tables = [
                t
                for t in inspect(conn).get_table_names()
                if t not in keep and t != "alembic_version"
            ]
        # DO takes no parameters: the names (read from the catalog) go in as a literal.
        listed = ", ".join(f"'{t}'" for t in tables)
        self._truncate = text(_TRUNCATE_USED.replace(":tables", f"ARRAY[{listed}]::text[]"))
        self._empty = not tables

    def __call__(self) -> None:
        if self._empty:
            return
        # A live service's background work (the outbox relay, the audit sealer) may
        # hold one of these tables and want another while TRUNCATE takes them in
        # list order: PostgreSQL then cancels one side of the deadlock. Try again.
        for attempt in range(5):
            try:
                self._truncate_used()
                return
            except OperationalError as exc:
                if not isinstance(exc.orig, DeadlockDetected) or attempt == 4:
                    raise
                time.sleep(0.2)

    def _truncate_used(self) -> None:
        with self._engine.begin() as conn:
            # User triggers off for this transaction: the registry's audit trail
            # refuses TRUNCATE by trigger (needs a superuser, which every test server gives).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(self._truncate)

    def dispose(self) -> None:
        self._engine.dispose()


# Variables that would point a child `migreg dev` at a server instead of the
# embedded PostgreSQL it is meant to start.
EMBEDDED_ONLY_ENV_DROPS = frozenset(
    {"DATABASE_URL", "TEST_DATABASE_URL", "MIGREG_AUTH_DEV_SECRET"}
    | {f"{s.upper()}_DATABASE_URL" for s in SERVICES}
)
