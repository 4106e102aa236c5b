"""Opening, finding, linking and moving cases between consulates (rules only, no HTTP)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from services.consular.access import is_supervisor, own_consulate
from services.consular.cases import latin, timeline
from services.consular.cases.errors import AlreadyLinked, FamilyNotificationRefused
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.models import SEARCH_WORDS, SIMPLE, Case
from services.consular.cases.numbering import next_case_number
from services.consular.cases.protection import protect_linked, protected_priority
from services.consular.cases.schemas import CaseCreate, TransferIn
from services.consular.cases.sla import is_not_overdue, is_overdue, is_unfinished
from services.consular.cases.workflow import (
    SENSITIVE_CATEGORIES,
    CaseCategory,
    CaseStatus,
    Priority,
)
from services.consular.consulates.models import Consulate
from services.consular.family import service as family
from services.consular.registry_client import fetch_person, fetch_protection
from services.consular.settings import ConsularSettings
from shared.auth.principal import Principal
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.etag import check_if_match
from shared.pagination import CursorKey, KeyTimestamp, KeyUuid


def check_family_notification(category: str, notify_family: bool) -> None:
    if notify_family and CaseCategory(category) in SENSITIVE_CATEGORIES:
        raise FamilyNotificationRefused(category)


async def _consulate(session: AsyncSession, code: str, field: str) -> Consulate:
    consulate = await session.get(Consulate, code)
    if consulate is None:
        raise InvalidInput(field, f"no consulate with code {code}")
    return consulate


async def open_case(
    session: AsyncSession, state: State, principal: Principal, body: CaseCreate, now: datetime
) -> Case:
    settings: ConsularSettings = state.settings
    confined_to = own_consulate(principal)
    if confined_to is not None and body.consulate != confined_to:
        raise Forbidden(
            f"You may open cases only for your own consulate ({confined_to}); "
            f"ask a supervisor to open or transfer a case to {body.consulate}."
        )
    consulate = await _consulate(session, body.consulate, "consulate")
    check_family_notification(body.category, body.notify_family)
    names: tuple[str | None, str | None] = (None, None)
    priority, priority_reason = body.priority, None
    if body.person_id is not None:
        # Before numbering: the counter row stays locked until commit, so no network
        # call may happen while holding it.
        registered = await fetch_person(state, body.person_id)
        names = (registered.last_name, registered.first_name)
        protection = await fetch_protection(state, body.person_id)
        priority, priority_reason = protected_priority(body.priority, protection.marked)
    elif body.person is not None:
        names = (body.person.last_name, body.person.first_name)
    year = now.astimezone(ZoneInfo(consulate.time_zone)).year
    number = await next_case_number(session, consulate.code, year)
    budget = settings.sla_budget(priority)
    case = Case(
        id=uuid.uuid4(),
        case_number=number,
        consulate=consulate.code,
        person_id=body.person_id,
        person_last_name=names[0],
        person_first_name=names[1],
        person_pin=body.person.pin if body.person else None,
        person_phone=body.person.phone if body.person else None,
        category=body.category,
        priority=priority,
        priority_reason=priority_reason,
        status=CaseStatus.open,
        description=body.description,
        reported_by=body.reported_by,
        location_country=body.location.country if body.location else None,
        location_city=body.location.city if body.location else None,
        notify_family=body.notify_family,
        opened_by=principal.subject,
        opened_at=now,
        updated_at=now,
        sla_hours=budget.total_seconds() / 3600,
        clock_due_at=now + budget,
        clock_paused_at=None,
        version=1,
    )
    session.add(case)
    await session.flush()
    timeline.record(
        session,
        case,
        "created",
        now,
        principal,
        case_number=number,
        consulate=case.consulate,
        category=case.category,
        priority=case.priority,
        person_id=str(case.person_id) if case.person_id else None,
        registered=case.person_id is not None,
    )
    if body.notify_family:
        timeline.record(
            session, case, "family_notification_requested", now, principal, on="opening"
        )
        family.request_notice(session, case, "case_opened", now, principal)
    return case


@dataclass(frozen=True)
class CaseFilters:
    status: CaseStatus | None = None
    category: CaseCategory | None = None
    priority: Priority | None = None
    overdue: bool | None = None
    consulate: str | None = None
    assignee: str | None = None
    q: str | None = None
    finished: bool | None = None


# Part of a case number: digits and dashes, maybe after a consulate code ("000004",
# "2026-0000", "RU-MOW-2026").
_NUMBER_PART = re.compile(r"(?:[A-Z]{2}-[A-Z]{3}-?)?[0-9][0-9-]*|[A-Z]{2}-[A-Z]{3}")


def _search(q: str) -> ColumnElement[bool]:
    """Exact case number, part of one, or every word of ``q`` as a prefix of a word of
    the names or description ("осмон бакыт" finds Бакыт Осмонов; Latin spellings are
    read as Cyrillic too, see ``latin.py``), served by one GIN index."""
    term = q.strip()
    words = [word.lower() for word in re.findall(r"[^\W_]+", term)]
    by_number = Case.case_number == term.upper()
    if _NUMBER_PART.fullmatch(term.upper()):
        # A fragment of a number ("000004"): a scan of the numbers, never of the text.
        fragment = term.upper().replace("%", "").replace("_", "")
        by_number = or_(by_number, Case.case_number.contains(fragment))
    if not words:
        return by_number
    # Only letters and digits reach to_tsquery, so no input can break its syntax.
    query = " & ".join(_any_spelling(word) for word in words)
    return or_(by_number, SEARCH_WORDS.bool_op("@@")(func.to_tsquery(SIMPLE, query)))


def _any_spelling(word: str) -> str:
    spellings = dict.fromkeys([word, *latin.cyrillic_spellings(word)])
    return "(" + " | ".join(f"{spelling}:*" for spelling in spellings) + ")"


_CURSOR = CursorKey(tuple[KeyTimestamp, KeyUuid])


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    filters: CaseFilters,
    now: datetime,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Case], str | None]:
    stmt = select(Case)
    confined_to = own_consulate(principal)
    if confined_to is not None:
        stmt = stmt.where(Case.consulate == confined_to)
    for column, value in (
        (Case.status, filters.status),
        (Case.category, filters.category),
        (Case.priority, filters.priority),
        (Case.consulate, filters.consulate),
        (Case.assignee, filters.assignee),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.overdue is not None:
        stmt = stmt.where(is_overdue(now) if filters.overdue else is_not_overdue(now))
    if filters.finished is not None:
        stmt = stmt.where(~is_unfinished() if filters.finished else is_unfinished())
    if filters.q and filters.q.strip():
        stmt = stmt.where(_search(filters.q))
    if cursor is not None:
        stmt = stmt.where(tuple_(Case.opened_at, Case.id) < _CURSOR.decode(cursor))
    stmt = stmt.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _CURSOR.encode((rows[-1].opened_at, rows[-1].id))
    return rows, next_cursor


async def link_person(
    session: AsyncSession,
    state: State,
    principal: Principal,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    if_match: str | None,
    now: datetime,
) -> Case:
    case = await load_case(session, case_id, principal)
    check_if_match(if_match, case.version)  # before asking the registry: fail fast
    if case.person_id is not None:
        raise AlreadyLinked(case.person_id)
    registered = await fetch_person(state, person_id)
    protection = await fetch_protection(state, person_id)
    case = await load_case(session, case_id, principal, for_update=True)
    check_if_match(if_match, case.version)  # changed by someone else meanwhile
    if case.person_id is not None:  # linked by someone else while we asked the registry
        raise AlreadyLinked(case.person_id)
    case.person_id = registered.id
    case.person_last_name, case.person_first_name = registered.last_name, registered.first_name
    # The registry now holds the PIN and phone; keeping a typed copy would let them drift.
    case.person_pin = case.person_phone = None
    protect_linked(case, protection.marked, state.settings)
    case.touch(now)
    timeline.record(
        session, case, "person_linked", case.updated_at, principal, person_id=str(person_id)
    )
    return case


async def transfer(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: TransferIn,
    if_match: str | None,
    now: datetime,
) -> Case:
    if not is_supervisor(principal):
        raise Forbidden("Only a consular supervisor may move a case to another consulate.")
    case = await load_case(session, case_id, principal, for_update=True)
    check_if_match(if_match, case.version)
    await _consulate(session, body.consulate, "consulate")
    if body.consulate == case.consulate:
        raise InvalidInput("consulate", f"the case is already at {case.consulate}")
    previous, previous_assignee = case.consulate, case.assignee
    # The number keeps naming the case (families have it); only the owner changes.
    case.consulate = body.consulate
    case.assignee = None  # an officer of the old consulate can no longer see it
    case.touch(now)
    timeline.record(
        session,
        case,
        "transferred",
        case.updated_at,
        principal,
        from_consulate=previous,
        to_consulate=body.consulate,
        reason=body.reason,
        previous_assignee=previous_assignee,
    )
    return case


async def status_by_number(session: AsyncSession, number: str) -> tuple[Case, Consulate]:
    row = (
        await session.execute(
            select(Case, Consulate)
            .join(Consulate, Consulate.code == Case.consulate)
            .where(Case.case_number == number.strip().upper())
        )
    ).first()
    if row is None:
        raise NotFound("No case with this number.")
    return row[0], row[1]
