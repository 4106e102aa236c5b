"""Registry settings (environment prefix ``REGISTRY_``)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    # The configured country: Kyrgyz defaults ship.
    country_code: str = "KG"
    default_phone_region: str = "KG"
    time_zone: str = "Asia/Bishkek"
    statistics_suppression_threshold: int = 5
    # Vulnerability markers are counted only by kind, and withheld below this.
    marker_statistics_threshold: int = Field(default=10, ge=1)
    # Monthly statistics aggregates: refreshed by this process every interval
    # (0: never; run `migreg statistics refresh` instead), over this many months
    # up to the last complete one (older periods are counted live).
    statistics_refresh_interval_seconds: float = Field(default=3600.0, ge=0)
    statistics_aggregate_months: int = Field(default=120, ge=1, le=1200)
    # People search for callers who may not list the registry (see README
    # "Who may list what"): a query is required and one page of at most this.
    person_search_max_results: int = Field(default=20, ge=1, le=200)
    # Audit trail: how often this process seals new events into the chain (0:
    # never; run `migreg audit seal` instead), and signed checkpoints of the
    # chain's head, filed outside the database (both paths, or neither).
    audit_seal_interval_seconds: float = Field(default=1.0, ge=0)
    audit_checkpoint_dir: Path | None = None
    audit_checkpoint_key_file: Path | None = None
    audit_checkpoint_interval_seconds: float = Field(default=300.0, gt=0)

    # Uploads through POST /v1/imports: the body limit of that path, how often the
    # runner looks for due jobs when no upload's NOTIFY wakes it (0: no runner in
    # this process), and how long a running job's heartbeat may be silent before
    # another runner takes it up.
    max_body_bytes_by_path: dict[str, int] = Field(
        default_factory=lambda: {"/v1/imports": 64 * 1024 * 1024}
    )
    import_poll_interval_seconds: float = Field(default=30.0, ge=0)
    import_lease_seconds: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _checkpoints_whole(self) -> RegistrySettings:
        if (self.audit_checkpoint_dir is None) != (self.audit_checkpoint_key_file is None):
            raise ValueError("set audit_checkpoint_dir and audit_checkpoint_key_file together")
        return self

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Refuse an unknown zone at start-up, not on every request.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
