"""The OpenAPI document clients are generated from: operation ids a person would
type, the problem+json schema every error answer refers to, and the headers the
server insists on declared required."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from shared.errors import InvalidInput, Problem, problems
from shared.ratelimit import RateLimited

T = TypeVar("T")

# Declared optional in the signature so a missing one is the documented 428, not
# FastAPI's 422: every update and transition that takes it refuses to work
# without it. A PUT creates what does not exist yet, so there it stays optional.
REQUIRED_HEADERS = frozenset({"If-Match"})
OPTIONAL_ON = frozenset({"put"})
WHO = "**Who may call:**"


def operation_id(route: APIRoute) -> str:
    """``persons-register`` for ``register_person`` tagged ``persons``: the tag,
    then the function's name less the words that repeat the tag."""
    tag = str(route.tags[0]).replace(" ", "-") if route.tags else "service"
    repeats = {tag, _singular(tag)}
    words = [word for word in route.name.split("_") if word not in repeats]
    return "-".join([tag, *(words or [route.name])])


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word.removesuffix("s")


def install_openapi(app: FastAPI) -> None:
    """Shape the generated document once, when it is first asked for."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _shape(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _shape(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method in OPTIONAL_ON:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter["name"] in REQUIRED_HEADERS:
                    parameter["required"] = True
                    parameter["schema"] = _not_null(parameter["schema"])
    return document


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``str | None`` is an ``anyOf`` with null; a required header is a plain string."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**options[0], **rest}


class NamedEnum:
    """``Annotated[Literal[...], NamedEnum("Sex", "...")]``: the literal becomes one
    named schema in ``components`` that every field using it refers to, so a
    generated client has one ``Sex`` rather than ``PersonCreateSex`` and
    ``PersonOutSex``. Values stay plain strings in Python."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = dict(handler(source))
        schema["ref"] = self.name
        return cast(core_schema.CoreSchema, schema)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        reference = handler(schema)
        handler.resolve_ref_schema(reference).update(title=self.name, description=self.description)
        return reference


def split_commas(value: Any) -> Any:
    """A list query parameter also taken comma-separated: ``by=sex,region`` reads
    as ``by=sex&by=region`` (the form OpenAPI describes and clients send). An empty
    part (``by=``, ``by=sex,``) stays, for the item's own check to refuse: it is
    none of the values the schema lists, and no part is dropped unread."""
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",")]
    return value


def once_each(values: Sequence[T], name: str) -> list[T]:
    """A repeatable query parameter's values, in order; one given twice is a 422 on
    ``name`` (the schema says ``uniqueItems``, so a repeat is a client's mistake)."""
    seen: list[T] = []
    for value in values:
        if value in seen:
            raise InvalidInput(("query", name), f"{value!r} is given twice")
        seen.append(value)
    return seen


def describe_callers(router: APIRouter) -> None:
    """Append to each operation's description who may call it, read from the
    ``require(...)`` among its dependencies, and declare the 429 its
    ``rate_limited(...)`` answers (call before including ``router``)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            # Routers are module globals and every app built (tests build many) passes here.
            if WHO not in route.description:
                route.description = f"{route.description}\n\n{who_may_call(route)}".strip()
            if any(hasattr(call, "rate_limit_bucket") for call in _dependency_calls(route)):
                # A new dict: a route's ``responses`` may be shared with other routes.
                route.responses = {**route.responses, **problems(RateLimited)}
        elif isinstance(included := getattr(route, "original_router", None), APIRouter):
            describe_callers(included)


def who_may_call(route: APIRoute) -> str:
    for call in _dependency_calls(route):
        admits = getattr(call, "admits", None)
        if admits is not None:
            roles, scopes = admits
            parts = [", ".join(str(role) for role in roles)] if roles else []
            if scopes:
                parts.append("services with scope " + " or ".join(scopes))
            return WHO + " " + "; ".join(parts) + "."
    return WHO + " any caller with a valid token."


def _dependency_calls(route: APIRoute) -> Iterator[Any]:
    """Every dependency ``route`` runs, nested ones included."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        yield dependency.call
        pending.extend(dependency.dependencies)
