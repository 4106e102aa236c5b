"""Calls to the consular service and the registry for a status query.

Their answers are validated against the agreed shapes: a peer that answers
something else is treated like a peer that is down (the question waits).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from services.notifications.recipients.phones import parse_e164
from services.notifications.settings import NotificationsSettings
from shared.http import peer_client, service_token

log = logging.getLogger("migreg.inbound")

_Shape = TypeVar("_Shape", bound=BaseModel)


class PeerDown(Exception):
    """A peer did not answer usefully: keep the question and ask again later."""


class CaseStatus(BaseModel):
    """Consular ``GET /v1/cases/by-number/{n}/status`` (extra fields ignored)."""

    case_number: str
    status: str
    updated_at: datetime
    consulate: str
    hotline: str | None = None
    person_id: uuid.UUID | None = None


class FamilyContact(BaseModel):
    phone: str | None = None
    language: str | None = None


class FamilyContactsPage(BaseModel):
    """Registry ``GET /v1/persons/{id}/family-contacts``."""

    items: list[FamilyContact] = []
    next_cursor: str | None = None


class Protection(BaseModel):
    """Registry ``GET /v1/persons/{id}/protection`` (extra fields ignored)."""

    no_family_sms: bool


class Contact(BaseModel):
    phone: str
    language: str | None


def _shaped(shape: type[_Shape], body: Any, path: str) -> _Shape:
    try:
        return shape.model_validate(body)
    except ValidationError as exc:
        # Field names only: a peer's values may be phones or names.
        where = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()})
        log.warning(
            "peer answer not in the agreed shape",
            extra={"peer_path": path.split("?")[0], "fields": where},
        )
        raise PeerDown(f"{shape.__name__} not in the agreed shape ({', '.join(where)})") from exc


async def _get(settings: NotificationsSettings, base_url: str, path: str, scope: str) -> Any:
    token = service_token(settings, "notifications", (scope,))
    try:
        async with peer_client(base_url, settings, token=token) as client:
            response = await client.get(path)
    except httpx.HTTPError as exc:
        raise PeerDown(f"{base_url} unreachable: {type(exc).__name__}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise PeerDown(f"{path} answered {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise PeerDown(f"{path} answered with something that is not JSON") from exc


async def case_status(settings: NotificationsSettings, case_number: str) -> CaseStatus | None:
    """The case's status, or None when the consular service does not know it."""
    body = await _get(
        settings, settings.consular_url, f"/v1/cases/by-number/{case_number}/status", "cases:status"
    )
    if body is None:
        return None
    return _shaped(CaseStatus, body, "/v1/cases/by-number/{n}/status")


async def family_contacts(settings: NotificationsSettings, person_id: uuid.UUID) -> list[Contact]:
    """Consented family contacts with a phone (all pages); none for an unknown person."""
    contacts: list[Contact] = []
    path: str | None = f"/v1/persons/{person_id}/family-contacts"
    for _page in range(20):  # a family is small; the bound only guards against a loop
        if path is None:
            break
        body = await _get(settings, settings.registry_url, path, "registry:contacts")
        if body is None:
            break
        page = _shaped(FamilyContactsPage, body, "/v1/persons/{id}/family-contacts")
        for item in page.items:
            phone = parse_e164(item.phone or "")
            if phone is not None:
                contacts.append(Contact(phone=phone, language=item.language))
        cursor = page.next_cursor
        path = f"/v1/persons/{person_id}/family-contacts?cursor={cursor}" if cursor else None
    return contacts


async def family_sms_withheld(settings: NotificationsSettings, person_id: uuid.UUID) -> bool:
    """A trafficking or violence survivor: the family gets nothing about them."""
    path = f"/v1/persons/{person_id}/protection"
    body = await _get(settings, settings.registry_url, path, "registry:markers")
    if body is None:
        return False
    return _shaped(Protection, body, "/v1/persons/{id}/protection").no_family_sms
