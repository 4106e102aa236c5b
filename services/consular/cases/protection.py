"""Cases for people the registry marks vulnerable: at least ``high`` priority.

The reason is kept on the case and shown only to those who may see markers
(supervisors, and officers while the case is open); the registry never tells
consular which marker it is.
"""

from __future__ import annotations

from datetime import timedelta

from services.consular.cases.models import Case
from services.consular.cases.workflow import FINISHED_STATUSES, CaseStatus, Priority
from services.consular.settings import ConsularSettings
from shared.auth.principal import Principal, Role

MARKED_REASON = "The person has an active vulnerability marker: at least high priority."
_URGENCY = list(Priority)  # most urgent first


def protected_priority(requested: Priority, marked: bool) -> tuple[Priority, str | None]:
    """The priority a case opens with, and why it is not lower."""
    if not marked:
        return requested, None
    if _URGENCY.index(requested) > _URGENCY.index(Priority.high):
        return Priority.high, MARKED_REASON
    return requested, MARKED_REASON


def protect_linked(case: Case, marked: bool, settings: ConsularSettings) -> None:
    """A case linked to a marked person after opening: raised the same way, its
    deadline moved by the difference between the two budgets."""
    priority, reason = protected_priority(Priority(case.priority), marked)
    if reason is None:
        return
    case.priority_reason = reason
    if priority != case.priority:
        budget = settings.sla_budget(priority)
        case.clock_due_at += budget - timedelta(hours=case.sla_hours)
        case.sla_hours = budget.total_seconds() / 3600
        case.priority = priority


def visible_reason(case: Case, principal: Principal) -> str | None:
    """A supervisor always; an officer of the case's consulate while it is open
    (jurisdiction has already confined officers to their own cases)."""
    if principal.has_role(Role.consular_supervisor):
        return case.priority_reason
    if principal.has_role(Role.consular_officer):
        return None if CaseStatus(case.status) in FINISHED_STATUSES else case.priority_reason
    return None
