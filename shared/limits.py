"""Request size limits, enforced before anything parses the request.

A body is refused with 413 as soon as it is known to be too large: at once
from ``Content-Length``, or while it streams in (chunked bodies carry no
length) by counting the bytes the app receives. Headers over the configured
total or single-header size are refused with 431. The server itself bounds
the request head and answers 408 to one not complete in time (shared/http_head.py).
The ingress must enforce the same limits in front (see README "Limits"); these
are the last line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response
from shared.http_head import bounded_httptools

MIB = 1024 * 1024


@dataclass(frozen=True)
class RequestLimits:
    max_body_bytes: int = MIB
    # Larger bodies for some routes (a bulk import, say): path prefix -> bytes.
    max_body_bytes_by_path: Mapping[str, int] = field(default_factory=dict)
    max_header_bytes: int = 16 * 1024
    max_single_header_bytes: int = 8 * 1024
    request_head_timeout_seconds: float = 10.0

    def body_limit(self, path: str) -> int:
        matches = [p for p in self.max_body_bytes_by_path if path.startswith(p)]
        return (
            self.max_body_bytes_by_path[max(matches, key=len)] if matches else self.max_body_bytes
        )

    def uvicorn_options(self) -> dict[str, Any]:
        """The server's own guard on the request head (see shared/http_head.py): a
        size bound well above the app's 431, so clients normally see that, and the
        deadline for a complete head."""
        return {
            "http": bounded_httptools(4 * self.max_header_bytes, self.request_head_timeout_seconds)
        }


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so FastAPI's body
    reading lets it through (it turns other errors there into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit), headers={"Connection": "close"})


class RequestLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        if self._headers_too_large(headers):
            await _problem(431, "The request headers are too large.", scope, receive, send)
            return
        limit = self.limits.body_limit(scope["path"])
        declared = _content_length(headers)
        if declared is not None and declared > limit:
            # Refused before a byte of the body is read.
            await _problem(413, _too_large(limit), scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    def _headers_too_large(self, headers: list[tuple[bytes, bytes]]) -> bool:
        sizes = [len(name) + len(value) for name, value in headers]
        return sum(sizes) > self.limits.max_header_bytes or any(
            size > self.limits.max_single_header_bytes for size in sizes
        )

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _problem(413, _too_large(limit), scope, receive, send)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: int) -> str:
    return f"The request body is larger than this endpoint accepts ({limit} bytes)."


async def _problem(status: int, detail: str, scope: Scope, receive: Receive, send: Send) -> None:
    # Connection: close, so the server does not read (and the client stops sending)
    # the rest of a body we refused.
    response = problem_response(status, detail, headers={"Connection": "close"})
    await response(scope, receive, send)
