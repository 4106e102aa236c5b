"""Person endpoints: HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from services.registry.access import Reader, Registrar
from services.registry.audit.declare import PERSON, STATUS_EVENT, Action, audited
from services.registry.http import AppSettings
from services.registry.idempotent import created, revisit
from services.registry.persons import listing, need_to_know, search, service
from services.registry.persons.errors import PersonNotFound, PinAlreadyRegistered, StatusConflict
from services.registry.persons.models import StatusEvent
from services.registry.persons.schemas import (
    PersonCreate,
    PersonOut,
    PersonStatus,
    PersonUpdate,
    StatusEventCreate,
    StatusEventOut,
)
from shared.db import DbSession, ReadSession
from shared.errors import PreconditionFailed, PreconditionRequired, problems
from shared.etag import IfMatch, check_if_match, etag_for
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    StoredResponse,
    idempotent,
)
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/persons", tags=["persons"])

NOT_FOUND = problems(PersonNotFound)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonOut,
    summary="Register a migrant",
    responses=problems(PinAlreadyRegistered, IdempotencyKeyReused),
)
@audited(Action.create, PERSON)
async def register_person(
    body: PersonCreate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await service.register_person(session, body, settings)
        out = PersonOut.model_validate(person)
        return created(out, f"/v1/persons/{out.id}", etag_for(out.version))

    return await idempotent(
        session,
        principal,
        idempotency_key,
        "POST /v1/persons",
        body,
        run,
        revisit=revisit(session),
    )


@router.get(
    "",
    response_model=Page[PersonOut],
    summary="List or search people",
    description="`q` finds a person by PIN, phone (any common format) or name in either "
    "script, across transliteration variants and one-letter typos, best match first. "
    "Registrars and administrators may list with filters alone (by name, or newest first "
    "with `sort=-created_at`) and page with `cursor`; "
    "everyone else must send `q`, `pin` or `phone` and gets one page of at most "
    "`person_search_max_results` (default 20) people, without a cursor. "
    "Every person returned is recorded in the audit trail as read.",
)
@audited(Action.read, PERSON)
async def list_persons(
    session: ReadSession,
    principal: Reader,
    settings: AppSettings,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="PIN, phone or name")
    ] = None,
    pin: Annotated[str | None, Query(pattern=r"^[0-9]{1,14}$")] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    region: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$", description="ISO 3166-2")
    ] = None,
    status_: Annotated[PersonStatus | None, Query(alias="status")] = None,
    sort: Annotated[
        Literal["name", "-created_at"],
        Query(description="Listing without `q`: by name, or newest registrations first"),
    ] = "name",
) -> Page[PersonOut]:
    limit = need_to_know.page_size(
        principal, settings, has_query=bool(q or pin or phone), limit=limit, cursor=cursor
    )
    phone_e164 = None
    if phone is not None:
        phone_e164 = search.parse_phone_query(phone, settings.default_phone_region)
        if phone_e164 is None:
            return Page(items=[])
    filters = search.Filters(pin=pin, phone=phone_e164, region=region, status=status_)
    if q:
        people, next_cursor = await search.search_persons(
            session, q, filters, settings.default_phone_region, limit, cursor
        )
    elif sort == "-created_at":
        people, next_cursor = await listing.newest_first(session, filters, limit, cursor)
    else:
        people, next_cursor = await search.list_persons(session, filters, limit, cursor)
    if not need_to_know.may_list(principal):
        next_cursor = None
    return Page(items=[PersonOut.model_validate(p) for p in people], next_cursor=next_cursor)


@router.get("/{person_id}", response_model=PersonOut, summary="Read a person", responses=NOT_FOUND)
@audited(Action.read, PERSON)
async def read_person(
    person_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> PersonOut:
    person = PersonOut.model_validate(await service.get_person(session, person_id))
    response.headers["ETag"] = etag_for(person.version)
    return person


@router.patch(
    "/{person_id}",
    response_model=PersonOut,
    summary="Update a person (send If-Match with the ETag you read)",
    responses=problems(
        PersonNotFound, PinAlreadyRegistered, PreconditionFailed, PreconditionRequired
    ),
)
@audited(Action.update, PERSON)
async def update_person(
    person_id: uuid.UUID,
    body: PersonUpdate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    response: Response,
    if_match: IfMatch = None,
) -> PersonOut:
    person = await service.get_person(session, person_id, lock=True)
    check_if_match(if_match, person.version)
    person = await service.update_person(session, person, body, settings)
    out = PersonOut.model_validate(person)
    response.headers["ETag"] = etag_for(out.version)
    return out


@router.post(
    "/{person_id}/status-events",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusEventOut,
    summary="Record that a person died, went missing, or was found",
    responses=problems(PersonNotFound, StatusConflict, IdempotencyKeyReused),
)
@audited(Action.status_change, STATUS_EVENT)
async def record_status_event(
    person_id: uuid.UUID,
    body: StatusEventCreate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await service.get_person(session, person_id, lock=True)
        event = await service.record_status_event(
            session, person, body, principal.subject, settings
        )
        return created(_status_event_out(event, person.status))

    operation = f"POST /v1/persons/{person_id}/status-events"
    return await idempotent(
        session,
        principal,
        idempotency_key,
        operation,
        body,
        run,
        revisit=revisit(session),
    )


def _status_event_out(event: StatusEvent, person_status: str) -> StatusEventOut:
    return StatusEventOut(
        id=event.id,
        person_id=event.person_id,
        status=event.status,
        date=event.occurred_on,
        source=event.source,
        recorded_by=event.recorded_by,
        recorded_at=event.recorded_at,
        person_status=person_status,
    )


@router.get(
    "/{person_id}/status-events",
    response_model=Page[StatusEventOut],
    summary="Reports that a person died, went missing or was found, oldest first",
    description="`person_status` is the person's status now.",
    responses=NOT_FOUND,
)
@audited(Action.read, STATUS_EVENT)
async def list_status_events(
    person_id: uuid.UUID, session: DbSession, principal: Reader
) -> Page[StatusEventOut]:
    person = await service.get_person(session, person_id)
    events = await service.list_status_events(session, person.id)
    return Page(items=[_status_event_out(e, person.status) for e in events])
