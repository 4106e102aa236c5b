"""Consulate rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
        raise _taken(body.code)
    consulate = Consulate(**body.model_dump(), version=1)
    try:
        # A savepoint: another administrator may add the same code between our check
        # and our insert; the unique key then refuses it and we answer 409, not 500.
        async with session.begin_nested():
            session.add(consulate)
    except IntegrityError as exc:
        raise _taken(body.code) from exc
    return consulate


def _taken(code: str) -> Conflict:
    return Conflict(f"Consulate {code} already exists.", extra={"code": code})


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


async def covering(session: AsyncSession, country: str, city: str | None) -> Consulate | None:
    """The post that serves a place: the one in that city, else the country's embassy,
    else any post in the country (first by code); None when the country has none."""
    rows = (
        await session.scalars(
            select(Consulate).where(Consulate.country == country.upper()).order_by(Consulate.code)
        )
    ).all()
    wanted = (city or "").strip().casefold()
    in_city = [c for c in rows if wanted and c.city.casefold() == wanted]
    embassy = [c for c in rows if c.kind == "embassy"]
    for candidates in (in_city, embassy, list(rows)):
        if candidates:
            return candidates[0]
    return None
