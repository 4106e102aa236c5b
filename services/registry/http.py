"""What every registry router shares: problem+json response declarations and
the running app's settings as a dependency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.registry.settings import RegistrySettings

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
Responses = dict[int | str, dict[str, Any]]


def problem(status: int, description: str) -> Responses:
    """One OpenAPI ``responses`` entry for an error answered as problem+json."""
    return {status: {"description": description, **PROBLEM}}


def not_found(what: str = "person") -> Responses:
    return problem(404, f"No such {what}")


def _app_settings(request: Request) -> RegistrySettings:
    settings: RegistrySettings = request.app.state.settings
    return settings


# The settings the app was created with (tests pass their own).
AppSettings = Annotated[RegistrySettings, Depends(_app_settings)]
