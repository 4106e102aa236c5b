"""The registry service: people, families, movements, search, statistics, audit."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.registry.audit.background import sealing
from services.registry.audit.router import router as audit_router
from services.registry.families.router import at_risk_router
from services.registry.families.router import router as families_router
from services.registry.imports.router import router as imports_router
from services.registry.imports.runner import running_imports
from services.registry.markers.router import router as markers_router
from services.registry.markers.router import statistics_router as marker_statistics_router
from services.registry.movements.router import router as movements_router
from services.registry.notices.handlers import HANDLERS as NOTICE_HANDLERS
from services.registry.notices.models import OutboxItem
from services.registry.persons.pin_router import router as pin_check_router
from services.registry.persons.router import router as persons_router
from services.registry.settings import RegistrySettings
from services.registry.statistics.background import freshness_gauge, refreshing
from services.registry.statistics.router import router as statistics_router
from shared.app import create_service_app
from shared.outbox.setup import OutboxSpec


@contextlib.asynccontextmanager
async def _background(app: FastAPI) -> AsyncIterator[None]:
    """The audit sealer, the import runner and the statistics aggregates' refresh."""
    async with sealing(app), running_imports(app), refreshing(app):
        yield


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    return create_service_app(
        name="registry",
        title="Migrant Registry — registry",
        description="Migrants, family members, departures and returns, search, statistics "
        "and the audit trail.",
        settings=settings or RegistrySettings(),
        routers=[
            persons_router,
            pin_check_router,
            families_router,
            movements_router,
            markers_router,
            at_risk_router,
            statistics_router,
            marker_statistics_router,
            audit_router,
            imports_router,
        ],
        startup=_background,
        metrics_refreshers=[freshness_gauge],
        # Departure SMS and returns reported to consular (services/registry/notices).
        outbox=OutboxSpec(OutboxItem, NOTICE_HANDLERS),
    )
