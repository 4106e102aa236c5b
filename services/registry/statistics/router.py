"""Disaggregated statistics for analysts: counts only, never a person. HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from services.registry.access import Analyst
from services.registry.clock import today
from services.registry.http import AppSettings
from services.registry.statistics import service
from services.registry.statistics.schemas import ByKey, FlowsOut, StockOut
from shared.db import DbSession
from shared.openapi import split_commas
from shared.schemas import IsoDate

router = APIRouter(prefix="/statistics", tags=["statistics"])

By = Annotated[
    list[ByKey],
    Query(
        max_length=5,
        json_schema_extra={"uniqueItems": True},
        description="Breakdown keys, each at most once: repeat the parameter "
        "(`by=sex&by=destination_country`) or separate them with commas.",
    ),
    BeforeValidator(split_commas),
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
    by: By = [],  # noqa: B006 (FastAPI copies defaults per request)
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
    by: By = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> FlowsOut:
    keys = service.parse_by(by)
    threshold = settings.statistics_suppression_threshold
    cells = await service.flows(session, start, to, keys, threshold)
    return FlowsOut(from_=start, to=to, by=keys, suppression_threshold=threshold, items=cells)
