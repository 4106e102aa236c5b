"""The app factory every service builds on: one way to start, fail and log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi_offline import FastAPIOffline

from shared.auth.dependencies import authenticate
from shared.auth.keys import KeyStore
from shared.auth.whoami import router as whoami_router
from shared.db import make_engine, make_sessionmaker
from shared.errors import (
    BadRequest,
    DatabaseUnavailable,
    Forbidden,
    InvalidInput,
    Unauthorized,
    install_problem_handlers,
    problems,
)
from shared.health import router as health_router
from shared.http import Peers
from shared.limits import RequestLimitMiddleware
from shared.logging import configure_logging
from shared.middleware import RequestContextMiddleware
from shared.openapi import describe_callers, install_openapi, operation_id
from shared.outbox.gauges import outbox_gauges
from shared.outbox.router import outbox_router
from shared.outbox.setup import OutboxSpec
from shared.query import refuse_repeated_scalars
from shared.ratelimit import RateLimiter
from shared.settings import ServiceSettings

Startup = Callable[[FastAPI], AbstractAsyncContextManager[None]]
MetricsRefresher = Callable[[FastAPI], Awaitable[None]]

# What any /v1 operation may answer, whatever else it raises.
V1_PROBLEMS = problems(BadRequest, Unauthorized, Forbidden, InvalidInput, DatabaseUnavailable)


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    startup: Startup | None = None,
    metrics_refreshers: Sequence[MetricsRefresher] = (),
    outbox: OutboxSpec | None = None,
) -> FastAPI:
    """Build a service: routers under ``/v1`` behind authentication (deny by
    default), problem+json errors, request ids, health and metrics; with an
    ``outbox``, its relay runs in the background and ``GET /v1/outbox`` lists it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # No pre-ping on the request path: a restart costs a request a 503, not
        # every request a round trip (see make_engine).
        engine = make_engine(settings.database_url, settings.db_pool_size, pre_ping=False)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        # A pool of its own even on the primary: a search holds its read
        # connection while its audit event takes a write one, and a shared pool
        # deadlocks once every connection is a read waiting for a write.
        read_engine = make_engine(
            settings.read_database_url or settings.database_url,
            settings.db_pool_size,
            pre_ping=False,
            read_only=True,
        )
        app.state.read_sessionmaker = make_sessionmaker(read_engine)
        app.state.key_store.prefetch()
        # One pooled client per peer for the app's life (connections reused).
        peers = app.state.peers = Peers(settings, name)
        try:
            async with AsyncExitStack() as stack:
                if outbox is not None:
                    await stack.enter_async_context(outbox.running(app, peers))
                if startup is not None:
                    await stack.enter_async_context(startup(app))
                yield
        finally:
            await peers.aclose()
            await engine.dispose()
            await read_engine.dispose()

    configure_logging(name, settings.log_level)
    # Swagger UI and ReDoc are served with their assets from the package, never
    # a CDN: a ministry network has no internet.
    app = FastAPIOffline(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.service_name = name
    app.state.key_store = KeyStore(settings.auth)
    app.state.rate_limiter = RateLimiter(settings)
    # Gauges read from the database are refreshed when /metrics is scraped: no
    # background task, nothing runs (or holds a lock) between scrapes.
    refreshers = [*metrics_refreshers]
    if outbox is not None:
        refreshers.append(outbox_gauges(outbox.model))
        routers = [*routers, outbox_router(outbox.model)]
    app.state.metrics_refreshers = tuple(refreshers)
    install_problem_handlers(app)
    # Outermost last: size limits run inside the request context (ids, metrics).
    app.add_middleware(RequestLimitMiddleware, limits=settings.request_limits())
    app.add_middleware(RequestContextMiddleware, service=name)
    app.include_router(health_router)
    v1 = APIRouter(
        prefix="/v1",
        dependencies=[Depends(authenticate), Depends(refuse_repeated_scalars)],
        responses=V1_PROBLEMS,
    )
    for router in [whoami_router, *routers]:
        describe_callers(router)
        v1.include_router(router)
    app.include_router(v1)
    install_openapi(app)
    return app
