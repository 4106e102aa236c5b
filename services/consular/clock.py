"""The service's notion of "now", one per app so tests can move time forward.

Every timestamp the consular service writes (case opened, each timeline event) and every
SLA computation reads this clock, so deadlines, ``sla_state`` and the ``overdue`` filter
always agree with each other. Production uses the wall clock; tests replace
``app.state.clock`` to step through days without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_of(state: State) -> Clock:
    clock: Clock = getattr(state, "clock", wall_clock)
    return clock


async def _now(request: Request) -> datetime:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread.
    return clock_of(request.app.state)()


Now = Annotated[datetime, Depends(_now)]
