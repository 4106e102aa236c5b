"""Consular settings (environment prefix ``CONSULAR_``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.consular.cases.workflow import Priority
from shared.settings import ServiceSettings


class ConsularSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSULAR_", extra="ignore")

    statistics_suppression_threshold: int = Field(default=5, ge=1)
    # SLA budgets per priority, in hours (CONSULAR_SLA_HOURS_CRITICAL=12, ...). A case keeps
    # the budget it was opened with, so changing these never moves an existing deadline.
    sla_hours_critical: float = Field(default=24, gt=0)
    sla_hours_high: float = Field(default=72, gt=0)
    sla_hours_normal: float = Field(default=240, gt=0)
    sla_hours_low: float = Field(default=720, gt=0)

    # Family SMS: the language for a contact who has none recorded; how often (backing
    # off to the maximum) an SMS's status is checked until final; how long a "sent"
    # SMS is followed for its delivery report.
    family_sms_language: Literal["ky", "ru", "en"] = "ky"
    family_sms_check_seconds: float = Field(default=5, gt=0)
    family_sms_check_max_seconds: float = Field(default=300, gt=0)
    family_sms_delivery_wait_seconds: float = Field(default=3600, ge=0)

    def sla_budget(self, priority: Priority) -> timedelta:
        hours = {
            Priority.critical: self.sla_hours_critical,
            Priority.high: self.sla_hours_high,
            Priority.normal: self.sla_hours_normal,
            Priority.low: self.sla_hours_low,
        }[priority]
        return timedelta(hours=hours)
