"""Which body limit a path gets, and what counts as oversized headers."""

from __future__ import annotations

from shared.http_head import BoundedHttpToolsProtocol
from shared.limits import MIB, RequestLimits

LIMITS = RequestLimits(
    max_body_bytes=MIB,
    max_body_bytes_by_path={"/v1/imports": 50 * MIB, "/v1/imports/small": 2 * MIB},
)


def test_an_import_route_may_take_a_larger_body_than_the_default() -> None:
    assert LIMITS.body_limit("/v1/persons") == MIB
    assert LIMITS.body_limit("/v1/imports/abc") == 50 * MIB
    assert LIMITS.body_limit("/v1/imports/small/1") == 2 * MIB  # the longest prefix wins


def test_the_server_bound_on_the_request_head_is_above_the_apps_431() -> None:
    options = LIMITS.uvicorn_options()
    assert issubclass(options["http"], BoundedHttpToolsProtocol)
    assert options["http"].head_limit > LIMITS.max_header_bytes
