"""Disaggregated statistics for analysts: counts only, never a person. HTTP only.

Concepts follow the ILO's Guidelines concerning statistics of international
labour migration (20th ICLS, 2018): the stock of nationals abroad (for work)
on a date, outflows of nationals (departures) and returns of nationals over
a period.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response
from pydantic import BeforeValidator

from services.registry.access import Analyst
from services.registry.clock import today
from services.registry.http import AppSettings
from services.registry.statistics import service
from services.registry.statistics.errors import NotAcceptable
from services.registry.statistics.formats import (
    CSV,
    SDMX_CSV,
    negotiate,
    plain_csv,
    sdmx_csv,
)
from services.registry.statistics.periods import (
    check_period,
    check_stock_date,
    last_complete_month,
    sdmx_period,
)
from services.registry.statistics.schemas import ByKey, FlowsOut, StockOut
from shared.db import ReadSession
from shared.errors import InvalidInput, problems
from shared.openapi import split_commas
from shared.schemas import IsoDate


async def _vary_on_accept(response: Response) -> None:
    # One URL answers JSON, CSV or SDMX-CSV: a shared cache must key on Accept too.
    response.headers["Vary"] = "Accept"


router = APIRouter(
    prefix="/statistics", tags=["statistics"], dependencies=[Depends(_vary_on_accept)]
)

By = Annotated[
    list[ByKey],
    Query(
        max_length=3,
        json_schema_extra={"uniqueItems": True},
        description="Up to three breakdown keys, each at most once: repeat the parameter "
        "(`by=sex&by=destination_country`) or separate them with commas.",
    ),
    BeforeValidator(split_commas),
]
Accept = Annotated[str | None, Header(include_in_schema=False)]
SUPPRESSION = (
    "Cells under the suppression threshold keep their keys but show `count: null, "
    "suppressed: true`; a lone withheld cell takes a neighbour with it, so no cell can be "
    "recovered by subtraction from another published table. Periods are whole months, "
    "quarters or years, so windows shifted by a day cannot be differenced. "
    "`Accept: text/csv` gives CSV; `Accept: application/vnd.sdmx.data+csv` gives SDMX-CSV "
    "(REF_AREA, SEX, AGE, COUNTERPART_AREA, ECONOMIC_ACTIVITY, OCCUPATION, TIME_PERIOD, "
    "OBS_VALUE, OBS_STATUS C for withheld). Quality values count (`text/csv;q=0` refuses "
    "CSV; the highest `q` wins, JSON first on a tie); an `Accept` that admits none of the "
    "three is a 406. Only months that have ended are counted: a later date is a 422. "
    "Counted from monthly aggregates refreshed on a schedule when they cover the period: "
    "`as_of` (CSV: the `Data-As-Of` header) says up to when the data are counted."
)
TABLE_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {CSV: {"schema": {"type": "string"}}, SDMX_CSV: {"schema": {"type": "string"}}}
    },
    **problems(InvalidInput, NotAcceptable),
}


def _table(
    media: str,
    table: str,
    keys: list[str],
    found: service.Table,
    country: str,
    period: str,
) -> Response | None:
    # CSV has no place for it: when the data were counted goes in a header.
    headers = {"Data-As-Of": found.as_of.isoformat(), "Vary": "Accept"}
    if media == CSV:
        return Response(plain_csv(keys, found.cells), media_type=CSV, headers=headers)
    if media == SDMX_CSV:
        text = sdmx_csv(table, keys, found.cells, country, period)
        return Response(text, media_type=SDMX_CSV, headers=headers)
    return None


@router.get(
    "/stock",
    response_model=StockOut,
    response_model_exclude_unset=True,
    responses=TABLE_FORMATS,
    summary="Stock of nationals abroad (for work) at a month end",
    description="ILO 2018: the stock of nationals abroad. Persons whose last movement on or "
    "before `on` is a departure, less those reported deceased by then, broken down by `by`. "
    "`on` is the last day of a month; default: the end of the last complete month. " + SUPPRESSION,
)
async def stock(
    session: ReadSession,
    principal: Analyst,
    settings: AppSettings,
    accept: Accept = None,
    on: Annotated[IsoDate | None, Query(description="A month end")] = None,
    by: By = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> StockOut | Response:
    media = negotiate(accept)  # before counting: a 406 costs no query
    keys = service.parse_by(by)
    now = today(settings)
    day = check_stock_date(on, now) if on else last_complete_month(now)[1]
    threshold = settings.statistics_suppression_threshold
    found = await service.stock(session, day, keys, threshold)
    period = sdmx_period(day.replace(day=1), day)
    table = _table(media, "stock", list(keys), found, settings.country_code, period)
    return table or StockOut(
        on=day, as_of=found.as_of, by=keys, suppression_threshold=threshold, items=found.cells
    )


@router.get(
    "/flows",
    response_model=FlowsOut,
    response_model_exclude_unset=True,
    responses=TABLE_FORMATS,
    summary="Outflows and returns of nationals over whole months",
    description="ILO 2018: outflows of nationals (`movement: departure`) and returns of "
    "nationals (`movement: return`): active movements dated from `from` (the first day of "
    "a month) to `to` (the last day of a month), both included, each cell keyed by "
    "`movement` and the `by` keys. Default: the last complete month. " + SUPPRESSION,
)
async def flows(
    session: ReadSession,
    principal: Analyst,
    settings: AppSettings,
    accept: Accept = None,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="First day of a month")
    ] = None,
    to: Annotated[IsoDate | None, Query(description="Last day of a month")] = None,
    by: By = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> FlowsOut | Response:
    media = negotiate(accept)  # before counting: a 406 costs no query
    keys = service.parse_by(by)
    now = today(settings)
    default_start, default_end = last_complete_month(now)
    start, to = check_period(start or default_start, to or default_end, now)
    threshold = settings.statistics_suppression_threshold
    found = await service.flows(session, start, to, keys, threshold)
    period = sdmx_period(start, to)
    table = _table(media, "flows", ["movement", *keys], found, settings.country_code, period)
    return table or FlowsOut(
        from_=start,
        to=to,
        as_of=found.as_of,
        by=keys,
        suppression_threshold=threshold,
        items=found.cells,
    )
