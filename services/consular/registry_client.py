"""The registry as seen from consular: is this person registered, and what are the names?

Calls ``GET /v1/persons/{id}`` with a ``registry:read`` service token, and
``GET /v1/persons/{id}/protection`` with ``registry:markers`` (is the person marked
vulnerable, must family SMS be held). An unknown id is
the caller's mistake (422 on ``person_id``); anything else going wrong (unreachable,
timeout, 5xx, a token the registry refuses, an answer we cannot read) is ours or the
registry's, so it is a 503 and the caller may retry. The call goes through the app's
pooled client (``app.state.peers``); tests route it to the in-process registry app.
"""

from __future__ import annotations

import logging
import uuid
from typing import TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import State

from services.consular.cases.errors import RegistryUnavailable
from services.consular.settings import ConsularSettings
from shared.errors import InvalidInput
from shared.http import Peers

log = logging.getLogger(__name__)

RETRY_LATER = {"Retry-After": "5"}


class RegistryPerson(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    last_name: str
    first_name: str
    status: str


class Protection(BaseModel):
    """Whether the person has an active vulnerability marker, and whether
    automatic family SMS must be held (never which marker)."""

    model_config = ConfigDict(extra="ignore")

    marked: bool
    no_family_sms: bool


async def fetch_person(
    state: State, person_id: uuid.UUID, field: str = "person_id"
) -> RegistryPerson:
    return await _ask(state, f"/v1/persons/{person_id}", ("registry:read",), field, RegistryPerson)


async def fetch_protection(
    state: State, person_id: uuid.UUID, field: str = "person_id"
) -> Protection:
    """Asked with ``registry:markers``, a scope only this service's token holds."""
    path = f"/v1/persons/{person_id}/protection"
    return await _ask(state, path, ("registry:markers",), field, Protection)


Answer = TypeVar("Answer", bound=BaseModel)


async def _ask(
    state: State, path: str, scopes: tuple[str, ...], field: str, model: type[Answer]
) -> Answer:
    settings: ConsularSettings = state.settings
    peers: Peers = state.peers
    try:
        response = await peers.client(settings.registry_url).get(
            path, headers=peers.auth_headers(scopes)
        )
    except httpx.HTTPError as exc:
        log.warning("registry unreachable: %s", type(exc).__name__)
        raise RegistryUnavailable(
            "The registry cannot be reached to confirm the person; nothing was saved. "
            "Try again shortly.",
            headers=RETRY_LATER,
        ) from exc
    if response.status_code == 404:
        raise InvalidInput(field, "no person with this id is registered")
    if response.status_code != 200:
        log.warning("registry answered %s to a person lookup", response.status_code)
        raise RegistryUnavailable(
            f"The registry answered {response.status_code} when asked about the person; "
            "nothing was saved. Try again shortly.",
            headers=RETRY_LATER,
        )
    try:
        return model.model_validate(response.json())
    except (ValidationError, ValueError) as exc:
        raise RegistryUnavailable(
            "The registry's answer could not be read; nothing was saved.", headers=RETRY_LATER
        ) from exc
