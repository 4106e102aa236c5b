"""Notifications settings (environment prefix ``NOTIFICATIONS_``)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Accepted only in development (MIGREG_AUTH_DEV_SECRET set): see create_app.
DEV_CALLBACK_SECRET = "dev-callback-secret"  # noqa: S105 - development default only


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    provider: Literal["console", "http"] = "console"
    callback_secret: str = DEV_CALLBACK_SECRET
    default_phone_region: str = "KG"
    default_language: Literal["ky", "ru", "en"] = "ky"

    # Care rules. Quiet hours are local to the recipient; start == end disables them.
    quiet_hours_start: int = Field(21, ge=0, le=23)
    quiet_hours_end: int = Field(8, ge=0, le=23)
    daily_cap: int = Field(5, ge=1)
    default_time_zone: str = "Asia/Bishkek"
    # A number whose country spans several zones (phonenumbers gives them all)
    # uses its country's zone here, else the first one listed.
    country_time_zones: dict[str, str] = Field(
        default_factory=lambda: {
            "RU": "Europe/Moscow",
            "KZ": "Asia/Almaty",
            "US": "America/Chicago",
        }
    )
    # Every segment is paid for: a text that renders longer is refused (422).
    max_segments: int = Field(6, ge=1, le=255)
    message_ttl_seconds: int = Field(48 * 3600, ge=60)

    # Worker.
    poll_interval_seconds: float = Field(1.0, gt=0)
    batch_size: int = Field(20, ge=1, le=500)
    # Messages of a batch in flight at once; each holds a database connection
    # only while deciding and recording, never while the provider is called.
    send_concurrency: int = Field(8, ge=1, le=100)
    # A claimed batch is leased to one worker; the lease is renewed when the
    # care rules let a message go, and must outlast every send of the batch
    # (checked below), else another worker re-claims and resends it.
    lease_seconds: float = Field(60.0, gt=0)
    # The whole of one provider call (httpx's timeout is per phase: connect,
    # write, read, pool, so one call could otherwise take several times it).
    send_timeout_seconds: float = Field(8.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    retry_base_seconds: float = Field(10.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    inbound_retry_seconds: float = Field(30.0, gt=0)
    # A reply skips quiet hours and the daily cap only while the family is
    # still waiting for it; a later one (a peer was down) waits like any SMS.
    inbound_urgent_seconds: float = Field(15 * 60, ge=0)
    # A question not answerable after this many tries or this long is given
    # up (status "failed", the reason kept, no reply sent).
    inbound_max_attempts: int = Field(8, ge=1)
    inbound_give_up_seconds: float = Field(24 * 3600, gt=0)
    metrics_refresh_seconds: float = Field(5.0, ge=0)

    # Generic JSON SMS gateway (provider "http").
    http_gateway_url: str = "http://127.0.0.1:9090/sms"
    http_username: str | None = None
    http_password: str | None = None
    http_bearer_token: str | None = None
    http_timeout_seconds: float = Field(5.0, gt=0)
    http_sender: str = "MIGREG"
    # Our name -> the gateway's JSON field name.
    http_field_map: dict[str, str] = Field(
        default_factory=lambda: {
            "to": "to",
            "text": "text",
            "reference": "client_reference",
            "sender": "from",
            "encoding": "coding",
        }
    )
    http_response_id_field: str = "message_id"

    @model_validator(mode="after")
    def _lease_outlasts_a_batch(self) -> NotificationsSettings:
        waves = math.ceil(self.batch_size / self.send_concurrency)
        needed = waves * self.send_timeout_seconds * 2
        if self.lease_seconds <= needed:
            raise ValueError(
                f"lease_seconds ({self.lease_seconds:g}) must exceed {needed:g}: a batch of "
                f"{self.batch_size} sent {self.send_concurrency} at a time takes up to {waves} "
                f"sends of send_timeout_seconds ({self.send_timeout_seconds:g}) each, "
                "with a margin of two"
            )
        return self
