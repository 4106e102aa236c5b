"""SLA clock for consular cases, and case numbers.

The clock has three modes, read from the case's status history:

- running in ``open``, ``in_progress`` and ``referred`` (a referral does not relieve the
  consulate of the case), and in any gap the history does not cover, so missing data can
  only make a case look later, never earlier;
- paused in ``awaiting_information``: the consulate is waiting on someone else, so the
  deadline moves out by the time spent waiting, including a pause still under way;
- stopped in ``resolved`` / ``closed``. If the case is reopened, the time it spent finished
  moves the deadline out just like a pause, and the clock resumes.

Hence ``due_at = opened_at + sla[priority] + paused_for + stopped_for`` and, while the case
is not finished, ``elapsed_active = now - opened_at - paused_for - stopped_for``.

States (``SlaState``):

- ``green``: less than half the SLA used;
- ``amber``: half or more used, not yet due;
- ``red``: not finished and ``now`` is past ``due_at`` (even while paused: an overdue case
  must not hide behind a pause);
- ``paused``: awaiting information and not overdue;
- ``met``: finished (resolved or closed) no later than ``due_at``;
- ``breached``: finished after ``due_at``. Kept apart from ``red`` because a late but
  finished case needs no action, only counting.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Annotated, Literal

from services.consular.cases.workflow import FINISHED_STATUSES, CaseStatus, Priority
from shared.openapi import NamedEnum

SlaState = Annotated[
    Literal["green", "amber", "red", "paused", "met", "breached"],
    NamedEnum(
        "SlaState",
        "Against the deadline: `green`, `amber` (most of the time used), `red` (past it), "
        "`paused` (waiting on someone outside), `met` or `breached` (finished).",
    ),
]
# The three-colour reading of a live case, pause or not: a paused case keeps the
# colour it had when the clock stopped (its active time does not grow while paused).
ClockState = Literal["green", "amber", "red"]

DEFAULT_SLA: Mapping[Priority, timedelta] = MappingProxyType(
    {
        Priority.critical: timedelta(hours=24),
        Priority.high: timedelta(days=3),
        Priority.normal: timedelta(days=10),
        Priority.low: timedelta(days=30),
    }
)

_PAUSED_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.awaiting_information})


@dataclass(frozen=True, slots=True)
class StatusSpan:
    """A stretch of time the case spent in one status; ``ended_at`` is None while current."""

    status: CaseStatus
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SlaView:
    due_at: datetime
    paused_for: timedelta  # total time in awaiting_information, up to now or resolution
    state: SlaState
    elapsed_active: timedelta  # time the clock ran, up to now or resolution
    stopped_for: timedelta = timedelta(0)  # time finished before a reopen
    clock_state: ClockState | None = None  # None once finished


def compute_sla(
    opened_at: datetime,
    priority: Priority,
    spans: Sequence[StatusSpan],
    now: datetime,
    sla: Mapping[Priority, timedelta] = DEFAULT_SLA,
) -> SlaView:
    """Where the case stands against its deadline at ``now``.

    ``spans`` is the status history in any order; spans must not overlap and only the last
    may be open-ended. Parts of spans outside ``[opened_at, now]`` are ignored.
    """
    budget = _budget(priority, sla)
    _require_aware(opened_at, "opened_at")
    _require_aware(now, "now")
    if now < opened_at:
        raise ValueError("now is earlier than opened_at")
    ordered = _ordered(spans)

    finished_at = _finished_at(ordered, opened_at, now)
    clock_end = now if finished_at is None else finished_at
    paused = _time_in(ordered, _PAUSED_STATUSES, opened_at, clock_end, now)
    # Finished spans before clock_end are exactly those later undone by a reopen.
    stopped = _time_in(ordered, FINISHED_STATUSES, opened_at, clock_end, now)
    due_at = opened_at + budget + paused + stopped
    active = clock_end - opened_at - paused - stopped

    current = ordered[-1].status if ordered else CaseStatus.open
    state = _state(current, finished_at, due_at, active, budget, now)
    return SlaView(
        due_at=due_at,
        paused_for=paused,
        state=state,
        elapsed_active=active,
        stopped_for=stopped,
        clock_state=None if finished_at is not None else _colour(due_at, active, budget, now),
    )


def _budget(priority: Priority, sla: Mapping[Priority, timedelta]) -> timedelta:
    budget = sla[priority]
    if budget <= timedelta(0):
        raise ValueError(f"SLA for {priority} must be positive, got {budget}")
    return budget


def _require_aware(value: datetime, name: str) -> None:
    # Naive datetimes would silently compare in whatever zone the server runs in.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _ordered(spans: Sequence[StatusSpan]) -> tuple[StatusSpan, ...]:
    ordered = tuple(sorted(spans, key=lambda span: span.started_at))
    for index, span in enumerate(ordered):
        _require_aware(span.started_at, "started_at")
        is_last = index == len(ordered) - 1
        if span.ended_at is None:
            if not is_last:
                raise ValueError("only the latest status span may be open-ended")
            continue
        _require_aware(span.ended_at, "ended_at")
        if span.ended_at < span.started_at:
            raise ValueError("a status span ends before it starts")
        if not is_last and ordered[index + 1].started_at < span.ended_at:
            # Overlaps would count the same minutes twice (e.g. paused and running).
            raise ValueError("status spans overlap")
    return ordered


def _finished_at(
    ordered: Sequence[StatusSpan], opened_at: datetime, now: datetime
) -> datetime | None:
    """Start of the trailing run of resolved/closed spans, or None if the case is live.

    A run rather than the last span: resolved then closed is finished since resolution.
    """
    if not ordered or ordered[-1].status not in FINISHED_STATUSES:
        return None
    start = ordered[-1].started_at
    for span in reversed(ordered):
        if span.status not in FINISHED_STATUSES:
            break
        start = span.started_at
    return min(max(start, opened_at), now)


def _time_in(
    ordered: Sequence[StatusSpan],
    statuses: Collection[CaseStatus],
    window_start: datetime,
    window_end: datetime,
    now: datetime,
) -> timedelta:
    """Total time spent in ``statuses`` within ``[window_start, window_end]``."""
    total = timedelta(0)
    for span in ordered:
        if span.status not in statuses:
            continue
        start = max(span.started_at, window_start)
        end = min(now if span.ended_at is None else span.ended_at, window_end)
        if end > start:
            total += end - start
    return total


def _state(
    current: CaseStatus,
    finished_at: datetime | None,
    due_at: datetime,
    active: timedelta,
    budget: timedelta,
    now: datetime,
) -> SlaState:
    if finished_at is not None:
        return "met" if finished_at <= due_at else "breached"
    colour = _colour(due_at, active, budget, now)
    if colour != "red" and current in _PAUSED_STATUSES:
        return "paused"
    return colour


def _colour(due_at: datetime, active: timedelta, budget: timedelta, now: datetime) -> ClockState:
    if now > due_at:
        return "red"
    if active * 2 >= budget:
        return "amber"
    return "green"


_CONSULATE_CODE = re.compile(r"[A-Z]{2}-[A-Z]{3}")

# Matches a case number anywhere in text, e.g. an inbound SMS asking for a case's status.
CASE_NUMBER_RE = re.compile(
    r"\b(?P<consulate>[A-Z]{2}-[A-Z]{3})-(?P<year>[0-9]{4})-(?P<seq>[0-9]{6})\b"
)


def case_number(consulate_code: str, year: int, seq: int) -> str:
    """Human case number, e.g. ``case_number("RU-MOW", 2026, 42) == "RU-MOW-2026-000042"``.

    Fixed widths keep numbers the same length for reading aloud over the phone and make
    them sort correctly as text within a consulate and year.
    """
    if not _CONSULATE_CODE.fullmatch(consulate_code):
        raise ValueError(f"consulate code must look like RU-MOW, got {consulate_code!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if not 1 <= seq <= 999_999:
        raise ValueError(f"sequence must be between 1 and 999999, got {seq}")
    return f"{consulate_code}-{year:04d}-{seq:06d}"
