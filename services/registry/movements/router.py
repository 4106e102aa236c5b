"""Departure, return, movement list and correction endpoints: HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from services.registry.access import Reader, Registrar
from services.registry.audit.declare import MOVEMENT, Action, Resource, audited
from services.registry.http import AppSettings
from services.registry.idempotent import created, revisit
from services.registry.movements import service
from services.registry.movements.errors import (
    AlreadySuperseded,
    ImpossibleSequence,
    MovementNotFound,
)
from services.registry.movements.schemas import (
    DepartureCreate,
    MovementCorrection,
    MovementOut,
    ReturnCreate,
)
from services.registry.persons import service as persons
from services.registry.persons.errors import PersonNotFound
from services.registry.settings import RegistrySettings
from shared.auth.principal import Principal
from shared.db import DbSession
from shared.errors import problems
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    StoredResponse,
    idempotent,
)
from shared.pagination import Page

router = APIRouter(prefix="/persons/{person_id}", tags=["movements"])

RECORD_PROBLEMS = problems(PersonNotFound, ImpossibleSequence, IdempotencyKeyReused)


# A correction's answer is the replacement; the row it corrected changed too.
# (A withdrawal answers the withdrawn row itself.)
CORRECTED = Resource("movement", id_field="corrects", unless="superseded")


async def _record_movement(
    session: DbSession,
    principal: Principal,
    settings: RegistrySettings,
    person_id: uuid.UUID,
    body: DepartureCreate | ReturnCreate,
    idempotency_key: str | None,
) -> JSONResponse:
    """One departure or return: person locked, sequence checked, audited, replayable."""

    async def run() -> StoredResponse:
        person = await persons.get_person(session, person_id, lock=True)
        if isinstance(body, DepartureCreate):
            movement = await service.add_departure(
                session, person, body, principal.subject, settings
            )
        else:
            movement = await service.add_return(session, person, body, principal.subject, settings)
        return created(service.to_out(movement))

    kind = "departures" if isinstance(body, DepartureCreate) else "returns"
    operation = f"POST /v1/persons/{person_id}/{kind}"
    return await idempotent(
        session,
        principal,
        idempotency_key,
        operation,
        body,
        run,
        revisit=revisit(session),
    )


@router.post(
    "/departures",
    status_code=status.HTTP_201_CREATED,
    response_model=MovementOut,
    summary="Record a departure abroad",
    responses=RECORD_PROBLEMS,
)
@audited(Action.create, MOVEMENT)
async def record_departure(
    person_id: uuid.UUID,
    body: DepartureCreate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _record_movement(session, principal, settings, person_id, body, idempotency_key)


@router.post(
    "/returns",
    status_code=status.HTTP_201_CREATED,
    response_model=MovementOut,
    summary="Record a return home",
    responses=RECORD_PROBLEMS,
)
@audited(Action.create, MOVEMENT)
async def record_return(
    person_id: uuid.UUID,
    body: ReturnCreate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _record_movement(session, principal, settings, person_id, body, idempotency_key)


@router.get(
    "/movements",
    response_model=Page[MovementOut],
    summary="A person's departures and returns, oldest first",
    responses=problems(PersonNotFound),
)
@audited(Action.read, MOVEMENT)
async def list_movements(
    person_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    include_superseded: Annotated[
        bool, Query(description="Also show rows that corrections replaced")
    ] = False,
) -> Page[MovementOut]:
    person = await persons.get_person(session, person_id)
    movements = await service.list_movements(session, person.id, include_superseded)
    # A person has tens of movements at most: one page.
    return Page(items=[service.to_out(m) for m in movements])


@router.post(
    "/movements/{movement_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=MovementOut,
    summary="Correct (or withdraw) a movement; the old row is kept, marked superseded",
    description="Returns the replacement movement, or the withdrawn one when `withdraw` is true.",
    responses=problems(
        PersonNotFound,
        MovementNotFound,
        ImpossibleSequence,
        AlreadySuperseded,
        IdempotencyKeyReused,
    ),
)
@audited(Action.correct, MOVEMENT, CORRECTED)
async def correct_movement(
    person_id: uuid.UUID,
    movement_id: uuid.UUID,
    body: MovementCorrection,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await persons.get_person(session, person_id, lock=True)
        old, new = await service.correct(
            session, person, movement_id, body, principal.subject, settings
        )
        return created(service.to_out(new or old))

    operation = f"POST /v1/persons/{person_id}/movements/{movement_id}/corrections"
    return await idempotent(
        session,
        principal,
        idempotency_key,
        operation,
        body,
        run,
        revisit=revisit(session),
    )
