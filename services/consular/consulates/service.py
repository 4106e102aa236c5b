"""Consulate rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.consulates.models import Consulate


async def list_consulates(session: AsyncSession) -> Sequence[Consulate]:
    return (await session.scalars(select(Consulate).order_by(Consulate.code))).all()
