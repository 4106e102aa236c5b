"""Alembic environments, one per service (``migrations/<service>``)."""
