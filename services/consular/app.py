"""The consular service: consulates, protection cases, workflow, SLA, referrals."""

from __future__ import annotations

from fastapi import FastAPI

from services.consular.cases.activity_router import router as case_activity_router
from services.consular.cases.gauges import refresh_on_scrape
from services.consular.cases.router import router as cases_router
from services.consular.consulates.router import coverage_router
from services.consular.consulates.router import router as consulates_router
from services.consular.family.handlers import HANDLERS as FAMILY_HANDLERS
from services.consular.family.models import OutboxItem
from services.consular.person_events.router import router as person_events_router
from services.consular.persons.router import router as persons_router
from services.consular.referrals.router import router as referrals_router
from services.consular.settings import ConsularSettings
from services.consular.statistics.router import router as statistics_router
from services.consular.tasks.router import router as tasks_router
from shared.app import create_service_app
from shared.outbox.setup import OutboxSpec


def create_app(settings: ConsularSettings | None = None) -> FastAPI:
    app = create_service_app(
        name="consular",
        title="Migrant Registry — consular",
        description="Consulates and the protection cases of workers abroad.",
        settings=settings or ConsularSettings(),
        routers=[
            consulates_router,
            coverage_router,
            cases_router,
            case_activity_router,
            referrals_router,
            persons_router,
            statistics_router,
            tasks_router,
            person_events_router,
        ],
        metrics_refreshers=[refresh_on_scrape],
        # Family SMS go out through the outbox (services/consular/family).
        outbox=OutboxSpec(OutboxItem, FAMILY_HANDLERS),
    )
    return app
