"""Clients for calling peer services: timeouts, request id, service token."""

from __future__ import annotations

import time

import httpx

from shared.auth.principal import Role
from shared.auth.tokens import issue_token
from shared.request_context import current_request_id
from shared.settings import ServiceSettings

TOKEN_TTL_SECONDS = 3600
# A cached token is replaced this long before it expires (clock skew, slow calls).
TOKEN_MARGIN_SECONDS = 300


def service_token(settings: ServiceSettings, subject: str, scopes: tuple[str, ...]) -> str:
    """The token this service presents to peers: signed with its own key, a
    configured one, or (development) minted from the development secret."""
    private_key = None
    if settings.service_key_file is not None:
        private_key = settings.service_key_file.read_text()
    elif settings.service_token:
        return settings.service_token
    return issue_token(
        settings.auth,
        subject=f"service:{subject}",
        roles=[Role.service],
        scopes=scopes,
        ttl_seconds=min(TOKEN_TTL_SECONDS, settings.auth.max_service_token_seconds),
        private_key_pem=private_key,
        kid=settings.service_key_id,
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


class Peers:
    """The app's clients for its peers: one pooled ``httpx.AsyncClient`` per peer
    for the life of the app (built on first use, closed at shutdown), and its
    service tokens cached until shortly before they expire.

    A client per call cost a TLS context and a token signature (~21 ms CPU) plus
    a new connection every time; a pooled client keeps connections alive.
    """

    def __init__(
        self,
        settings: ServiceSettings,
        subject: str,
        *,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.settings = settings
        self.subject = subject
        # Tests route a peer's base URL to an in-process app (httpx.ASGITransport).
        self.transports = dict(transports or {})
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._tokens: dict[tuple[str, ...], tuple[str, float]] = {}
        self._retired: list[httpx.AsyncClient] = []  # re-routed clients, closed at shutdown

    def client(self, base_url: str) -> httpx.AsyncClient:
        client = self._clients.get(base_url)
        if client is None or client.is_closed:
            client = peer_client(base_url, self.settings, transport=self.transports.get(base_url))
            self._clients[base_url] = client
        return client

    def route(self, base_url: str, transport: httpx.AsyncBaseTransport | None) -> None:
        """Send ``base_url``'s calls through ``transport`` (None: the network again)."""
        old = self._clients.pop(base_url, None)
        if old is not None:
            self._retired.append(old)
        if transport is None:
            self.transports.pop(base_url, None)
        else:
            self.transports[base_url] = transport

    def auth_headers(self, scopes: tuple[str, ...]) -> dict[str, str]:
        token, expires = self._tokens.get(scopes, ("", 0.0))
        if time.monotonic() >= expires:
            token = service_token(self.settings, self.subject, scopes)
            expires = time.monotonic() + TOKEN_TTL_SECONDS - TOKEN_MARGIN_SECONDS
            self._tokens[scopes] = (token, expires)
        return {"Authorization": f"Bearer {token}"}

    async def aclose(self) -> None:
        clients, self._clients = [*self._clients.values(), *self._retired], {}
        self._retired = []
        for client in clients:
            await client.aclose()
