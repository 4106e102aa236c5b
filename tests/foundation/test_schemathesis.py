"""Schemathesis against each running service, every built-in check, with data the
schema allows and data it refuses: no 5xx, invalid input refused with a 4xx,
and no response that breaks its own schema (problems included)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from services.consular.app import create_app as create_consular
from services.notifications.app import create_app as create_notifications
from services.registry.app import create_app as create_registry
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e  # starts the services as separate processes

# Every human role at once (with a consulate) and every service scope, so each
# operation admits the caller and its real code runs.
EVERYONE = bearer(
    "registrar",
    "consular_officer",
    "consular_supervisor",
    "analyst",
    "auditor",
    "admin",
    "service",
    consulate="RU-MOW",
    scopes=("registry:read", "registry:contacts", "notifications:send", "cases:status"),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _schema(document: dict[str, object]) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(document)
    # Undeclared query parameters are ignored, as OpenAPI allows, so they are not
    # sent as "invalid" data; every declared parameter and body is still mutated.
    # Every call sends the EVERYONE token, which replaces any Authorization header
    # generated from the security scheme: a "missing" or malformed one never reaches
    # the server, yet counted as the invalid part of a negative case it made an
    # accepted wire-valid request (`?subject=false`, a one-item array for a string)
    # look like invalid input accepted. So none is generated; the `ignored_auth`
    # check still sends each operation without a token and with a bad one.
    schema.config.generation.update(
        modes=list(GenerationMode), allow_extra_parameters=False, with_security_parameters=False
    )
    # Schema-valid input may still be refused, naming why: a 422 for a phone number
    # no operator issues, a time zone IANA does not know, a person id nobody
    # registered or a cursor this service did not issue; a 412/428 for an ETag
    # that is not the record's. JSON Schema cannot say those.
    checks = schema.config.checks
    checks.positive_data_acceptance.expected_statuses = [
        "2xx",
        "3xx",
        "401",
        "403",
        "404",
        "409",
        "412",
        "422",
        "428",
        "429",
    ]
    # A missing If-Match is 428 Precondition Required (RFC 6585), the status made for it.
    checks.missing_required_header.expected_statuses = [
        "400",
        "401",
        "403",
        "406",
        "415",
        "422",
        "428",
    ]
    return schema


registry_schema = _schema(create_registry().openapi())
consular_schema = _schema(create_consular().openapi())
notifications_schema = _schema(create_notifications().openapi())


@registry_schema.parametrize()
@FUZZ
def test_registry_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["registry"], headers=EVERYONE)


@consular_schema.parametrize()
@FUZZ
def test_consular_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["consular"], headers=EVERYONE)


@notifications_schema.parametrize()
@FUZZ
def test_notifications_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["notifications"], headers=EVERYONE)
