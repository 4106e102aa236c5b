"""The consular service: consulates, protection cases, workflow, SLA, referrals."""

from __future__ import annotations

from fastapi import FastAPI

from services.consular.consulates.router import router as consulates_router
from services.consular.settings import ConsularSettings
from shared.app import create_service_app


def create_app(settings: ConsularSettings | None = None) -> FastAPI:
    return create_service_app(
        name="consular",
        title="Migrant Registry — consular",
        description="Consulates and the protection cases of workers abroad.",
        settings=settings or ConsularSettings(),
        routers=[consulates_router],
    )
