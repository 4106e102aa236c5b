"""The notifications service's declarative base; ``load_models`` imports every table."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db import service_metadata
from shared.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = service_metadata()


idempotency_records = idempotency_table(Base.metadata)

# Reference tables keep their rows between tests (seeded by migrations).
REFERENCE_TABLES: frozenset[str] = frozenset({"templates"})


def load_models() -> None:
    """Import every model module so ``Base.metadata`` is complete (Alembic, tests)."""
    from services.notifications.inbound import models as _inbound  # noqa: F401
    from services.notifications.messages import models as _messages  # noqa: F401
    from services.notifications.recipients import models as _recipients  # noqa: F401
    from services.notifications.templates import models  # noqa: F401
