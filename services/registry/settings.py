"""Registry settings (environment prefix ``REGISTRY_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    # The configured country: Kyrgyz defaults ship.
    country_code: str = "KG"
    default_phone_region: str = "KG"
    time_zone: str = "Asia/Bishkek"
    statistics_suppression_threshold: int = 5
