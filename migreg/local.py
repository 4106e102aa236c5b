"""Local-run state: the data folder and the development signing secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from shared.settings import AuthSettings


def home() -> Path:
    """Where a local run keeps its embedded database and secret (``MIGREG_HOME``)."""
    return Path(os.environ.get("MIGREG_HOME", ".var")).resolve()


def dev_secret() -> str:
    """The HS256 secret of local runs: from the environment, else made once and kept."""
    configured = os.environ.get("MIGREG_AUTH_DEV_SECRET")
    if configured:
        return configured
    path = home() / "dev-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_auth_settings() -> AuthSettings:
    return AuthSettings(dev_secret=dev_secret())
