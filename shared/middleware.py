"""Request id, access log and request metrics, as one plain ASGI middleware."""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import VALIDATION_TITLE, InvalidInput, problem_response
from shared.request_context import bind_request_id, reset_request_id

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("migreg.access")
NUL_REASON = "must not contain NUL characters"

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, service: str, *, refuse_nul: bool = True) -> None:
        self.app = app
        self.service = service
        # False: the app answers a NUL itself (the console, with a page in the user's language).
        self.refuse_nul = refuse_nul

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or str(uuid.uuid4())
        token = bind_request_id(request_id)
        started = time.perf_counter()
        status = 500
        status_sent = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            if self.refuse_nul and has_nul(scope):
                await _refuse_nul(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        except Exception:
            # Inside the request context, so the 500 carries and logs the request id.
            log.exception("unhandled error", extra={"route": _template(scope)})
            if status_sent:
                raise
            await send_problem_500(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            reset_request_id(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        template = _template(scope)
        method = scope["method"]
        REQUESTS.labels(self.service, method, template, str(status)).inc()
        LATENCY.labels(self.service, method, template).observe(elapsed)
        log.info(
            "request",
            extra={
                "method": method,
                "route": template,
                "status": status,
                "ms": round(elapsed * 1000, 1),
            },
        )


def _template(scope: Scope) -> str:
    # The route template, never the concrete path: paths may carry ids or phones.
    return str(getattr(scope.get("route"), "path", "unmatched"))


async def send_problem_500(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(500, "An unexpected error occurred; it has been logged.")
    await response(scope, receive, send)


def has_nul(scope: Scope) -> bool:
    # PostgreSQL text cannot hold NUL: refuse it in a path or query once, here.
    return b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]


async def _refuse_nul(scope: Scope, receive: Receive, send: Send) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" in query:
        # Name each parameter that carries it, as any other invalid parameter is named.
        pairs = parse_qsl(query, keep_blank_values=True)
        names = [name or "query" for name, value in pairs if "\x00" in name + value] or ["query"]
        errors = [{"field": name, "in": "query", "reason": NUL_REASON} for name in names]
        instance = scope["path"]
    else:
        errors = [{"field": "path", "in": "path", "reason": NUL_REASON}]
        instance = None
    response = problem_response(
        422,
        "; ".join(f"{e['field']}: {NUL_REASON}" for e in errors),
        slug=InvalidInput.slug,
        title=VALIDATION_TITLE,
        extra={"errors": errors},
        instance=instance,
    )
    await response(scope, receive, send)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _VALID_ID.match(candidate) else None
    return None
