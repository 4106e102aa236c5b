"""Vulnerability marker endpoints: HTTP only.

Reading answers 404 (one body for every "nothing to show") to anyone who may
not read markers, so a caller without the need cannot tell a marked person
from an unmarked one.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.access import Analyst, MarkerGuard, MarkerWithdrawer, Registrar
from services.registry.audit.declare import MARKER, Action, Resource, audited
from services.registry.families.errors import FamilyMemberNotFound
from services.registry.http import AppSettings
from services.registry.idempotent import created, revisit
from services.registry.markers import service
from services.registry.markers.errors import MarkerAlreadyWithdrawn, MarkerNotFound, NoMarkers
from services.registry.markers.schemas import (
    MarkerCreate,
    MarkerOut,
    MarkerState,
    MarkerStatisticsOut,
    MarkerWithdrawal,
    ProtectionOut,
)
from services.registry.persons import service as persons
from services.registry.persons.errors import PersonNotFound
from shared.auth.dependencies import CurrentPrincipal
from shared.db import DbSession, ReadSession
from shared.errors import PeerUnavailable, problems
from shared.idempotency import IdempotencyKey, IdempotencyKeyReused, StoredResponse, idempotent
from shared.pagination import Page

router = APIRouter(prefix="/persons/{person_id}", tags=["markers"])
statistics_router = APIRouter(prefix="/statistics", tags=["statistics"])

# The protective summary names the person; its read is audited on them.
PROTECTION = Resource("protection", person_field=None)


@router.post(
    "/markers",
    status_code=201,
    response_model=MarkerOut,
    summary="Record a restricted vulnerability marker (registrars)",
    responses=problems(PersonNotFound, FamilyMemberNotFound, IdempotencyKeyReused),
)
@audited(Action.create, MARKER)
async def record_marker(
    person_id: uuid.UUID,
    body: MarkerCreate,
    session: DbSession,
    principal: Registrar,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await persons.get_person(session, person_id, lock=True)
        marker = await service.record(session, person, body, principal)
        out = MarkerOut.model_validate(marker)
        return created(out, f"/v1/persons/{person_id}/markers/{marker.id}")

    operation = f"POST /v1/persons/{person_id}/markers"
    return await idempotent(
        session, principal, idempotency_key, operation, body, run, revisit=revisit(session)
    )


@router.get(
    "/markers",
    response_model=Page[MarkerOut],
    summary="A person's markers (a consular supervisor, or an officer with an open case)",
    description="Active ones by default; `state=withdrawn` lists the ended ones (who "
    "withdrew each, when and why), `state=all` both. Anyone else gets 404, the same "
    "answer as for a person who has none, whatever the state asked. Each marker shown "
    "is recorded in the audit trail as read.",
    responses=problems(NoMarkers, PeerUnavailable),
)
@audited(Action.read, MARKER)
async def list_markers(
    person_id: uuid.UUID,
    session: DbSession,
    principal: CurrentPrincipal,
    request: Request,
    state: MarkerState = "active",
) -> Page[MarkerOut]:
    person = await service.readable_person(session, request.app.state, principal, person_id)
    markers = await service.listed(session, person.id, state)
    return Page(items=[MarkerOut.model_validate(m) for m in markers])


@router.post(
    "/markers/{marker_id}/withdrawal",
    status_code=201,
    response_model=MarkerOut,
    summary="End a marker; it is kept with who withdrew it, when and why "
    "(registrars, consular supervisors)",
    responses=problems(MarkerNotFound, MarkerAlreadyWithdrawn, IdempotencyKeyReused),
)
@audited(Action.withdraw_marker, MARKER)
async def withdraw_marker(
    person_id: uuid.UUID,
    marker_id: uuid.UUID,
    body: MarkerWithdrawal,
    session: DbSession,
    principal: MarkerWithdrawer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        marker = await service.withdraw(session, person_id, marker_id, body.reason, principal)
        return created(MarkerOut.model_validate(marker))

    operation = f"POST /v1/persons/{person_id}/markers/{marker_id}/withdrawal"
    return await idempotent(
        session, principal, idempotency_key, operation, body, run, revisit=revisit(session)
    )


@router.get(
    "/protection",
    response_model=ProtectionOut,
    summary="Whether the person must be protected (peer services with registry:markers)",
    description="Only what a peer needs to act on: raise a case's priority, hold family SMS.",
    responses=problems(PersonNotFound),
)
@audited(Action.read, PROTECTION)
async def read_protection(
    person_id: uuid.UUID, session: DbSession, principal: MarkerGuard
) -> ProtectionOut:
    person = await persons.get_person(session, person_id)
    marked, no_family_sms = await service.protection(session, person.id)
    return ProtectionOut(id=person.id, marked=marked, no_family_sms=no_family_sms)


@statistics_router.get(
    "/markers",
    response_model=MarkerStatisticsOut,
    summary="People with an active vulnerability marker, by kind only",
    description="Counted by kind alone (never by region or any other key); a kind under "
    "`marker_statistics_threshold` (default 10) shows `count: null, suppressed: true`.",
)
async def markers(
    session: ReadSession, principal: Analyst, settings: AppSettings
) -> MarkerStatisticsOut:
    threshold = settings.marker_statistics_threshold
    return MarkerStatisticsOut(
        suppression_threshold=threshold, items=await service.counts(session, threshold)
    )
