"""Person endpoints: HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from services.registry.persons import service
from services.registry.persons.schemas import PersonCreate, PersonOut
from shared.auth.dependencies import require
from shared.auth.principal import Principal
from shared.db import DbSession

router = APIRouter(prefix="/persons", tags=["persons"])

Registrar = Annotated[Principal, Depends(require("registrar"))]
PersonReader = Annotated[
    Principal,
    Depends(
        require(
            "registrar",
            "consular_officer",
            "consular_supervisor",
            "admin",
            scopes=("registry:read",),
        )
    ),
]


def _etag(person: PersonOut) -> str:
    return f'W/"{person.version}"'


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonOut,
    summary="Register a migrant",
    responses={409: {"description": "PIN already registered; `id` names the existing person"}},
)
async def register_person(
    body: PersonCreate,
    session: DbSession,
    principal: Registrar,
    request: Request,
    response: Response,
) -> PersonOut:
    person = PersonOut.model_validate(
        await service.register_person(session, body, request.app.state.settings)
    )
    response.headers["Location"] = f"/v1/persons/{person.id}"
    response.headers["ETag"] = _etag(person)
    return person


@router.get("/{person_id}", response_model=PersonOut, summary="Read a person")
async def read_person(
    person_id: uuid.UUID, session: DbSession, principal: PersonReader, response: Response
) -> PersonOut:
    person = PersonOut.model_validate(await service.get_person(session, person_id))
    response.headers["ETag"] = _etag(person)
    return person
