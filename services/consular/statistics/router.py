"""Case statistics endpoint: HTTP only."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Query, Request

from services.consular.access import StatisticsReader
from services.consular.statistics import service
from services.consular.statistics.schemas import CaseStatistics, Dimension
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.schemas import IsoDate

router = APIRouter(tags=["statistics"])

_KNOWN: tuple[str, ...] = get_args(Dimension)


def _dimensions(by: str) -> list[Dimension]:
    names = [part.strip() for part in by.split(",") if part.strip()]
    unknown = [n for n in names if n not in _KNOWN]
    if not names or unknown:
        raise InvalidInput(
            ("query", "by"), f"a comma list of {', '.join(_KNOWN)}; not {', '.join(unknown)}"
        )
    unique = list(dict.fromkeys(names))
    return [n for n in unique if n in _KNOWN]  # type: ignore[misc]


@router.get(
    "/case-statistics",
    response_model=CaseStatistics,
    summary="Case counts by category, consulate, status and month, small cells suppressed",
)
async def case_statistics(
    session: DbSession,
    principal: StatisticsReader,
    request: Request,
    by: Annotated[
        str,
        Query(
            pattern=r"^[a-z,_ ]{1,100}$",
            description="Comma list of category, consulate, status, month",
        ),
    ] = "consulate",
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
        session, _dimensions(by), threshold, opened_from, opened_to
    )
