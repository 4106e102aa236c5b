"""Registry settings (environment prefix ``REGISTRY_``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    # The configured country: Kyrgyz defaults ship.
    country_code: str = "KG"
    default_phone_region: str = "KG"
    time_zone: str = "Asia/Bishkek"
    statistics_suppression_threshold: int = 5

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Refuse an unknown zone at start-up, not on every request.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
