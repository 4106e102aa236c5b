"""Settings shared by the three services.

Each service has its own environment prefix (``REGISTRY_``, ``CONSULAR_``,
``NOTIFICATIONS_``); authentication settings are common to all of them
(``MIGREG_AUTH_``) because one identity provider issues every token.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.limits import MIB, RequestLimits


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
    # Known keys are re-fetched in the background once this old.
    jwks_cache_seconds: float = Field(default=300, gt=0)
    # An unknown ``kid`` starts at most one fetch per this interval; forged kids
    # therefore cost the key server one request a minute, not one per token.
    jwks_refresh_seconds: float = Field(default=60, ge=0)
    jwks_timeout_seconds: float = Field(default=5, gt=0)
    # Clock skew tolerated for ``exp``, ``nbf`` and an ``iat`` slightly in the future.
    leeway_seconds: int = Field(default=30, ge=0)
    # The longest lifetime (``exp - iat``) accepted for people and for service tokens.
    max_person_token_seconds: int = Field(default=12 * 3600, gt=0)
    max_service_token_seconds: int = Field(default=3600, gt=0)


class ServiceSettings(BaseSettings):
    """What every service needs; subclasses set the prefix and add their own."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    # Search and statistics read here when set (a streaming replica: CloudNativePG's
    # ``-ro`` service); writes and audit appends always use ``database_url``.
    read_database_url: str | None = None
    db_pool_size: int = 10
    log_level: str = "INFO"
    # Peers, for service-to-service calls.
    registry_url: str = "http://127.0.0.1:8001"
    consular_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = 5.0
    # How this service proves itself to peers. In production it signs its own
    # short-lived RS256 tokens (at most MIGREG_AUTH_MAX_SERVICE_TOKEN_SECONDS) with
    # a private key whose public half every service trusts under ``service_key_id``
    # (in MIGREG_AUTH_PUBLIC_KEYS_PEM or the JWKS). Else a pre-issued token; else,
    # in development, one minted from the development secret.
    service_key_file: Path | None = None
    service_key_id: str | None = None
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
    # Request size limits (413 / 431); the ingress enforces the same in front.
    max_body_bytes: int = MIB
    max_body_bytes_by_path: dict[str, int] = Field(default_factory=dict)
    max_header_bytes: int = 16 * 1024
    max_single_header_bytes: int = 8 * 1024
    # A request head not complete this long after its first byte is answered 408.
    request_head_timeout_seconds: float = Field(default=10.0, gt=0)
    # Seconds a client is told to wait (Retry-After) while the database is unreachable.
    db_retry_after_seconds: int = 5
    # Person reads and searches per principal, per role ("<n>/<period>", `limits`
    # notation); a role not listed has no limit. Counted per replica (see shared/ratelimit).
    person_read_limits: dict[str, str] = Field(
        default_factory=lambda: {
            "registrar": "600/minute",
            "consular_officer": "300/minute",
            "consular_supervisor": "300/minute",
            "auditor": "300/minute",
            "admin": "300/minute",
            "service": "3000/minute",
        }
    )
    rate_limit_storage_uri: str = "async+memory://"

    def request_limits(self) -> RequestLimits:
        return RequestLimits(
            max_body_bytes=self.max_body_bytes,
            max_body_bytes_by_path=self.max_body_bytes_by_path,
            max_header_bytes=self.max_header_bytes,
            max_single_header_bytes=self.max_single_header_bytes,
            request_head_timeout_seconds=self.request_head_timeout_seconds,
        )
