"""Searches hold a read connection and then append their audit event on a
write connection. With no read URL both used to share one pool: at as many
concurrent searches as the pool has connections, each held a read connection
and waited for a write one that never came free (30 s, then 503)."""

from __future__ import annotations

import asyncio

import httpx

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.tokens import bearer

OFFICER = bearer("consular_officer", consulate="RU-MOW", subject="officer-pool")


async def test_concurrent_searches_do_not_starve_their_own_audit_appends(
    registry_settings: RegistrySettings,
) -> None:
    # Two connections per pool (1 + 1 overflow), eight searches at once.
    settings = registry_settings.model_copy(update={"db_pool_size": 1})
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as registry,
    ):
        made = await registry.post(
            "/v1/persons", json=person_body(last_name_latin="Zheenbekov"), headers=REGISTRAR
        )
        assert made.status_code == 201, made.text

        async def search() -> int:
            found = await registry.get("/v1/persons", params={"q": "Zheenbekov"}, headers=OFFICER)
            return found.status_code

        answers = await asyncio.wait_for(asyncio.gather(*(search() for _ in range(8))), 20)
    assert answers == [200] * 8
