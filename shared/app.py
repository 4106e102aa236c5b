"""The app factory every service builds on: one way to start, fail and log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from shared.auth.dependencies import authenticate
from shared.auth.keys import KeyStore
from shared.auth.whoami import router as whoami_router
from shared.db import make_engine, make_sessionmaker
from shared.errors import install_problem_handlers
from shared.health import router as health_router
from shared.http import Peers
from shared.limits import RequestLimitMiddleware
from shared.logging import configure_logging
from shared.middleware import RequestContextMiddleware
from shared.outbox.gauges import outbox_gauges
from shared.outbox.router import outbox_router
from shared.outbox.setup import OutboxSpec
from shared.ratelimit import RateLimiter
from shared.settings import ServiceSettings

Startup = Callable[[FastAPI], AbstractAsyncContextManager[None]]
MetricsRefresher = Callable[[FastAPI], Awaitable[None]]

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (401, "No valid bearer token"),
        (403, "Not allowed for this role"),
        (422, "Invalid input: which field and why"),
    )
}


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
        engine = make_engine(settings.database_url, settings.db_pool_size)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
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

    configure_logging(name, settings.log_level)
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
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
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authenticate)])
    v1.include_router(whoami_router)
    for router in routers:
        v1.include_router(router)
    app.include_router(v1)
    return app
