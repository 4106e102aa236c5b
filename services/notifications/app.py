"""The notifications service: templates, the SMS outbox and its worker, callbacks."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.callbacks.router import router as callbacks_router
from services.notifications.messages.router import router as messages_router
from services.notifications.metrics import refresh_on_scrape
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.router import router as templates_router
from shared.app import create_service_app


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    return create_service_app(
        name="notifications",
        title="Migrant Registry — notifications",
        description="SMS templates, the durable outbox, providers, delivery reports and "
        "inbound messages from families.",
        settings=settings or NotificationsSettings(),
        routers=[messages_router, templates_router, callbacks_router],
        metrics_refreshers=[refresh_on_scrape],
    )
