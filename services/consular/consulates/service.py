"""Consulate rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.consulates.models import Consulate
from services.consular.consulates.schemas import ConsulateCreate, ConsulateUpdate
from shared.errors import Conflict, NotFound
from shared.etag import check_if_match


async def list_consulates(session: AsyncSession) -> Sequence[Consulate]:
    return (await session.scalars(select(Consulate).order_by(Consulate.code))).all()


async def get_consulate(session: AsyncSession, code: str, *, for_update: bool = False) -> Consulate:
    consulate = await session.get(Consulate, code, with_for_update=for_update)
    if consulate is None:
        raise NotFound(f"No consulate with code {code}.")
    return consulate


async def create_consulate(session: AsyncSession, body: ConsulateCreate) -> Consulate:
    if await session.get(Consulate, body.code) is not None:
        raise Conflict(f"Consulate {body.code} already exists.", extra={"code": body.code})
    consulate = Consulate(**body.model_dump(), version=1)
    session.add(consulate)
    await session.flush()
    return consulate


async def update_consulate(
    session: AsyncSession, code: str, body: ConsulateUpdate, if_match: str | None
) -> Consulate:
    consulate = await get_consulate(session, code, for_update=True)
    check_if_match(if_match, consulate.version)
    changes = body.model_dump(exclude_unset=True)
    for field in ("name", "city", "time_zone", "kind"):
        if field in changes and changes[field] is None:
            changes.pop(field)  # only the hotline may be removed
    for field, value in changes.items():
        setattr(consulate, field, value)
    consulate.version += 1
    await session.flush()
    return consulate
