"""The notifications service: templates, the SMS outbox and its worker, callbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notifications.callbacks.router import router as callbacks_router
from services.notifications.messages.router import router as messages_router
from services.notifications.metrics import refresh_on_scrape
from services.notifications.recipients.router import router as opt_outs_router
from services.notifications.settings import DEV_CALLBACK_SECRET, NotificationsSettings
from services.notifications.templates.router import router as templates_router
from shared.app import create_service_app


@asynccontextmanager
async def _check_secrets(app: FastAPI) -> AsyncIterator[None]:
    settings: NotificationsSettings = app.state.settings
    if settings.callback_secret == DEV_CALLBACK_SECRET and not settings.auth.dev_secret:
        # Anyone could sign provider callbacks (opt people out, fake reports).
        raise RuntimeError(
            "NOTIFICATIONS_CALLBACK_SECRET is the development default; set the secret shared "
            "with the SMS provider (the default is accepted only with MIGREG_AUTH_DEV_SECRET)"
        )
    yield


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The service; it refuses to start (not to be built: the OpenAPI document
    needs no secret) with the development callback secret outside development."""
    return create_service_app(
        name="notifications",
        title="Migrant Registry — notifications",
        description="SMS templates, the durable outbox, providers, delivery reports and "
        "inbound messages from families.",
        settings=settings or NotificationsSettings(),
        routers=[messages_router, templates_router, opt_outs_router, callbacks_router],
        startup=_check_secrets,
        metrics_refreshers=[refresh_on_scrape],
    )
