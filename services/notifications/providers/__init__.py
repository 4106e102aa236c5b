"""SMS providers behind one small interface (``base.Provider``)."""

from __future__ import annotations

from services.notifications.providers.base import Provider
from services.notifications.settings import NotificationsSettings


def make_provider(settings: NotificationsSettings) -> Provider:
    if settings.provider == "http":
        from services.notifications.providers.http import HttpGatewayProvider

        return HttpGatewayProvider(settings)
    from services.notifications.providers.console import ConsoleProvider

    return ConsoleProvider()
