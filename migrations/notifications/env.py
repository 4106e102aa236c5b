"""Alembic environment of the notifications service."""

from migrations.env_common import run_migrations
from services.notifications.database import Base, load_models

load_models()
run_migrations(Base.metadata)
