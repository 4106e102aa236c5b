"""Database plumbing: engine per app, one session and one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Stable constraint names so Alembic autogenerate and hand-written migrations agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Any PostgreSQL URL, driven by psycopg 3 (sync for Alembic, async for apps)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(
    url: str, pool_size: int = 10, *, pre_ping: bool = True, read_only: bool = False
) -> AsyncEngine:
    """A pool. ``pre_ping`` costs a round trip on every checkout; a service's
    request path turns it off (``shared.app``): there, a connection a database
    restart cut fails its one request with a 503 and Retry-After
    (``shared.errors``), and that disconnect invalidates the whole pool, so the
    next requests connect afresh. ``read_only``: every statement on it is READ
    ONLY, set once per connection when it connects rather than per request, and
    runs in autocommit: a read has nothing to commit, and under READ COMMITTED
    each statement takes its own snapshot inside a transaction too, so BEGIN and
    COMMIT were two round trips a request for nothing."""
    read = {"isolation_level": "AUTOCOMMIT"} if read_only else {}
    connect_args = {"options": _read_only_options(url)} if read_only else {}
    # hide_parameters: a database error must not log PINs, phones or names.
    return create_async_engine(
        async_url(url),
        **read,
        hide_parameters=True,
        # Up to twice ``pool_size`` connections, all kept once opened: an overflow
        # connection (closed on return once the pool holds ``pool_size``) made every
        # burst of requests connect afresh, a new backend with cold caches and no
        # prepared statements each time (bench/README.md, "Request path").
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_pre_ping=pre_ping,
        connect_args=connect_args,
    )


def _read_only_options(url: str) -> str:
    """The URL's own ``options`` (if any) and read-only transactions by default."""
    own = make_url(url).query.get("options", "")
    own = own if isinstance(own, str) else " ".join(own)
    return f"{own} -c default_transaction_read_only=on".strip()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed here and only here, before the
    response is sent (scope="function"), rolled back on any error."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session, session.begin():
        yield session


DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Read-only statements on the read URL (a streaming replica in production;
    the primary when none is configured). Its engine makes every statement READ
    ONLY and autocommit (``make_engine(read_only=True)``): a write sent here fails
    loudly even on the primary, so no write can ride on the read path."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
    async with maker() as session, session.begin():
        yield session


# Search and statistics: heavy reads that tolerate replication lag of a moment.
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
