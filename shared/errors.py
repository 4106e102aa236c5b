"""RFC 9457 problem details: every error leaves a service in this one shape."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from shared.request_context import current_request_id

log = logging.getLogger("migreg.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://migreg.example/problems/"


class ProblemError(Exception):
    """A domain error that maps to one problem+json response.

    Domain modules subclass it (``errors.py``) and set ``status`` and ``slug``;
    ``extra`` carries machine-readable members (an existing id, allowed states).
    """

    status: int = 400
    slug: str = "bad-request"
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


class NotFound(ProblemError):
    status, slug = 404, "not-found"


class Conflict(ProblemError):
    status, slug = 409, "conflict"


class Forbidden(ProblemError):
    status, slug = 403, "forbidden"


class Unauthorized(ProblemError):
    status, slug = 401, "unauthorized"


class InvalidInput(ProblemError):
    """A rule on a field that pydantic cannot check alone (a PIN that disagrees
    with the birth date, say); ``field`` names it like validation errors do."""

    status, slug = 422, "validation-error"

    def __init__(self, field: str | Sequence[str], reason: str, **kwargs: Any) -> None:
        loc = [field] if isinstance(field, str) else list(field)
        super().__init__(f"{'.'.join(loc)}: {reason}", **kwargs)
        self.extra.setdefault("errors", []).append({"field": ".".join(loc), "reason": reason})


class PreconditionRequired(ProblemError):
    status, slug = 428, "precondition-required"


class PreconditionFailed(ProblemError):
    status, slug = 412, "precondition-failed"


class PeerUnavailable(ProblemError):
    status, slug = 503, "peer-unavailable"


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        # "body"/"query"/"path"/"header" says where; the rest names the field.
        errors.append(
            {
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "in": loc[0] if loc else "",
                "reason": str(error.get("msg", "invalid")),
            }
        )
    return errors


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        extra=exc.extra,
        headers=exc.headers,
        instance=request.url.path,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem_response(
        422,
        summary or "invalid request",
        slug="validation-error",
        title="Your request is not valid",
        extra={"errors": errors},
        instance=request.url.path,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Undocumented routes (health) keep Starlette's own Allow.
        headers["Allow"] = ", ".join(_allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(exc.status_code, detail, headers=headers, instance=request.url.path)


def _allowed_methods(request: Request) -> list[str]:
    # Starlette's 405 names only the first route that matched the path (GET and
    # POST /v1/persons are two routes): list the methods of every documented
    # operation on this path (routers are nested, the OpenAPI document is flat).
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].fullmatch(request.url.path):
            methods.update(method.upper() for method in operations if method != "parameters")
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


# What a database that is down, restarting or out of connections raises: the
# driver's connection errors (wrapped by SQLAlchemy), a pool timeout, a refused socket.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    ConnectionError,
)


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", extra={"error": type(exc).__name__})
    retry_after = getattr(request.app.state.settings, "db_retry_after_seconds", 5)
    return problem_response(
        503,
        "The database is unavailable; try again shortly.",
        slug="database-unavailable",
        headers={"Retry-After": str(retry_after)},
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _on_database_unavailable)
    # Unexpected exceptions are answered by RequestContextMiddleware, inside the
    # request context, so their 500 carries the request id and no trace.
