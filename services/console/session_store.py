"""Server-side session records: a signed-in session is alive only while its row is.

The cookie (signed by Starlette's SessionMiddleware) carries the user and a random
session id; the store keeps, per session, only a hash of that id, the subject and
when it ends. Sign-out deletes the row, so every copy of the cookie is signed out
at once; an expired row counts as absent.

Two stores:

* ``PgSessionStore`` (``CONSOLE_DATABASE_URL`` set): one small table in the
  console's own PostgreSQL database, shared by every console replica. The table is
  created at start-up (``CREATE TABLE IF NOT EXISTS`` under an advisory lock, so
  replicas starting together do not race): one table of short-lived rows with no
  domain data, which a full Alembic environment would not pay for.
* ``MemorySessionStore`` (no URL): in this process only. Right for one console
  process (the development run); with several replicas a sign-out on one would not
  reach the others, and a session made on one would not be known to the next, so
  production sets the URL.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import make_engine, service_metadata

log = logging.getLogger(__name__)

metadata: MetaData = service_metadata()
console_sessions = Table(
    "console_sessions",
    metadata,
    # SHA-256 of the cookie's session id: a read of the table yields no usable id.
    Column("id_hash", String(64), primary_key=True),
    Column("subject", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# Any fixed number: serialises table creation between replicas starting together.
_CREATE_LOCK = 0x6D6967726567


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def add(self, session_id: str, subject: str, expires_at: int) -> None: ...
    async def alive(self, session_id: str) -> bool: ...
    async def end(self, session_id: str) -> None: ...


class MemorySessionStore:
    """This process only (one console replica): see the module's note."""

    def __init__(self) -> None:
        self._ends: dict[str, int] = {}

    async def open(self) -> None:
        log.warning("console sessions held in this process: run one replica only")

    async def close(self) -> None:
        self._ends.clear()

    async def add(self, session_id: str, subject: str, expires_at: int) -> None:
        now = time.time()
        self._ends = {k: v for k, v in self._ends.items() if v > now}
        self._ends[_hash(session_id)] = expires_at

    async def alive(self, session_id: str) -> bool:
        return self._ends.get(_hash(session_id), 0) > time.time()

    async def end(self, session_id: str) -> None:
        self._ends.pop(_hash(session_id), None)


class PgSessionStore:
    """The console's table in PostgreSQL, shared by all replicas."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        assert self._engine is not None, "session store not opened"
        return self._engine

    async def open(self) -> None:
        self._engine = make_engine(self._url, pool_size=5)
        async with self.engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CREATE_LOCK})
            await conn.run_sync(metadata.create_all, checkfirst=True)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def add(self, session_id: str, subject: str, expires_at: int) -> None:
        ends = datetime.fromtimestamp(expires_at, UTC)
        async with self.engine.begin() as conn:
            # Ended sessions are swept as new ones begin (indexed, a few rows at a time).
            ended = console_sessions.c.expires_at < func.now()
            await conn.execute(delete(console_sessions).where(ended))
            await conn.execute(
                insert(console_sessions)
                .values(id_hash=_hash(session_id), subject=subject[:200], expires_at=ends)
                .on_conflict_do_nothing()
            )

    async def alive(self, session_id: str) -> bool:
        query = select(console_sessions.c.id_hash).where(
            console_sessions.c.id_hash == _hash(session_id),
            console_sessions.c.expires_at > func.now(),
        )
        async with self.engine.connect() as conn:
            return (await conn.scalar(query)) is not None

    async def end(self, session_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(console_sessions).where(console_sessions.c.id_hash == _hash(session_id))
            )


def make_store(database_url: str | None) -> SessionStore:
    return PgSessionStore(database_url) if database_url else MemorySessionStore()
