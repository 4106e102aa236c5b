"""SLA summary for supervisors: per consulate, how many unfinished cases are in each state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import Case
from services.consular.cases.sla import is_unfinished, sla_state
from services.consular.consulates.models import Consulate


class ConsulateSla(BaseModel):
    consulate: str
    unfinished: int
    green: int
    amber: int
    red: int
    paused: int


class SlaSummary(BaseModel):
    as_of: datetime
    items: list[ConsulateSla]
    next_cursor: str | None = None


async def sla_summary(session: AsyncSession, now: datetime) -> SlaSummary:
    state = sla_state(now).label("state")
    rows = await session.execute(
        select(Case.consulate, state, func.count())
        .where(is_unfinished())
        .group_by(Case.consulate, state)
    )
    counts: dict[str, dict[str, int]] = {}
    for consulate, state_name, n in rows:
        counts.setdefault(consulate, {})[state_name] = n
    codes = (await session.scalars(select(Consulate.code).order_by(Consulate.code))).all()
    items = []
    for code in codes:
        by_state = counts.get(code, {})
        states = {s: by_state.get(s, 0) for s in ("green", "amber", "red", "paused")}
        items.append(ConsulateSla(consulate=code, unfinished=sum(states.values()), **states))
    return SlaSummary(as_of=now, items=items)
