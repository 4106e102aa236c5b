"""The SLA clock kept on the case row, so SQL can find overdue cases without replaying
every timeline (the overdue filter and the gauges).

``clock_due_at`` is the deadline as of the last time the clock stopped or started;
``clock_paused_at`` is when the current pause or stop began (awaiting information, or
resolved/closed), None while the clock runs. The deadline at ``now`` is therefore
``clock_due_at + (now - clock_paused_at)`` while paused, and a case is overdue when it
is not finished and ``coalesce(clock_paused_at, now) > clock_due_at``. This gives the
same answers as ``sla.compute_sla`` on the timeline, which the case views use; a test
holds the two together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, not_

from services.consular.cases.models import Case
from services.consular.cases.workflow import FINISHED_STATUSES, CaseStatus

CLOCK_STOPPED: frozenset[CaseStatus] = frozenset(
    {CaseStatus.awaiting_information, *FINISHED_STATUSES}
)
_FINISHED = [status.value for status in FINISHED_STATUSES]


def move_clock(case: Case, from_status: CaseStatus, to_status: CaseStatus, at: datetime) -> None:
    if from_status in CLOCK_STOPPED and case.clock_paused_at is not None:
        case.clock_due_at = case.clock_due_at + (at - case.clock_paused_at)
    case.clock_paused_at = at if to_status in CLOCK_STOPPED else None


def is_unfinished() -> ColumnElement[bool]:
    return Case.status.not_in(_FINISHED)


def is_overdue(now: datetime) -> ColumnElement[bool]:
    return and_(is_unfinished(), func.coalesce(Case.clock_paused_at, now) > Case.clock_due_at)


def is_not_overdue(now: datetime) -> ColumnElement[bool]:
    return not_(is_overdue(now))


def sla_state_sql(now: datetime) -> ColumnElement[str]:
    """``sla_state`` of an unfinished case from its row, as ``compute_sla`` would say it.

    While running, time used = ``now - (deadline - budget)``, so half the budget is used
    once ``now >= deadline - budget / 2``.
    """
    budget = func.make_interval(0, 0, 0, 0, 0, 0, Case.sla_hours * 3600)
    return case(
        (is_overdue(now), "red"),
        (Case.clock_paused_at.is_not(None), "paused"),
        (literal(now) >= Case.clock_due_at - budget / 2, "amber"),
        else_="green",
    )
