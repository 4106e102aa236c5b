"""The consular case state machine, kept as data so the API, the database layer and the
documentation all read the same table.

Pure Python on purpose: no FastAPI, no database. The API maps ``TransitionRefused`` to 409
(naming ``allowed``) and the two resolution errors to 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class CaseStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    awaiting_information = "awaiting_information"
    referred = "referred"
    resolved = "resolved"
    closed = "closed"


class Resolution(StrEnum):
    assisted = "assisted"
    wages_recovered = "wages_recovered"
    released = "released"
    repatriated = "repatriated"
    remains_repatriated = "remains_repatriated"
    referred_out = "referred_out"
    unreachable = "unreachable"
    duplicate = "duplicate"
    withdrawn = "withdrawn"
    other = "other"


class CaseCategory(StrEnum):
    wage_theft = "wage_theft"
    document_confiscation = "document_confiscation"
    detention = "detention"
    deportation = "deportation"
    trafficking = "trafficking"
    violence = "violence"
    accident_injury = "accident_injury"
    death = "death"
    missing_person = "missing_person"
    medical = "medical"
    other = "other"


class Priority(StrEnum):
    critical = "critical"
    high = "high"
    normal = "normal"
    low = "low"


# A templated SMS about these could break terrible news to a family by text, or tip off a
# trafficker or abuser who holds the family's phone; officers call instead.
SENSITIVE_CATEGORIES: frozenset[CaseCategory] = frozenset(
    {
        CaseCategory.death,
        CaseCategory.trafficking,
        CaseCategory.violence,
        CaseCategory.missing_person,
    }
)

_S = CaseStatus

# Every move a case may make, for anyone allowed to move it at all.
TRANSITIONS: Mapping[CaseStatus, tuple[CaseStatus, ...]] = MappingProxyType(
    {
        _S.open: (_S.in_progress,),
        _S.in_progress: (_S.awaiting_information, _S.referred, _S.resolved),
        _S.awaiting_information: (_S.in_progress, _S.resolved),
        _S.referred: (_S.in_progress, _S.resolved),
        _S.resolved: (_S.closed, _S.in_progress),
        _S.closed: (_S.in_progress,),
    }
)

# Reopening a closed case undoes a supervisor's sign-off, so only a supervisor may do it.
# Reopening a merely resolved case is routine (the family calls back) and open to officers.
SUPERVISOR_ONLY: frozenset[tuple[CaseStatus, CaseStatus]] = frozenset({(_S.closed, _S.in_progress)})

# Statuses in which the case counts as finished (the SLA clock is stopped).
FINISHED_STATUSES: frozenset[CaseStatus] = frozenset({_S.resolved, _S.closed})


# The three exception names below are part of the agreed interface, hence no "Error" suffix.
class TransitionRefused(Exception):
    """The requested move is not allowed from the current status for this user."""

    def __init__(
        self,
        current: CaseStatus,
        requested: CaseStatus,
        allowed: tuple[CaseStatus, ...],
        reason: str,
    ) -> None:
        self.current = current
        self.requested = requested
        self.allowed = allowed
        self.reason = reason
        allowed_text = ", ".join(allowed) if allowed else "none"
        super().__init__(f"{reason}; allowed next states from {current}: {allowed_text}")


class ResolutionRequired(Exception):
    """A case may only be resolved together with a resolution code."""

    def __init__(self, current: CaseStatus) -> None:
        self.current = current
        super().__init__(f"moving from {current} to resolved requires a resolution")


class ResolutionNotAllowed(Exception):
    """A resolution code was sent with a move that does not resolve the case."""

    def __init__(self, current: CaseStatus, requested: CaseStatus, resolution: Resolution) -> None:
        self.current = current
        self.requested = requested
        self.resolution = resolution
        super().__init__(
            f"resolution {resolution} is only accepted when moving to resolved, "
            f"not from {current} to {requested}"
        )


def allowed_next(current: CaseStatus, *, is_supervisor: bool) -> tuple[CaseStatus, ...]:
    """The statuses this user may move a case to from ``current``, in table order."""
    return tuple(
        to for to in TRANSITIONS[current] if is_supervisor or (current, to) not in SUPERVISOR_ONLY
    )


def check_transition(
    current: CaseStatus,
    to: CaseStatus,
    *,
    is_supervisor: bool,
    resolution: Resolution | None,
) -> None:
    """Raise unless moving from ``current`` to ``to`` with ``resolution`` is allowed.

    The move itself is checked before the resolution, so a caller sending a wrong target
    learns the allowed states (409) rather than a resolution complaint (422).
    """
    _check_move(current, to, is_supervisor=is_supervisor)
    _check_resolution(current, to, resolution)


def _check_move(current: CaseStatus, to: CaseStatus, *, is_supervisor: bool) -> None:
    allowed = allowed_next(current, is_supervisor=is_supervisor)
    if to in allowed:
        return
    if to in TRANSITIONS[current]:
        # Allowed in the table but not for this user: say why, not just "no".
        raise TransitionRefused(
            current, to, allowed, f"only a supervisor may move a case from {current} to {to}"
        )
    raise TransitionRefused(current, to, allowed, f"a case cannot move from {current} to {to}")


def _check_resolution(current: CaseStatus, to: CaseStatus, resolution: Resolution | None) -> None:
    if to == CaseStatus.resolved and resolution is None:
        raise ResolutionRequired(current)
    if to != CaseStatus.resolved and resolution is not None:
        # Closing keeps the resolution chosen when resolving; sending another here would
        # silently rewrite the outcome, so it is refused rather than ignored.
        raise ResolutionNotAllowed(current, to, resolution)
