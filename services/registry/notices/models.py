"""The registry's outbox table."""

from __future__ import annotations

from services.registry.database import Base
from shared.outbox import OutboxMixin


class OutboxItem(OutboxMixin, Base):
    __tablename__ = "outbox"
