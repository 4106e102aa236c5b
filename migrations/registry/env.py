"""Alembic environment of the registry service."""

from migrations.env_common import run_migrations
from services.registry.database import Base, load_models

load_models()
run_migrations(Base.metadata)
