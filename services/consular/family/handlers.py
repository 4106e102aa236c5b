"""The consular outbox handlers: what the relay does for each kind of row.

- ``family.notify``: the person's consented contacts from the registry, then one
  ``family.sms`` row per contact (written with the delivery, exactly once);
- ``family.sms``: ``POST /v1/messages`` to notifications, keyed by the row id;
  then a ``family.track`` row to follow it;
- ``family.track``: the message's status, until it is final; each change goes on
  the case's timeline.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TypeVar, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.family import service
from services.consular.family.models import OutboxItem
from services.consular.settings import ConsularSettings
from shared.http import Peers
from shared.outbox import Delivered, Later, Poisoned, Retry, enqueue
from shared.outbox.outcomes import Entry, Handler, call_peer


class _Contact(BaseModel):
    phone: str
    language: str | None = None


class _ContactsPage(BaseModel):
    items: list[_Contact]
    next_cursor: str | None = None


class _Accepted(BaseModel):
    id: uuid.UUID
    status: str


class _Event(BaseModel):
    kind: str
    detail: str | None = None


class _MessageState(BaseModel):
    status: str
    status_reason: str | None = None
    updated_at: datetime
    created_at: datetime
    history: list[_Event] = []

    def outcome(self) -> tuple[str, str | None]:
        """(status, detail) for the timeline; a queued SMS held back (quiet hours, the
        daily cap) is "deferred" with the reason, a plain "queued" is not news."""
        last = self.history[-1] if self.history else None
        if self.status == "queued" and last is not None and last.kind == "deferred":
            return "deferred", last.detail
        return self.status, self.status_reason


def _settings(peers: Peers) -> ConsularSettings:
    return cast(ConsularSettings, peers.settings)


_Shape = TypeVar("_Shape", bound=BaseModel)


def _parse(shape: type[_Shape], body: object) -> _Shape:
    try:
        return shape.model_validate(body)
    except ValidationError as exc:  # a peer answering out of contract: wait, like one down
        raise Retry(f"{shape.__name__[1:]} not in the agreed shape") from exc


async def _contacts(peers: Peers, person_id: str) -> list[tuple[str, str]]:
    settings = _settings(peers)
    contacts: list[tuple[str, str]] = []
    path: str | None = f"/v1/persons/{person_id}/family-contacts"
    for _page in range(20):  # a family is small; the bound only guards against a loop
        if path is None:
            break
        response = await call_peer(
            peers, "GET", settings.registry_url, path, scopes=("registry:contacts",)
        )
        if response is None:  # the person is gone from the registry: nobody to tell
            break
        page = _parse(_ContactsPage, response.json())
        contacts += [(c.phone, c.language or settings.family_sms_language) for c in page.items]
        cursor = page.next_cursor
        path = f"/v1/persons/{person_id}/family-contacts?cursor={cursor}" if cursor else None
    return contacts


class _Protection(BaseModel):
    no_family_sms: bool


async def _withheld(peers: Peers, person_id: str) -> bool:
    """A trafficking or violence survivor: the family may be part of the harm.
    Asked when the SMS would go, so a marker recorded after opening still counts."""
    response = await call_peer(
        peers,
        "GET",
        _settings(peers).registry_url,
        f"/v1/persons/{person_id}/protection",
        scopes=("registry:markers",),
    )
    return response is not None and _parse(_Protection, response.json()).no_family_sms


async def notify(entry: Entry, peers: Peers) -> Delivered:
    case_id = uuid.UUID(entry.payload["case_id"])
    if await _withheld(peers, entry.payload["person_id"]):

        async def withhold(session: AsyncSession) -> None:
            await service.withhold(session, case_id, datetime.now(UTC))

        return Delivered(withhold)
    contacts = await _contacts(peers, entry.payload["person_id"])

    async def finish(session: AsyncSession) -> None:
        await service.fan_out(
            session,
            case_id,
            entry.payload["template"],
            contacts,
            datetime.now(UTC),
        )

    return Delivered(finish)


async def send(entry: Entry, peers: Peers) -> Delivered:
    sms_id = entry.id
    try:
        response = await call_peer(
            peers,
            "POST",
            _settings(peers).notifications_url,
            "/v1/messages",
            scopes=("notifications:send",),
            idempotency_key=entry.id,
            json=entry.payload,
        )
    except Poisoned as refused:
        detail = str(refused.problem.get("detail") or refused)[:300]

        async def refused_finish(session: AsyncSession) -> None:
            await service.record_outcome(
                session, sms_id, "refused", datetime.now(UTC), detail=detail
            )

        raise refused.with_finish(refused_finish) from None
    assert response is not None  # a POST never answers None
    accepted = _parse(_Accepted, response.json())

    async def finish(session: AsyncSession) -> None:
        await service.record_outcome(
            session, sms_id, accepted.status, datetime.now(UTC), message_id=accepted.id
        )
        enqueue(
            session,
            OutboxItem,
            "family.track",
            {"sms_id": str(sms_id), "message_id": str(accepted.id)},
            subject=entry.subject,
        )

    return Delivered(finish)


async def track(entry: Entry, peers: Peers) -> Delivered:
    settings = _settings(peers)
    message_id = entry.payload["message_id"]
    response = await call_peer(
        peers,
        "GET",
        settings.notifications_url,
        f"/v1/messages/{message_id}",
        scopes=("notifications:send",),
    )
    if response is None:
        raise Poisoned(f"notifications has no message {message_id}")
    state = _parse(_MessageState, response.json())
    sms_id = uuid.UUID(entry.payload["sms_id"])
    status, detail = state.outcome()

    async def finish(session: AsyncSession) -> None:
        if status != "queued":  # a plain "queued" is not news; a deferral is
            await service.record_outcome(session, sms_id, status, state.updated_at, detail=detail)

    waited = datetime.now(UTC) - state.created_at
    done = state.status in service.FINAL or (
        state.status == "sent"
        and waited > timedelta(seconds=settings.family_sms_delivery_wait_seconds)
    )
    if done:
        return Delivered(finish)
    delay = min(
        settings.family_sms_check_max_seconds,
        settings.family_sms_check_seconds * 2 ** min(entry.attempts - 1, 10),
    )
    raise Later(f"message {state.status}", delay, finish)


HANDLERS: dict[str, Handler] = {"family.notify": notify, "family.sms": send, "family.track": track}
