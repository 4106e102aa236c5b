"""Case statistics endpoint: HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BeforeValidator

from services.consular.access import StatisticsReader
from services.consular.statistics import service
from services.consular.statistics.schemas import CaseStatistics, Dimension
from shared.db import ReadSession
from shared.errors import InvalidInput
from shared.openapi import once_each, split_commas
from shared.schemas import IsoDate

router = APIRouter(tags=["statistics"])


@router.get(
    "/case-statistics",
    operation_id="statistics-cases",
    response_model=CaseStatistics,
    summary="Case counts by category, consulate, status and month, small cells suppressed",
)
async def case_statistics(
    session: ReadSession,
    principal: StatisticsReader,
    request: Request,
    by: Annotated[
        list[Dimension],
        Query(
            min_length=1,
            max_length=4,
            json_schema_extra={"uniqueItems": True},
            description="Breakdown keys (default `consulate`): repeat the parameter "
            "(`by=category&by=month`) or separate them with commas; each at most once.",
        ),
        BeforeValidator(split_commas),
    ] = ["consulate"],  # noqa: B006 (FastAPI copies defaults per request)
    opened_from: Annotated[
        IsoDate | None, Query(description="Only cases opened on or after this day (UTC)")
    ] = None,
    opened_to: Annotated[
        IsoDate | None, Query(description="Only cases opened on or before this day (UTC)")
    ] = None,
) -> CaseStatistics:
    if opened_from and opened_to and opened_from > opened_to:
        raise InvalidInput(("query", "opened_to"), "earlier than opened_from")
    threshold: int = request.app.state.settings.statistics_suppression_threshold
    return await service.case_statistics(
        session, once_each(by, "by"), threshold, opened_from, opened_to
    )
