"""What every registry router shares: the running app's settings as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registry.settings import RegistrySettings


def _app_settings(request: Request) -> RegistrySettings:
    settings: RegistrySettings = request.app.state.settings
    return settings


# The settings the app was created with (tests pass their own).
AppSettings = Annotated[RegistrySettings, Depends(_app_settings)]
