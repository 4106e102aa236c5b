"""RFC 9457 problem details: every error leaves a service in this one shape."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
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
    The first line of a subclass's docstring is its OpenAPI description (see
    ``problems``), so a route's documented answers come from what it raises.
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


class BadRequest(ProblemError):
    """The body could not be read: not UTF-8 JSON."""

    status, slug = 400, "bad-request"


class NotFound(ProblemError):
    """No such resource, or not one this caller may see."""

    status, slug = 404, "not-found"


class Conflict(ProblemError):
    """The request conflicts with the resource's current state."""

    status, slug = 409, "conflict"


class Forbidden(ProblemError):
    """The caller's roles or scopes do not allow this."""

    status, slug = 403, "forbidden"


class Unauthorized(ProblemError):
    """No valid bearer token."""

    status, slug = 401, "unauthorized"


_LOCATIONS = ("body", "query", "path", "header")
VALIDATION_TITLE = "Your request is not valid"


class InvalidInput(ProblemError):
    """Invalid input: `errors` names each field and why.

    Raised for a rule on a field that pydantic cannot check alone (a PIN that
    disagrees with the birth date, say); ``field`` names it like validation
    errors do, and a leading "query"/"path"/"header" says where it was sent."""

    status, slug = 422, "validation-error"
    # The same title as a request pydantic refused: one type, one title (RFC 9457).
    title = VALIDATION_TITLE

    def __init__(self, field: str | Sequence[str], reason: str, **kwargs: Any) -> None:
        loc = [field] if isinstance(field, str) else list(field)
        where = "body"
        if len(loc) > 1 and loc[0] in _LOCATIONS:
            # Where it was sent goes in `in`, as pydantic names it: `cursor`, not `query.cursor`.
            where, loc = loc[0], loc[1:]
        name = ".".join(loc)
        super().__init__(f"{name}: {reason}", **kwargs)
        self.extra.setdefault("errors", []).append({"field": name, "in": where, "reason": reason})


class PreconditionRequired(ProblemError):
    """`If-Match` is missing: send the ETag you read."""

    status, slug = 428, "precondition-required"


class PreconditionFailed(ProblemError):
    """The resource changed since you read it (`current_etag` is its ETag now)."""

    status, slug = 412, "precondition-failed"


class DatabaseUnavailable(ProblemError):
    """The database is unavailable; retry after `Retry-After` seconds."""

    status, slug = 503, "database-unavailable"


class PeerUnavailable(ProblemError):
    """Another service this one needs did not answer; nothing was saved. Retry later."""

    status, slug = 503, "peer-unavailable"


class FieldError(BaseModel):
    """One invalid field in a 422 answer."""

    model_config = ConfigDict(populate_by_name=True)

    field: str = Field(description="The field's name; nested fields are dotted (`params.pin`).")
    in_: str = Field(
        alias="in",
        description="Where the field was sent: `body`, `query`, `path` or `header`.",
    )
    reason: str = Field(description="Why the value was refused, in English.")


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every 4xx and 5xx answer
    (`Content-Type: application/problem+json`). Members after `request_id` appear
    only on the problems that carry them."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="A URI naming the kind of problem; stable, safe to branch on.",
        examples=[PROBLEM_BASE + "pin-already-registered"],
    )
    title: str = Field(description="A short human summary of the kind of problem.")
    status: int = Field(description="The HTTP status code, repeated.", ge=400, le=599)
    detail: str = Field(description="What went wrong in this request, for a person to read.")
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = Field(
        default=None, description="The request's id, as in the `X-Request-ID` header and logs."
    )
    errors: list[FieldError] | None = Field(
        default=None, description="422 only: each invalid field and why."
    )
    id: str | None = Field(
        default=None, description="409 duplicate: the id of the record that already exists."
    )
    current: str | None = Field(
        default=None, description="409 workflow: the status the resource is in now."
    )
    allowed: list[str] | None = Field(
        default=None, description="409 workflow: the statuses allowed from `current`."
    )
    current_etag: str | None = Field(
        default=None, description="412: the resource's ETag now; read it again before retrying."
    )
    person_id: str | None = Field(
        default=None, description="409 already linked: the person the case is linked to."
    )
    superseded_by: str | None = Field(
        default=None, description="409 already corrected: the movement that replaced this one."
    )
    code: str | None = Field(default=None, description="409 duplicate: the code already taken.")


def problems(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the errors a route raises: one problem+json entry
    per status, described by each error class's docstring."""
    described: dict[int, list[str]] = {}
    if any(error.status == InvalidInput.status for error in errors):
        errors = (InvalidInput, *errors)
    for error in errors:
        text = _describe(error)
        if text not in described.setdefault(error.status, []):
            described[error.status].append(text)
    return {
        status: {
            "description": " ".join(texts),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, texts in sorted(described.items())
    }


def _describe(error: type[ProblemError]) -> str:
    summary = (inspect.getdoc(error) or error.slug).split("\n\n")[0].replace("\n", " ")
    return f"{summary} (type `{error.slug}`)"


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
        reason = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            # FastAPI puts the character offset where a field would be: the body is the field.
            reason = f"{reason} at character {loc[1]}" if len(loc) > 1 else reason
            loc = loc[:1]
        # "body"/"query"/"path"/"header" says where; the rest names the field.
        errors.append(
            {
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "in": loc[0] if loc else "",
                "reason": reason,
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
        slug=InvalidInput.slug,
        title=VALIDATION_TITLE,
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
        slug=DatabaseUnavailable.slug,
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
