"""The consular service's declarative base; ``load_models`` imports every table."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db import service_metadata
from shared.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = service_metadata()


idempotency_records = idempotency_table(Base.metadata)


# Reference tables keep their rows between tests (seeded by migrations).
REFERENCE_TABLES: frozenset[str] = frozenset({"consulates"})


def load_models() -> None:
    """Import every model module so ``Base.metadata`` is complete (Alembic, tests)."""
    from services.consular.cases import models as cases_models  # noqa: F401
    from services.consular.consulates import models  # noqa: F401
    from services.consular.family import models as family_models  # noqa: F401
    from services.consular.referrals import models as referrals_models  # noqa: F401
    from services.consular.tasks import models as task_models  # noqa: F401
