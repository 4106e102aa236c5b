"""Case numbers ``{consulate}-{year}-{NNNNNN}``: unique, in order, no gaps but rollbacks.

One counter row per consulate and year, bumped with a single upsert inside the request's
transaction. The row lock it takes serialises concurrent openings at the same consulate
until commit, so two officers can never draw the same number, and a rolled-back opening
gives its number back. A sequence object would not block, but it would leave gaps on
every rollback and needs one sequence per consulate and year.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases.models import CaseNumberCounter

_counter = CaseNumberCounter.__table__.c

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


async def next_case_number(session: AsyncSession, consulate: str, year: int) -> str:
    draw = insert(CaseNumberCounter).values(consulate=consulate, year=year, last_seq=1)
    upsert = draw.on_conflict_do_update(
        index_elements=[_counter.consulate, _counter.year],
        set_={"last_seq": _counter.last_seq + 1},
    ).returning(_counter.last_seq)
    seq = (await session.execute(upsert)).scalar_one()
    return case_number(consulate, year, seq)
