"""Schemathesis against each running service: no 5xx for any input the schema
allows (or nearly allows), and no response that breaks its own schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

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
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

registry_schema = schemathesis.openapi.from_dict(create_registry().openapi())
consular_schema = schemathesis.openapi.from_dict(create_consular().openapi())
notifications_schema = schemathesis.openapi.from_dict(create_notifications().openapi())


@registry_schema.parametrize()
@FUZZ
def test_registry_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["registry"], headers=EVERYONE, checks=CHECKS)


@consular_schema.parametrize()
@FUZZ
def test_consular_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["consular"], headers=EVERYONE, checks=CHECKS)


@notifications_schema.parametrize()
@FUZZ
def test_notifications_api(case: schemathesis.Case, live: LiveSystem) -> None:
    case.call_and_validate(base_url=live.urls["notifications"], headers=EVERYONE, checks=CHECKS)
