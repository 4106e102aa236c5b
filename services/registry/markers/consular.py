"""The consular service as seen from the registry: does this consulate have an
open case for this person? (An officer may read markers only then.)

Calls ``GET /v1/persons/{id}/open-cases?consulate=`` on consular with a
``cases:open-for-person`` service token. Any failure is a 503: the registry
cannot decide, and it never guesses in the reader's favour. Tests may inject a
transport via ``app.state.consular_transport``.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from starlette.datastructures import State

from services.registry.settings import RegistrySettings
from shared.errors import PeerUnavailable
from shared.http import peer_client, service_token

log = logging.getLogger(__name__)

OPEN_CASE_SCOPE = "cases:open-for-person"


async def has_open_case(state: State, consulate: str, person_id: uuid.UUID) -> bool:
    settings: RegistrySettings = state.settings
    transport: httpx.AsyncBaseTransport | None = getattr(state, "consular_transport", None)
    token = service_token(settings, "registry", (OPEN_CASE_SCOPE,))
    try:
        async with peer_client(
            settings.consular_url, settings, token=token, transport=transport
        ) as client:
            response = await client.get(
                f"/v1/persons/{person_id}/open-cases", params={"consulate": consulate}
            )
        response.raise_for_status()
        return bool(response.json()["open"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning("consular could not say whether a case is open: %s", type(exc).__name__)
        raise PeerUnavailable(
            "The consular service cannot confirm your open case right now. Try again shortly.",
            headers={"Retry-After": "5"},
        ) from exc
