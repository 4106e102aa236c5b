"""Demo cases for ``migreg dev``: a handful of cases at a few consulates, in every SLA
state, written through the same rules the API uses (numbering, workflow, timeline).

Idempotent: nothing is added when demo cases exist. Demo people are given as details
(not registry ids), since the registry's demo ids are not known here; link them with
``POST /v1/cases/{id}/link-person`` once found in the registry.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from services.consular.cases.models import Case
from services.consular.cases.schemas import CaseCreate, PersonDetails, TransitionIn
from services.consular.cases.service import open_case
from services.consular.cases.transitions import apply_transition
from services.consular.cases.workflow import CaseStatus, Resolution
from services.consular.consulates.models import Consulate
from services.consular.settings import ConsularSettings
from shared.auth.principal import Principal, Role
from shared.db import make_engine, make_sessionmaker
from shared.etag import etag_for

DEMO_OFFICER = "demo-loader"


@dataclass(frozen=True)
class DemoCase:
    consulate: str
    last_name: str
    first_name: str
    category: str
    priority: str
    description: str
    days_ago: float
    # (status, days after opening, resolution)
    moves: tuple[tuple[CaseStatus, float, Resolution | None], ...] = ()


_S = CaseStatus
DEMO_CASES = (
    DemoCase("RU-MOW", "Осмонов", "Бакыт", "wage_theft", "high",
             "Employer at a construction site in Moscow has not paid wages for three months.",
             days_ago=2, moves=((_S.in_progress, 0.2, None),)),
    DemoCase("RU-MOW", "Токтогулова", "Айгуль", "document_confiscation", "normal",
             "Работодатель забрал паспорт и не возвращает.",
             days_ago=4, moves=((_S.in_progress, 0.5, None), (_S.awaiting_information, 1, None))),
    DemoCase("RU-MOW", "Садыков", "Эрлан", "detention", "critical",
             "Detained at a migration raid; family has had no contact for a day.",
             days_ago=1.5),
    DemoCase("KZ-ALA", "Жумабаев", "Канат", "accident_injury", "high",
             "Injured at work in Almaty; needs help with hospital costs.",
             days_ago=1, moves=((_S.in_progress, 0.1, None),)),
    DemoCase("TR-IST", "Абдраимова", "Назгуль", "medical", "normal",
             "Needs a referral to a clinic that accepts migrant workers.",
             days_ago=6, moves=((_S.in_progress, 1, None),
                                (_S.resolved, 3, Resolution.assisted))),
)  # fmt: skip


async def _load(database_url: str) -> str:
    settings = ConsularSettings(database_url=database_url)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            existing = await session.scalar(
                select(Case.id).where(Case.opened_by == DEMO_OFFICER).limit(1)
            )
            if existing is not None:
                return "demo cases already loaded"
            await _demo_hotlines(session)
            state = State({"settings": settings})
            now = datetime.now(UTC)
            for demo in DEMO_CASES:
                await _open(session, state, demo, now)
        return f"{len(DEMO_CASES)} demo cases at RU-MOW, KZ-ALA and TR-IST"
    finally:
        await engine.dispose()


async def _demo_hotlines(session: AsyncSession) -> None:
    """Every consulate without a hotline gets an obviously fictitious one (+996 000 000 0NN),
    so demo SMS show where the hotline goes; real numbers come from the ministry."""
    consulates = (
        await session.scalars(
            select(Consulate).where(Consulate.hotline.is_(None)).order_by(Consulate.code)
        )
    ).all()
    for index, consulate in enumerate(consulates, start=1):
        consulate.hotline = f"+996000000{index:03d}"
        consulate.version += 1


async def _open(session: AsyncSession, state: State, demo: DemoCase, now: datetime) -> None:
    # Each demo case is worked by an officer of its own consulate, like real ones.
    officer = Principal(
        subject=DEMO_OFFICER, roles=frozenset({Role.consular_officer}), consulate=demo.consulate
    )
    opened_at = now - timedelta(days=demo.days_ago)
    body = CaseCreate.model_validate(
        {
            "consulate": demo.consulate,
            "person": PersonDetails(last_name=demo.last_name, first_name=demo.first_name),
            "category": demo.category,
            "priority": demo.priority,
            "description": demo.description,
            "reported_by": "family",
        }
    )
    case = await open_case(session, state, officer, body, opened_at)
    case_id: uuid.UUID = case.id
    for to, after_days, resolution in demo.moves:
        move = TransitionIn(to=to, resolution=resolution)
        at = opened_at + timedelta(days=after_days)
        case = await apply_transition(session, officer, case_id, move, etag_for(case.version), at)


def load_demo(database_url: str) -> str:
    return asyncio.run(_load(database_url))
