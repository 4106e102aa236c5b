"""Notifications settings (environment prefix ``NOTIFICATIONS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    provider: str = "console"
    callback_secret: str = "dev-callback-secret"  # noqa: S105 - development default only
    default_phone_region: str = "KG"
