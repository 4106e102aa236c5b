"""The registry's declarative base; ``load_models`` imports every table."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import DeclarativeBase

from shared.db import service_metadata
from shared.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = service_metadata()


def utcnow() -> datetime:
    return datetime.now(UTC)


# Remembered answers of creating POSTs (Idempotency-Key).
idempotency_records = idempotency_table(Base.metadata)

# Reference tables keep their rows between tests (seeded by migrations).
REFERENCE_TABLES: frozenset[str] = frozenset()


def load_models() -> None:
    """Import every model module so ``Base.metadata`` is complete (Alembic, tests)."""
    from services.registry.audit import models as audit_models  # noqa: F401
    from services.registry.families import models as family_models  # noqa: F401
    from services.registry.imports import models as import_models  # noqa: F401
    from services.registry.markers import models as marker_models  # noqa: F401
    from services.registry.movements import models as movement_models  # noqa: F401
    from services.registry.notices import models as notice_models  # noqa: F401
    from services.registry.persons import models  # noqa: F401
