"""The migrations build exactly the tables the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from services.consular.database import Base as ConsularBase
from services.consular.database import load_models as load_consular
from services.notifications.database import Base as NotificationsBase
from services.notifications.database import load_models as load_notifications
from services.registry.database import Base as RegistryBase
from services.registry.database import load_models as load_registry
from shared.migrate import sync_url

SERVICES = {
    "registry": (RegistryBase, load_registry),
    "consular": (ConsularBase, load_consular),
    "notifications": (NotificationsBase, load_notifications),
}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_autogenerate_finds_no_difference(service: str, database_urls: dict[str, str]) -> None:
    base, load = SERVICES[service]
    load()
    engine = create_engine(sync_url(database_urls[service]))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, base.metadata) == []
    finally:
        engine.dispose()
