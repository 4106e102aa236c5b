"""Settings shared by the three services.

Each service has its own environment prefix (``REGISTRY_``, ``CONSULAR_``,
``NOTIFICATIONS_``); authentication settings are common to all of them
(``MIGREG_AUTH_``) because one identity provider issues every token.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    """How tokens are verified (and, in development, issued)."""

    model_config = SettingsConfigDict(env_prefix="MIGREG_AUTH_", extra="ignore")

    issuer: str = "migreg"
    audience: str = "migrant-registry"
    # HS256 is accepted only when this development secret is set.
    dev_secret: str | None = None
    # RS256 in production: a JWKS URL, or PEM public keys keyed by ``kid``.
    jwks_url: str | None = None
    public_keys_pem: dict[str, str] = Field(default_factory=dict)
    jwks_cache_seconds: int = 300
    leeway_seconds: int = 30


class ServiceSettings(BaseSettings):
    """What every service needs; subclasses set the prefix and add their own."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    db_pool_size: int = 10
    log_level: str = "INFO"
    # Peers, for service-to-service calls.
    registry_url: str = "http://127.0.0.1:8001"
    consular_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = 5.0
    # A pre-issued service token; without one, the service mints its own
    # from the development secret (local runs only).
    service_token: str | None = None
    # The outbox relay (shared/outbox), a background task of the service process.
    outbox_relay: bool = True
    outbox_poll_seconds: float = Field(1.0, gt=0)
    outbox_batch_size: int = Field(20, ge=1, le=500)
    # A claimed row is leased this long; a handler may take half of it.
    outbox_lease_seconds: float = Field(60.0, gt=0)
    outbox_retry_base_seconds: float = Field(1.0, gt=0)
    outbox_retry_max_seconds: float = Field(300.0, gt=0)
    auth: AuthSettings = Field(default_factory=AuthSettings)
