"""What every registry router shares: the running app's settings as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registry.settings import RegistrySettings


async def _app_settings(request: Request) -> RegistrySettings:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a
    # thread hand-off on every request for a dictionary lookup.
    settings: RegistrySettings = request.app.state.settings
    return settings


# The settings the app was created with (tests pass their own).
AppSettings = Annotated[RegistrySettings, Depends(_app_settings)]
