"""Consulate rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.consulates.models import Consulate
from services.consular.consulates.schemas import ConsulateCreate, ConsulateUpdate
from shared.errors import Conflict, InvalidInput, NotFound
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
    await _check_zones_free(session, body.code, body.country, body.zones)
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
    for field in ("name", "city", "time_zone", "kind", "zones"):
        if field in changes and changes[field] is None:
            changes.pop(field)  # only the hotline may be removed
    if "zones" in changes:
        await _check_zones_free(session, code, consulate.country, changes["zones"])
    for field, value in changes.items():
        setattr(consulate, field, value)
    consulate.version += 1
    await session.flush()
    return consulate


async def _check_zones_free(
    session: AsyncSession, code: str, country: str, zones: Sequence[str] | None
) -> None:
    """A zone is a country with no post of its own, served by exactly one post: so the
    post a family's SMS names for a country is never a matter of ordering."""
    if not zones:
        return
    if country in zones:
        raise InvalidInput("zones", f"{country} is this consulate's own country")
    seated = await session.scalars(
        select(Consulate.country).where(Consulate.country.in_(zones)).limit(1)
    )
    if (own := seated.first()) is not None:
        raise InvalidInput("zones", f"{own} has a consulate of its own")
    taken = await session.execute(
        select(Consulate.code, Consulate.zones)
        .where(Consulate.code != code, Consulate.zones.overlap(list(zones)))
        .limit(1)
    )
    if (row := taken.first()) is not None:
        shared = sorted(set(row.zones) & set(zones))[0]
        raise Conflict(
            f"{shared} is already served by {row.code}; remove it there first.",
            extra={"zone": shared, "consulate": row.code},
        )


async def covering(session: AsyncSession, country: str, city: str | None) -> Consulate | None:
    """The post that serves a place: the one in that city, else the country's embassy,
    else any post in the country (first by code), else the post whose zones include the
    country; None when none serves it."""
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
    zoned = select(Consulate).where(Consulate.zones.contains([country.upper()]))
    return await session.scalar(zoned.order_by(Consulate.code))
