"""Consular settings (environment prefix ``CONSULAR_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ConsularSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSULAR_", extra="ignore")

    statistics_suppression_threshold: int = 5
