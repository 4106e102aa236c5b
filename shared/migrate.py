"""One Alembic environment per service, driven from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import migrations

SERVICES = ("registry", "consular", "notifications")
MIGRATIONS_ROOT = Path(migrations.__file__).parent


def sync_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def alembic_config(service: str, url: str) -> Config:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_ROOT / service))
    # ConfigParser treats % as interpolation; escape it for URLs with %-encoding.
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)


def head_revisions(service: str) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(service, "postgresql://x/y"))
    return set(script.get_heads())


def current_revisions(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows}
    finally:
        engine.dispose()
