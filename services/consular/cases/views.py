"""Cases as callers see them: with the SLA clock read at ``now`` and their next moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.access import is_supervisor
from services.consular.cases import sla
from services.consular.cases.models import Case
from services.consular.cases.schemas import CaseOut, Location, PersonOut, SlaOut
from services.consular.cases.workflow import CaseStatus, Priority, allowed_next
from shared.auth.principal import Principal, Role


async def case_views(
    session: AsyncSession, cases: Sequence[Case], principal: Principal, now: datetime
) -> list[CaseOut]:
    readings = await sla.readings(session, [case.id for case in cases], now)
    return [_view(case, readings[case.id], principal) for case in cases]


async def case_view(
    session: AsyncSession, case: Case, principal: Principal, now: datetime
) -> CaseOut:
    return (await case_views(session, [case], principal, now))[0]


def _view(case: Case, reading: sla.SlaReading, principal: Principal) -> CaseOut:
    priority = Priority(case.priority)
    status = CaseStatus(case.status)
    location = (
        Location(country=case.location_country, city=case.location_city)
        if case.location_country
        else None
    )
    return CaseOut.model_validate(
        {
            "id": case.id,
            "case_number": case.case_number,
            "consulate": case.consulate,
            "status": status,
            "category": case.category,
            "priority": priority,
            "description": case.description,
            "reported_by": case.reported_by,
            "location": location,
            "person_id": case.person_id,
            "person": PersonOut(
                last_name=case.person_last_name,
                first_name=case.person_first_name,
                pin=case.person_pin,
                phone=case.person_phone,
            ),
            "resolution": case.resolution,
            "assignee": case.assignee,
            "notify_family": case.notify_family,
            "opened_by": case.opened_by,
            "opened_at": case.opened_at,
            "updated_at": case.updated_at,
            "due_at": reading.due_at,
            "sla_state": reading.state,
            "sla": SlaOut(
                state=reading.state,
                clock_state=reading.clock_state,
                due_at=reading.due_at,
                budget_hours=case.sla_hours,
                paused_seconds=reading.stopped_seconds,
                active_seconds=reading.active_seconds,
            ),
            "allowed_transitions": _next_moves(status, principal),
            "version": case.version,
        }
    )


def _next_moves(status: CaseStatus, principal: Principal) -> list[CaseStatus]:
    if not principal.has_role(Role.consular_officer, Role.consular_supervisor):
        return []  # administrators read cases but do not work them
    return list(allowed_next(status, is_supervisor=is_supervisor(principal)))
