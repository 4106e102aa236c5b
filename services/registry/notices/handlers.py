"""The registry's outbox handlers (run by the relay in the registry process)."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.notices import service
from services.registry.settings import RegistrySettings
from shared.http import Peers
from shared.outbox import Delivered, Retry
from shared.outbox.outcomes import Entry, Handler, call_peer


class _Consulate(BaseModel):
    code: str
    hotline: str | None = None


def _settings(peers: Peers) -> RegistrySettings:
    return cast(RegistrySettings, peers.settings)


async def departure(entry: Entry, peers: Peers) -> Delivered:
    """Which consulate covers the destination (its hotline), then the family SMS rows."""
    response = await call_peer(
        peers,
        "GET",
        _settings(peers).consular_url,
        "/v1/consulate-coverage",
        scopes=(),
        params={"country": entry.payload["country"], "city": entry.payload.get("city") or ""},
    )
    hotline = None
    if response is not None:  # None: no consulate serves that country; no hotline then
        try:
            hotline = _Consulate.model_validate(response.json()).hotline
        except (ValidationError, ValueError) as exc:
            raise Retry("consulate not in the agreed shape") from exc

    async def finish(session: AsyncSession) -> None:
        await service.departure_sms(session, entry.payload, hotline)

    return Delivered(finish)


async def send_sms(entry: Entry, peers: Peers) -> Delivered:
    await call_peer(
        peers,
        "POST",
        _settings(peers).notifications_url,
        "/v1/messages",
        scopes=("notifications:send",),
        idempotency_key=entry.id,
        json=entry.payload,
    )
    return Delivered()


async def returned(entry: Entry, peers: Peers) -> Delivered:
    await call_peer(
        peers,
        "POST",
        _settings(peers).consular_url,
        "/v1/person-returns",
        scopes=("cases:events",),
        idempotency_key=entry.id,
        json=entry.payload,
    )
    return Delivered()


HANDLERS: dict[str, Handler] = {
    "departure.notify": departure,
    "sms.send": send_sms,
    "return.notify": returned,
}
