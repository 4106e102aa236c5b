"""The console app: pages, static assets, sessions, CSRF, security headers, languages."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from services.console.errors import install_error_pages
from services.console.pages import (
    admin,
    audit,
    case_open,
    cases,
    corrections,
    home,
    language,
    markers,
    person_edit,
    persons,
    registration,
    statistics,
)
from services.console.security import SecurityHeaders
from services.console.session import SessionCheck
from services.console.session_store import make_store
from services.console.settings import ConsoleSettings
from services.console.signin import oidc
from services.console.signin import router as signin
from shared.logging import configure_logging
from shared.middleware import RequestContextMiddleware

STATIC = Path(__file__).parent / "static"
SERVICES = ("registry", "consular", "notifications")


def session_secret(settings: ConsoleSettings) -> str:
    if settings.session_secret:
        return settings.session_secret
    if settings.auth.dev_secret:
        # Development: derived from the development secret, so restarts keep sessions.
        return hashlib.sha256(b"console-session:" + settings.auth.dev_secret.encode()).hexdigest()
    raise RuntimeError("set CONSOLE_SESSION_SECRET (or the development secret for local runs)")


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await app.state.session_store.open()
        try:
            async with httpx.AsyncClient(timeout=settings.peer_timeout_seconds) as client:
                app.state.http = client
                yield
        finally:
            await app.state.session_store.close()

    configure_logging("console", settings.log_level)
    # httpx logs each URL at INFO, and a search URL carries a name, PIN or phone.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = FastAPI(
        title="Migrant Registry console",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.api_urls = {name: settings.api_url(name) for name in SERVICES}
    app.state.oauth = oidc.make_oauth(settings)
    app.state.session_store = make_store(settings.database_url)
    install_error_pages(app)
    # Inside SessionMiddleware (added first, so it runs after the cookie is read).
    app.add_middleware(SessionCheck)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="migreg_console",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    # Poor links in district offices: text compresses to a third.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestContextMiddleware, service="console", refuse_nul=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    @app.get("/readyz", include_in_schema=False)
    async def alive() -> PlainTextResponse:
        # The console holds no data: ready as soon as it serves.
        return PlainTextResponse("ok")

    # Fixed paths (/persons/new, /cases/new) before the ones with an id.
    pages = (
        registration,
        person_edit,
        corrections,
        markers,
        persons,
        case_open,
        cases,
        statistics,
        audit,
        admin,
    )
    for module in (signin, oidc, language, home, *pages):
        app.include_router(module.router)
    return app
