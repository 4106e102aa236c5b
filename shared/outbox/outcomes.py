"""What a handler answers for one outbox row, and the peer calls most handlers make."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from shared.http import Peers

# Runs in the transaction that marks the row delivered: local writes that must
# happen exactly once with it (the next rows of a flow, a timeline entry).
Finish = Callable[[AsyncSession], Awaitable[None]]


@dataclass(frozen=True)
class Entry:
    """One claimed row, as its handler sees it."""

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    subject: str | None
    attempts: int
    request_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Delivered:
    finish: Finish | None = None


class Retry(Exception):
    """The peer is down or answered 5xx: try again after a backoff."""


class Later(Exception):
    """Not a failure, just not done yet (an SMS still on its way): look again in ``seconds``."""

    def __init__(self, reason: str, seconds: float, finish: Finish | None = None) -> None:
        super().__init__(reason)
        self.seconds, self.finish = seconds, finish


class Poisoned(Exception):
    """The peer refused the row (a 4xx): retrying cannot help. Kept, with the problem."""

    def __init__(
        self, reason: str, problem: dict[str, Any] | None = None, finish: Finish | None = None
    ) -> None:
        super().__init__(reason)
        self.problem, self.finish = problem or {}, finish

    def with_finish(self, finish: Finish) -> Poisoned:
        """The same refusal, and what the service records about it locally."""
        return Poisoned(str(self), self.problem, finish)


Handler = Callable[[Entry, Peers], Awaitable[Delivered]]

# Answers that may succeed on a later try: timeouts, "too early", throttling.
_RETRYABLE_4XX = frozenset({408, 425, 429})


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"status": response.status_code, "detail": response.text[:500]}
    return body if isinstance(body, dict) else {"status": response.status_code, "body": body}


async def call_peer(
    peers: Peers,
    method: str,
    base_url: str,
    path: str,
    *,
    scopes: tuple[str, ...],
    idempotency_key: uuid.UUID | None = None,
    json: Any = None,
    params: dict[str, str] | None = None,
) -> httpx.Response | None:
    """The peer's 2xx answer; None for a 404 on a read. Raises Retry or Poisoned."""
    headers = peers.auth_headers(scopes)
    if idempotency_key is not None:
        headers["Idempotency-Key"] = str(idempotency_key)
    try:
        response = await peers.client(base_url).request(
            method, path, json=json, params=params, headers=headers
        )
    except httpx.HTTPError as exc:
        raise Retry(f"{base_url} unreachable: {type(exc).__name__}") from exc
    if response.is_success:
        return response
    if response.status_code == 404 and method == "GET":
        return None
    if response.status_code >= 500 or response.status_code in _RETRYABLE_4XX:
        raise Retry(f"{method} {path.split('?')[0]} answered {response.status_code}")
    raise Poisoned(
        f"{method} {path.split('?')[0]} refused with {response.status_code}", _problem(response)
    )
