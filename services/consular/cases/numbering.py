"""Case numbers ``{consulate}-{year}-{NNNNNN}``: unique, in order, no gaps but rollbacks.

One counter row per consulate and year, bumped with a single upsert inside the request's
transaction. The row lock it takes serialises concurrent openings at the same consulate
until commit, so two officers can never draw the same number, and a rolled-back opening
gives its number back. A sequence object would not block, but it would leave gaps on
every rollback and needs one sequence per consulate and year.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import CaseNumberCounter
from services.consular.cases.sla import case_number

_counter = CaseNumberCounter.__table__.c


async def next_case_number(session: AsyncSession, consulate: str, year: int) -> str:
    draw = insert(CaseNumberCounter).values(consulate=consulate, year=year, last_seq=1)
    upsert = draw.on_conflict_do_update(
        index_elements=[_counter.consulate, _counter.year],
        set_={"last_seq": _counter.last_seq + 1},
    ).returning(_counter.last_seq)
    seq = (await session.execute(upsert)).scalar_one()
    return case_number(consulate, year, seq)
