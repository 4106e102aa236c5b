"""Family member, consent, contacts and at-risk endpoints: HTTP only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from services.registry.access import AtRiskReader, ContactsReader, Reader, Registrar
from services.registry.audit.declare import FAMILY_MEMBER, Action, Resource, audited
from services.registry.families import service
from services.registry.families.errors import FamilyMemberNotFound, NoConsentToWithdraw
from services.registry.families.schemas import (
    AtRiskChild,
    ConsentWithdrawal,
    FamilyContact,
    FamilyMemberCreate,
    FamilyMemberOut,
    FamilyMemberUpdate,
)
from services.registry.http import AppSettings
from services.registry.idempotent import created, revisit
from services.registry.persons import service as persons
from services.registry.persons.errors import PersonNotFound
from shared.db import DbSession
from shared.errors import PreconditionFailed, PreconditionRequired, problems
from shared.etag import IfMatch, check_if_match, etag_for
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    StoredResponse,
    idempotent,
)
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/persons/{person_id}", tags=["families"])
at_risk_router = APIRouter(tags=["families"])

NOT_FOUND = problems(PersonNotFound, FamilyMemberNotFound)
# Contacts and at-risk children name the family member as ``family_member_id``;
# an at-risk child also names the migrant parent, who is read too.
NAMED_MEMBER = Resource("family_member", id_field="family_member_id")
PARENT = Resource("person", id_field="person_id", person_field=None)


@router.post(
    "/family-members",
    status_code=status.HTTP_201_CREATED,
    response_model=FamilyMemberOut,
    summary="Add a family member",
    responses=problems(PersonNotFound, IdempotencyKeyReused),
)
@audited(Action.create, FAMILY_MEMBER)
async def add_family_member(
    person_id: uuid.UUID,
    body: FamilyMemberCreate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await persons.get_person(session, person_id, lock=True)
        member = await service.add_member(session, person, body, settings)
        out = await service.describe_member(session, person, member.id, settings)
        return created(
            out, f"/v1/persons/{person_id}/family-members/{member.id}", etag_for(out.version)
        )

    operation = f"POST /v1/persons/{person_id}/family-members"
    return await idempotent(
        session,
        principal,
        idempotency_key,
        operation,
        body,
        run,
        revisit=revisit(session),
    )


@router.get(
    "/family-members",
    response_model=Page[FamilyMemberOut],
    summary="A person's family members (with caregivers and at-risk flags)",
    responses=problems(PersonNotFound),
)
@audited(Action.read, FAMILY_MEMBER)
async def list_family_members(
    person_id: uuid.UUID, session: DbSession, principal: Reader, settings: AppSettings
) -> Page[FamilyMemberOut]:
    person = await persons.get_person(session, person_id)
    members = await service.list_members(session, person.id)
    # A family is a handful of people: one page.
    return Page(items=await service.describe(session, person, members, settings))


@router.get(
    "/family-members/{member_id}",
    response_model=FamilyMemberOut,
    summary="Read one family member",
    responses=NOT_FOUND,
)
@audited(Action.read, FAMILY_MEMBER)
async def read_family_member(
    person_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    response: Response,
    settings: AppSettings,
) -> FamilyMemberOut:
    person = await persons.get_person(session, person_id)
    out = await service.describe_member(session, person, member_id, settings)
    response.headers["ETag"] = etag_for(out.version)
    return out


@router.patch(
    "/family-members/{member_id}",
    response_model=FamilyMemberOut,
    summary="Change a family member's phone, language, caregiver or give SMS consent",
    responses=problems(
        PersonNotFound, FamilyMemberNotFound, PreconditionFailed, PreconditionRequired
    ),
)
@audited(Action.update, FAMILY_MEMBER)
async def update_family_member(
    person_id: uuid.UUID,
    member_id: uuid.UUID,
    body: FamilyMemberUpdate,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    response: Response,
    if_match: IfMatch = None,
) -> FamilyMemberOut:
    person = await persons.get_person(session, person_id)
    member = await service.get_member(session, person_id, member_id, lock=True)
    check_if_match(if_match, member.version)
    await service.update_member(session, member, body, settings)
    out = await service.describe_member(session, person, member_id, settings)
    response.headers["ETag"] = etag_for(out.version)
    return out


@router.post(
    "/family-members/{member_id}/consent-withdrawals",
    status_code=status.HTTP_201_CREATED,
    response_model=FamilyMemberOut,
    summary="Record that a family member withdrew SMS consent",
    responses=problems(
        PersonNotFound, FamilyMemberNotFound, NoConsentToWithdraw, IdempotencyKeyReused
    ),
)
@audited(Action.withdraw_consent, FAMILY_MEMBER)
async def withdraw_consent(
    person_id: uuid.UUID,
    member_id: uuid.UUID,
    body: ConsentWithdrawal,
    session: DbSession,
    principal: Registrar,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> StoredResponse:
        person = await persons.get_person(session, person_id)
        member = await service.get_member(session, person_id, member_id, lock=True)
        await service.withdraw_consent(session, member, body.reason)
        out = await service.describe_member(session, person, member.id, settings)
        return created(out)

    operation = f"POST /v1/persons/{person_id}/family-members/{member_id}/consent-withdrawals"
    return await idempotent(
        session,
        principal,
        idempotency_key,
        operation,
        body,
        run,
        revisit=revisit(session),
    )


@router.get(
    "/family-contacts",
    response_model=Page[FamilyContact],
    summary="Family members who agreed to SMS: the minimum a notification needs",
    responses=problems(PersonNotFound),
)
@audited(Action.read, NAMED_MEMBER)
async def family_contacts(
    person_id: uuid.UUID, session: DbSession, principal: ContactsReader
) -> Page[FamilyContact]:
    person = await persons.get_person(session, person_id)
    return Page(items=service.contacts(await service.list_members(session, person.id)))


@at_risk_router.get(
    "/at-risk-children",
    response_model=Page[AtRiskChild],
    summary="Minor children whose both parents are away and who have no fit caregiver",
    description="A child is listed when the migrant parent is abroad, the other parent (the "
    "spouse member) is registered as abroad, missing or deceased or is not recorded at all, "
    "and the caregiver is not recorded, a minor, over 75, or registered as away too.",
)
@audited(Action.read, NAMED_MEMBER, PARENT)
async def at_risk_children(
    session: DbSession,
    principal: AtRiskReader,
    settings: AppSettings,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AtRiskChild]:
    items, next_cursor = await service.at_risk_children(session, settings, limit, cursor)
    return Page(items=items, next_cursor=next_cursor)
