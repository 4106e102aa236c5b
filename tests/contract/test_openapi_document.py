"""The OpenAPI documents a client author generates code from: every error answer
is a typed problem, names are ones a person would type, and what the server insists
on is declared."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from services.consular.app import create_app as create_consular
from services.notifications.app import create_app as create_notifications
from services.registry.app import create_app as create_registry

FACTORIES: dict[str, Callable[[], FastAPI]] = {
    "registry": create_registry,
    "consular": create_consular,
    "notifications": create_notifications,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    return FACTORIES[request.param]().openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_error_answer_is_a_problem_with_its_schema(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}
                assert response["description"], (method, path, status)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    field_error = document["components"]["schemas"]["FieldError"]
    assert set(field_error["properties"]) == {"field", "in", "reason"}
    # FastAPI's own 422 body never appears: the Problem replaces it.
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_v1_operations_declare_auth_and_validation_problems(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if path.startswith("/v1/"):
            assert {"401", "403", "422"} <= set(operation["responses"]), (method, path)
            assert "**Who may call:**" in operation["description"], (method, path)
            assert operation.get("summary"), (method, path)


def test_routes_document_the_domain_errors_they_raise() -> None:
    registry = create_registry().openapi()["paths"]
    register = registry["/v1/persons"]["post"]["responses"]
    assert "pin-already-registered" in register["409"]["description"]
    assert "idempotency-key-reused" in register["422"]["description"]
    update = registry["/v1/persons/{person_id}"]["patch"]["responses"]
    assert {"404", "409", "412", "428"} <= set(update)
    consular = create_consular().openapi()["paths"]
    transition = consular["/v1/cases/{case_id}/transitions"]["post"]
    assert "transition-not-allowed" in transition["responses"]["409"]["description"]
    assert "`in_progress` → `awaiting_information`" in transition["description"]


def test_rate_limited_reads_declare_the_429_and_others_do_not() -> None:
    # Person reads count against the caller's limit (settings.person_read_limits):
    # past it they answer 429, so a generated client must know that answer.
    registry = create_registry().openapi()["paths"]
    limited = [
        ("/v1/persons", "get"),
        ("/v1/persons/{person_id}", "get"),
        ("/v1/persons/{person_id}/movements", "get"),
        ("/v1/persons/{person_id}/family-members/{member_id}", "get"),
        ("/v1/at-risk-children", "get"),
    ]
    for path, method in limited:
        too_many = registry[path][method]["responses"].get("429")
        assert too_many is not None, (method, path)
        assert "rate-limited" in too_many["description"]
        assert too_many["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}
    assert "429" not in registry["/v1/persons"]["post"]["responses"]
    assert "429" not in registry["/v1/statistics/stock"]["get"]["responses"]


def test_operation_ids_are_unique_and_typable(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)+", i) for i in ids), ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_operation_ids_name_resource_and_action() -> None:
    registry = create_registry().openapi()["paths"]
    assert registry["/v1/persons"]["post"]["operationId"] == "persons-register"
    consular = create_consular().openapi()["paths"]
    assert consular["/v1/cases/{case_id}/transitions"]["post"]["operationId"] == (
        "cases-transition"
    )


def test_if_match_is_required_on_every_update_and_transition(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if "If-Match" in headers and method in {"patch", "post"}:
            assert headers["If-Match"]["required"] is True, (method, path)
            assert headers["If-Match"]["schema"]["type"] == "string"
        if method == "patch":
            assert "If-Match" in headers, path


def test_enums_are_named_once(document: dict[str, Any]) -> None:
    inline: Counter[tuple[str, ...]] = Counter()

    def walk(node: Any, top: bool) -> None:
        if isinstance(node, dict):
            if "enum" in node and not top:
                inline[tuple(node["enum"])] += 1
            for value in node.values():
                walk(value, False)
        elif isinstance(node, list):
            for value in node:
                walk(value, False)

    for schema in document["components"]["schemas"].values():
        walk(schema, True)
    walk(document["paths"], False)
    assert [values for values, n in inline.items() if n > 1] == []


def test_registry_pin_sex_and_breakdowns_are_typed() -> None:
    document = create_registry().openapi()
    schemas = document["components"]["schemas"]
    for body in ("PersonCreate", "PersonUpdate", "FamilyMemberCreate"):
        assert schemas[body]["properties"]["pin"]["pattern"] == "^[0-9]{14}$"
    assert schemas["PersonCreate"]["properties"]["sex"] == {"$ref": "#/components/schemas/Sex"}
    assert schemas["PersonOut"]["properties"]["sex"] == {"$ref": "#/components/schemas/Sex"}
    assert schemas["Sex"]["enum"] == ["F", "M"]
    for path in ("/v1/statistics/stock", "/v1/statistics/flows"):
        (by,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "by"]
        assert by["schema"]["items"] == {"$ref": "#/components/schemas/ByKey"}
        assert by["schema"]["uniqueItems"] is True
    consular = create_consular().openapi()
    (by,) = [
        p
        for p in consular["paths"]["/v1/case-statistics"]["get"]["parameters"]
        if p["name"] == "by"
    ]
    assert by["schema"]["items"] == {"$ref": "#/components/schemas/Dimension"}
