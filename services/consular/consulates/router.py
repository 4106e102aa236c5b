"""Consulate endpoints: HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from services.consular.access import Admin, Anyone
from services.consular.consulates import service
from services.consular.consulates.schemas import (
    ConsulateCreate,
    ConsulateList,
    ConsulateOut,
    ConsulateUpdate,
)
from shared.db import DbSession
from shared.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired, problems
from shared.etag import IfMatch, etag_for

router = APIRouter(prefix="/consulates", tags=["consulates"])
# Its own path, not /consulates/covering: that would share a path with
# /consulates/{code}, whose other methods would then answer 422 instead of 405.
coverage_router = APIRouter(tags=["consulates"])

Code = Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z]{3}$", examples=["RU-MOW"])]


def _out(row: object, response: Response) -> ConsulateOut:
    out = ConsulateOut.model_validate(row)
    response.headers["ETag"] = etag_for(out.version)
    return out


@router.get("", response_model=ConsulateList, summary="Consulates and their hotlines")
async def list_consulates(session: DbSession, principal: Anyone) -> ConsulateList:
    # Consulate contacts are public information: any authenticated caller may read them.
    rows = await service.list_consulates(session)
    return ConsulateList(items=[ConsulateOut.model_validate(r) for r in rows])


@coverage_router.get(
    "/consulate-coverage",
    response_model=ConsulateOut,
    summary="The consulate that serves a country and city (its hotline goes to families)",
    responses=problems(NotFound),
)
async def covering(
    session: DbSession,
    principal: Anyone,
    country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", examples=["RU"])],
    city: Annotated[str | None, Query(max_length=100, examples=["Kazan"])] = None,
) -> ConsulateOut:
    consulate = await service.covering(session, country, city)
    if consulate is None:
        raise NotFound(f"No consulate serves {country.upper()}.")
    return ConsulateOut.model_validate(consulate)


@router.get(
    "/{code}",
    response_model=ConsulateOut,
    summary="One consulate",
    responses=problems(NotFound),
)
async def read_consulate(
    code: Code, session: DbSession, principal: Anyone, response: Response
) -> ConsulateOut:
    return _out(await service.get_consulate(session, code), response)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsulateOut,
    summary="Add a consulate (administrators)",
    responses=problems(Conflict),
)
async def create_consulate(
    body: ConsulateCreate, session: DbSession, principal: Admin, response: Response
) -> ConsulateOut:
    consulate = await service.create_consulate(session, body)
    response.headers["Location"] = f"/v1/consulates/{consulate.code}"
    return _out(consulate, response)


@router.patch(
    "/{code}",
    response_model=ConsulateOut,
    summary="Change a consulate's details, hotline and zones (administrators; If-Match required)",
    responses=problems(NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def update_consulate(
    code: Code,
    body: ConsulateUpdate,
    session: DbSession,
    principal: Admin,
    response: Response,
    if_match: IfMatch = None,
) -> ConsulateOut:
    return _out(await service.update_consulate(session, code, body, if_match), response)
