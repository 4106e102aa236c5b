"""Moving a case along its workflow: checked, recorded, and the SLA clock kept in step."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.access import is_supervisor
from services.consular.cases import timeline
from services.consular.cases.errors import TransitionConflict
from services.consular.cases.jurisdiction import load_case
from services.consular.cases.models import Case
from services.consular.cases.schemas import TransitionIn
from services.consular.cases.service import check_family_notification
from services.consular.cases.sla import move_clock
from services.consular.cases.workflow import (
    CaseStatus,
    Resolution,
    ResolutionNotAllowed,
    ResolutionRequired,
    TransitionRefused,
    check_transition,
)
from services.consular.family import service as family
from shared.auth.principal import Principal
from shared.errors import InvalidInput
from shared.etag import check_if_match

_RESOLUTIONS = ", ".join(r.value for r in Resolution)


def _check(case: Case, body: TransitionIn, principal: Principal) -> CaseStatus:
    current = CaseStatus(case.status)
    try:
        check_transition(
            current, body.to, is_supervisor=is_supervisor(principal), resolution=body.resolution
        )
    except TransitionRefused as exc:
        raise TransitionConflict(
            str(exc),
            extra={"current": current.value, "allowed": [s.value for s in exc.allowed]},
        ) from exc
    except ResolutionRequired as exc:
        raise InvalidInput("resolution", f"{exc}; one of {_RESOLUTIONS}") from exc
    except ResolutionNotAllowed as exc:
        raise InvalidInput("resolution", str(exc)) from exc
    if body.notify_family:
        if body.to != CaseStatus.resolved:
            raise InvalidInput(
                "notify_family", "the family is notified only on opening and on resolution"
            )
        check_family_notification(case.category, True)
    return current


async def apply_transition(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: TransitionIn,
    if_match: str | None,
    now: datetime,
) -> Case:
    case = await load_case(session, case_id, principal, for_update=True)
    check_if_match(if_match, case.version)
    current = _check(case, body, principal)
    at = case.touch(now)
    move_clock(case, current, body.to, at)
    case.status = body.to
    if body.to == CaseStatus.resolved:
        # The intent belongs to the resolution it came with: resolving again without it
        # must not inherit an earlier resolution's "tell the family".
        case.resolution, case.notify_family = body.resolution, body.notify_family
    elif body.to == CaseStatus.in_progress and current in (
        CaseStatus.resolved,
        CaseStatus.closed,
    ):
        # Reopened: the outcome and its intent are withdrawn (both stay in the timeline).
        case.resolution, case.notify_family = None, False
    timeline.record(
        session,
        case,
        "transition",
        at,
        principal,
        **{"from": current.value, "to": body.to.value},
        note=body.note,
        resolution=body.resolution.value if body.resolution else None,
    )
    if body.notify_family:
        timeline.record(
            session, case, "family_notification_requested", at, principal, on="resolution"
        )
        family.request_notice(session, case, "case_resolved", at, principal)
    return case
