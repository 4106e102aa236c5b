"""A real PostgreSQL for the test session, and one database per service on it.

Order: ``TEST_DATABASE_URL`` if set; else testcontainers when a Docker engine
answers; else the embedded PostgreSQL. Never none: no database, no green.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from shared.embedded_pg import DatabaseServer, start_embedded
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
    with tempfile.TemporaryDirectory(prefix="migreg-test-pg-") as tmp:
        server = start_embedded(Path(tmp) / "pgdata")
        try:
            yield server
        finally:
            server.stop()


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


def truncate_all(url: str, keep: frozenset[str]) -> None:
    """Empty every table but the reference ones, between tests."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            tables = [
                t
                for t in inspect(conn).get_table_names()
                if t not in keep and t != "alembic_version"
            ]
            if tables:
                # Switch user triggers off for this session: the registry's
                # audit trail refuses TRUNCATE by trigger (needs a superuser,
                # which every test server gives).
                conn.execute(text("SET session_replication_role = replica"))
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


# Variables that would point a child `migreg dev` at a server instead of the
# embedded PostgreSQL it is meant to start.
EMBEDDED_ONLY_ENV_DROPS = frozenset(
    {"DATABASE_URL", "TEST_DATABASE_URL", "MIGREG_AUTH_DEV_SECRET"}
    | {f"{s.upper()}_DATABASE_URL" for s in SERVICES}
)
