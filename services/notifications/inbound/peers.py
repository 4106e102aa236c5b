"""Calls to the consular service and the registry for a status query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from services.notifications.recipients.phones import parse_e164
from services.notifications.settings import NotificationsSettings
from shared.http import peer_client, service_token


class PeerDown(Exception):
    """A peer did not answer usefully: keep the question and ask again later."""


@dataclass(frozen=True)
class CaseStatus:
    case_number: str
    status: str
    updated_at: datetime
    consulate: str
    hotline: str | None
    person_id: uuid.UUID | None


@dataclass(frozen=True)
class Contact:
    phone: str
    language: str | None


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
    try:
        return CaseStatus(
            case_number=str(body["case_number"]),
            status=str(body["status"]),
            updated_at=datetime.fromisoformat(str(body["updated_at"]).replace("Z", "+00:00")),
            consulate=str(body["consulate"]),
            hotline=body.get("hotline"),
            person_id=uuid.UUID(body["person_id"]) if body.get("person_id") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PeerDown(f"case status not in the agreed shape: {exc}") from exc


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
        for item in body.get("items", []):
            phone = parse_e164(str(item.get("phone") or ""))
            if phone is not None:
                contacts.append(Contact(phone=phone, language=item.get("language")))
        cursor = body.get("next_cursor")
        path = f"/v1/persons/{person_id}/family-contacts?cursor={cursor}" if cursor else None
    return contacts
