"""Clients for calling peer services: timeouts, request id, service token."""

from __future__ import annotations

import httpx

from shared.auth.principal import Role
from shared.auth.tokens import issue_token
from shared.request_context import current_request_id
from shared.settings import ServiceSettings


def service_token(settings: ServiceSettings, subject: str, scopes: tuple[str, ...]) -> str:
    """The token this service presents to peers: configured, or minted in development."""
    if settings.service_token:
        return settings.service_token
    return issue_token(
        settings.auth,
        subject=f"service:{subject}",
        roles=[Role.service],
        scopes=scopes,
        ttl_seconds=3600,
    )


async def _propagate_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and "x-request-id" not in request.headers:
        request.headers["x-request-id"] = request_id


def peer_client(
    base_url: str,
    settings: ServiceSettings,
    *,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx.Timeout(settings.peer_timeout_seconds, connect=2.0)
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=timeout,
        transport=transport,
        event_hooks={"request": [_propagate_request_id]},
    )
