"""What ``migreg dev`` checks before it touches anything, each failure one clear line:
no other run on the same data folder, the ports free, the configured databases reachable.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from shared.migrate import sync_url

CONNECT_TIMEOUT_SECONDS = 5


class Refused(Exception):
    """A reason not to start, said in one line."""


@contextlib.contextmanager
def sole_run(home: Path) -> Iterator[None]:
    """Hold the data folder for this run; refuse if another run holds it.

    The lock is the kernel's (``flock``), so it goes with the process however it ends
    and a stale lock file never blocks the next run.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dev.lock"
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise Refused(
                f"migreg dev is already running on {home} (pid {holder}); "
                "stop it first or set MIGREG_HOME to another folder"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def require_free_ports(ports: Iterable[int]) -> None:
    for port in ports:
        with socket.socket() as sock:
            # As uvicorn binds: connections of an earlier run lingering in TIME_WAIT
            # do not count, only a listener does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                raise Refused(
                    f"port {port} is already in use (another migreg dev?); "
                    "stop it or choose other ports with --base-port"
                ) from None


def require_reachable(variable: str, url: str) -> None:
    """Connect once; a server that does not answer is one line naming host and port."""
    engine = create_engine(sync_url(url), connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        parsed = make_url(url)
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise Refused(f"cannot reach the database in {variable} at {where}: {reason}") from None
    finally:
        engine.dispose()
