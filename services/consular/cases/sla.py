"""The SLA clock of consular cases: the one place its rule is written.

The clock is kept on the case row, so PostgreSQL answers every question about it (a case's
view, the overdue filter, the supervisors' summary, the gauges) from the same expressions:

- it runs in ``open``, ``in_progress`` and ``referred`` (a referral does not relieve the
  consulate of the case);
- it stands still in ``awaiting_information`` (the consulate waits on someone else) and in
  ``resolved`` / ``closed``. ``clock_paused_at`` is when it stopped; ``move_clock`` pushes
  ``clock_due_at`` out by the time it stood still when it starts again (a reopened case
  does not pay for the time it spent finished).

Hence, with ``now`` the clock's reading: the deadline is ``clock_due_at``, plus the pause
under way for a live case; the clock has run ``coalesce(clock_paused_at, now) -
(clock_due_at - budget)``. States (``SlaState``):

- ``green``: less than half the SLA used; ``amber``: half or more, not yet due;
- ``red``: live and past the deadline, even while paused (an overdue case must not hide
  behind a pause);
- ``paused``: awaiting information and not overdue;
- ``met`` / ``breached``: finished no later than / after the deadline. Kept apart from
  ``red`` because a late but finished case needs no action, only counting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Interval,
    and_,
    case,
    func,
    literal,
    not_,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case
from services.consular.cases.workflow import FINISHED_STATUSES, CaseStatus
from shared.openapi import NamedEnum

SlaState = Annotated[
    Literal["green", "amber", "red", "paused", "met", "breached"],
    NamedEnum(
        "SlaState",
        "Against the deadline: `green`, `amber` (most of the time used), `red` (past it), "
        "`paused` (waiting on someone outside), `met` or `breached` (finished).",
    ),
]
# The three-colour reading of a live case, pause or not: a paused case keeps the colour
# it had when the clock stopped (its active time does not grow while paused).
ClockState = Literal["green", "amber", "red"]

CLOCK_STOPPED: frozenset[CaseStatus] = frozenset(
    {CaseStatus.awaiting_information, *FINISHED_STATUSES}
)
_FINISHED = [status.value for status in FINISHED_STATUSES]


def move_clock(case: Case, from_status: CaseStatus, to_status: CaseStatus, at: datetime) -> None:
    """Keep the row's clock in step with a status change at ``at``."""
    if from_status in FINISHED_STATUSES and to_status in FINISHED_STATUSES:
        return  # resolved, then closed: finished since the resolution
    if from_status in CLOCK_STOPPED and case.clock_paused_at is not None:
        case.clock_due_at = case.clock_due_at + (at - case.clock_paused_at)
    case.clock_paused_at = at if to_status in CLOCK_STOPPED else None


def is_unfinished() -> ColumnElement[bool]:
    return Case.status.not_in(_FINISHED)


def _reading(now: datetime) -> ColumnElement[datetime]:
    # A clock stepping back (another machine's time) must not make a case look younger.
    return func.greatest(literal(now, DateTime(timezone=True)), Case.updated_at)


def _clock_end(now: datetime) -> ColumnElement[datetime]:
    return func.coalesce(Case.clock_paused_at, _reading(now))


def _budget() -> ColumnElement[timedelta]:
    return func.make_interval(0, 0, 0, 0, 0, 0, Case.sla_hours * 3600)


def is_overdue(now: datetime) -> ColumnElement[bool]:
    return and_(is_unfinished(), _clock_end(now) > Case.clock_due_at)


def is_not_overdue(now: datetime) -> ColumnElement[bool]:
    return not_(is_overdue(now))


def _active(now: datetime) -> ColumnElement[timedelta]:
    return type_coerce(_clock_end(now) - (Case.clock_due_at - _budget()), Interval())


def due_at(now: datetime) -> ColumnElement[datetime]:
    live_pause = and_(is_unfinished(), Case.clock_paused_at.is_not(None))
    return case(
        (live_pause, Case.clock_due_at + (_reading(now) - Case.clock_paused_at)),
        else_=Case.clock_due_at,
    )


def clock_state(now: datetime) -> ColumnElement[str | None]:
    return case(
        (not_(is_unfinished()), None),
        (is_overdue(now), "red"),
        (_active(now) * 2 >= _budget(), "amber"),
        else_="green",
    )


def sla_state(now: datetime) -> ColumnElement[str]:
    return case(
        (and_(not_(is_unfinished()), Case.clock_paused_at <= Case.clock_due_at), "met"),
        (not_(is_unfinished()), "breached"),
        (is_overdue(now), "red"),
        (Case.clock_paused_at.is_not(None), "paused"),
        else_=clock_state(now),
    )


@dataclass(frozen=True, slots=True)
class SlaReading:
    state: SlaState
    clock_state: ClockState | None
    due_at: datetime
    stopped_seconds: int  # awaiting others, or finished before a reopen
    active_seconds: int  # time the clock ran


async def readings(
    session: AsyncSession, case_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, SlaReading]:
    """Each case's clock read at ``now``, in one query."""
    due = due_at(now)
    rows = await session.execute(
        select(
            Case.id,
            sla_state(now),
            clock_state(now),
            due,
            func.extract("epoch", due - Case.opened_at - _budget()),
            func.extract("epoch", _active(now)),
        ).where(Case.id.in_(case_ids))
    )
    return {
        case_id: SlaReading(
            cast(SlaState, state),
            cast(ClockState | None, colour),
            due_at_now,
            int(stopped),
            int(active),
        )
        for case_id, state, colour, due_at_now, stopped, active in rows.tuples()
    }
