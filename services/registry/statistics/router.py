"""Disaggregated statistics for analysts: counts only, never a person. HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.access import Analyst
from services.registry.clock import today
from services.registry.http import AppSettings
from services.registry.statistics import service
from services.registry.statistics.schemas import BY_KEYS, FlowsOut, StockOut
from shared.db import DbSession
from shared.schemas import IsoDate

router = APIRouter(prefix="/statistics", tags=["statistics"])

By = Annotated[
    str | None,
    Query(
        max_length=200,
        description=f"Comma-separated breakdown keys: {', '.join(BY_KEYS)}",
        examples=["sex,destination_country"],
    ),
]
SUPPRESSION = (
    "Cells under the suppression threshold keep their keys but show `count: null, "
    "suppressed: true`. No totals are given, since a total would reveal a withheld cell."
)


@router.get(
    "/stock",
    response_model=StockOut,
    response_model_exclude_unset=True,
    summary="Persons abroad on a date",
    description="Persons whose last movement on or before `on` is a departure (less those "
    "reported deceased by then), broken down by `by`. " + SUPPRESSION,
)
async def stock(
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
    on: Annotated[IsoDate | None, Query(description="Default: today")] = None,
    by: By = None,
) -> StockOut:
    keys = service.parse_by(by)
    day = on or today(settings)
    threshold = settings.statistics_suppression_threshold
    cells = await service.stock(session, day, keys, threshold)
    return StockOut(on=day, by=keys, suppression_threshold=threshold, items=cells)


@router.get(
    "/flows",
    response_model=FlowsOut,
    response_model_exclude_unset=True,
    summary="Departures and returns over a period",
    description="Active departures and returns dated from `from` to `to` (both included), "
    "each cell keyed by `movement` and the `by` keys. " + SUPPRESSION,
)
async def flows(
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
    start: Annotated[IsoDate, Query(alias="from")],
    to: IsoDate,
    by: By = None,
) -> FlowsOut:
    keys = service.parse_by(by)
    threshold = settings.statistics_suppression_threshold
    cells = await service.flows(session, start, to, keys, threshold)
    return FlowsOut(from_=start, to=to, by=keys, suppression_threshold=threshold, items=cells)
