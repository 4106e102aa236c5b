"""Console settings (``CONSOLE_`` prefix; sign-in through ``CONSOLE_OIDC_*``)."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import AuthSettings


class OidcSettings(BaseSettings):
    """The ministry's OpenID Connect provider (authorization code flow with PKCE)."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_OIDC_", extra="ignore")

    # The issuer URL; its /.well-known/openid-configuration is read at sign-in.
    issuer: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str = "openid profile"
    # Where the provider puts the user's roles and consulate (in the ID token or userinfo).
    roles_claim: str = "roles"
    consulate_claim: str = "consulate"
    name_claim: str = "name"
    # Provider role or group names to console roles, e.g. {"mfa-consul": "consular_officer"};
    # a value not listed is taken as a role name as it is.
    role_map: dict[str, str] = Field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    registry_url: str = "http://127.0.0.1:8001"
    consular_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = 10.0
    # Where users reach the console; decides whether cookies are marked Secure.
    public_url: str = "http://127.0.0.1:8000"
    # Signs the session cookie. Required unless the development secret is set.
    session_secret: str | None = None
    session_max_age_seconds: int = 8 * 3600
    # The console's own PostgreSQL database, holding the server-side session records
    # every replica shares. Unset: records are kept in the process (one replica only).
    database_url: str | None = None
    default_language: str = "ky"
    # The country of origin, whose ISO 3166-2 regions the registration form offers.
    country: str = "KG"
    # The zone staff read times in (IANA name); the services keep and send UTC.
    time_zone: str = "Asia/Bishkek"
    log_level: str = "INFO"
    auth: AuthSettings = Field(default_factory=AuthSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Bishkek") from exc
        return value

    @property
    def secure_cookies(self) -> bool:
        host = urlsplit(self.public_url).hostname or ""
        return host not in {"localhost", "127.0.0.1", "::1"}

    @property
    def dev_sign_in(self) -> bool:
        """The role-picking sign-in page exists only while the development secret is set."""
        return bool(self.auth.dev_secret)

    def api_url(self, service: str) -> str:
        return {
            "registry": self.registry_url,
            "consular": self.consular_url,
            "notifications": self.notifications_url,
        }[service]
