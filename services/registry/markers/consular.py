"""The consular service as seen from the registry: does this consulate have an
open case for this person? (An officer may read markers only then.)

Calls ``GET /v1/persons/{id}/open-cases?consulate=`` on consular with a
``cases:open-for-person`` service token, through the app's pooled peer clients
(``app.state.peers``). Any failure is a 503: the registry cannot decide, and it
never guesses in the reader's favour.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from starlette.datastructures import State

from services.registry.settings import RegistrySettings
from shared.errors import PeerUnavailable
from shared.http import Peers

log = logging.getLogger(__name__)

OPEN_CASE_SCOPE = "cases:open-for-person"


async def has_open_case(state: State, consulate: str, person_id: uuid.UUID) -> bool:
    settings: RegistrySettings = state.settings
    peers: Peers = state.peers
    try:
        response = await peers.client(settings.consular_url).get(
            f"/v1/persons/{person_id}/open-cases",
            params={"consulate": consulate},
            headers=peers.auth_headers((OPEN_CASE_SCOPE,)),
        )
        response.raise_for_status()
        return bool(response.json()["open"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning("consular could not say whether a case is open: %s", type(exc).__name__)
        raise PeerUnavailable(
            "The consular service cannot confirm your open case right now. Try again shortly.",
            headers={"Retry-After": "5"},
        ) from exc
