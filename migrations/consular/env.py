"""Alembic environment of the consular service."""

from migrations.env_common import run_migrations
from services.consular.database import Base, load_models

load_models()
run_migrations(Base.metadata)
