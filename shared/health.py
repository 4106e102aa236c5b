"""Liveness, readiness and Prometheus metrics: the only unauthenticated routes."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shared.errors import ProblemError, problem_response, problems
from shared.migrate import head_revisions

router = APIRouter(tags=["health"])


class NotReady(ProblemError):
    """The database is not reachable, or its schema is not at the newest migration."""

    status, slug = 503, "not-ready"


log = logging.getLogger("migreg.metrics")


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers and its schema is at the newest migration",
    responses=problems(NotReady),
)
async def readyz(request: Request) -> Response:
    service: str = request.app.state.service_name
    try:
        async with request.app.state.engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            current = {row[0] for row in rows}
    except SQLAlchemyError:
        return problem_response(
            503, "The database is not reachable or not migrated.", slug=NotReady.slug
        )
    heads = head_revisions(service)
    if current != heads:
        return problem_response(
            503,
            f"Migrations are not at head (at {sorted(current)}, "
            f"head {sorted(heads)}); run `migreg db upgrade {service}`.",
            slug=NotReady.slug,
        )
    return Response('{"status":"ready"}', media_type="application/json")


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    for refresh in request.app.state.metrics_refreshers:
        try:
            await refresh(request.app)
        except (SQLAlchemyError, OSError):
            # A database blip serves the last values rather than failing the scrape.
            log.warning("metrics refresh failed", exc_info=True)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
