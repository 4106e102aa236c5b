"""Search and statistics read from the read URL (a streaming replica); writes
and audit appends never go there. Proven against a real primary and a real
streaming standby: every statement the replica ran is in its log."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator
from typing import cast

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from services.consular.app import create_app as create_consular
from services.consular.settings import ConsularSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.db import _read_session as read_session
from shared.migrate import upgrade
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.replica import Replicated, primary_with_replica
from tests.support.tokens import AUTH, bearer

OFFICER = bearer("consular_officer", consulate="RU-MOW", subject="officer-read-routing")
ANALYST = bearer("analyst", subject="analyst-read-routing")
WRITES = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|CREATE|ALTER|DROP|COPY|SELECT\s+pg_advisory)", re.I
)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    with primary_with_replica() as pair:
        for service in ("registry", "consular"):
            upgrade(service, pair.primary.ensure_database(f"routing_{service}"))
        pair.wait_caught_up()
        yield pair


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")  # type: ignore[arg-type]


async def test_search_and_statistics_read_the_replica_and_nothing_writes_there(
    replicated: Replicated,
) -> None:
    primary_db = replicated.primary.database_url("routing_registry")
    settings = RegistrySettings(
        database_url=primary_db,
        read_database_url=replicated.replica_url("routing_registry"),
        audit_seal_interval_seconds=0,
        auth=AUTH,
        log_level="WARNING",
    )
    app = create_registry(settings)
    async with app.router.lifespan_context(app), _client(app) as registry:
        body = person_body(last_name="Жээнбеков", last_name_latin="Zheenbekov")
        created = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
        assert created.status_code == 201, created.text
        person_id = created.json()["id"]
        departed = await registry.post(
            f"/v1/persons/{person_id}/departures",
            json={"departed_on": "2025-03-01", "destination_country": "RU"},
            headers=REGISTRAR,
        )
        assert departed.status_code == 201, departed.text
        replicated.wait_caught_up()
        found = await registry.get("/v1/persons", params={"q": "Zheenbekov"}, headers=OFFICER)
        assert found.status_code == 200, found.text
        assert [p["id"] for p in found.json()["items"]] == [person_id]
        stock = await registry.get("/v1/statistics/stock", headers=ANALYST)
        assert stock.status_code == 200, stock.text
        read = await registry.get(f"/v1/persons/{person_id}", headers=REGISTRAR)
        assert read.status_code == 200

    statements = replicated.statements()
    # The search and the statistics ran on the replica (read-only by the read
    # engine's connection option: see the last test)...
    assert any("persons" in s and "SELECT" in s.upper() for s in statements)
    # ...and no write of any kind (the registration, the departure, the audit
    # events of the search and of the read) was ever sent there.
    writes = [s for s in statements if WRITES.match(s)]
    assert writes == []


async def test_consular_statistics_read_the_replica(replicated: Replicated) -> None:
    settings = ConsularSettings(
        database_url=replicated.primary.database_url("routing_consular"),
        read_database_url=replicated.replica_url("routing_consular"),
        auth=AUTH,
        log_level="WARNING",
    )
    app = create_consular(settings)
    before = len(replicated.statements())
    async with app.router.lifespan_context(app), _client(app) as consular:
        answer = await consular.get("/v1/case-statistics", headers=ANALYST)
        assert answer.status_code == 200, answer.text
    ran = replicated.statements()[before:]
    assert any("cases" in s for s in ran)
    assert [s for s in ran if WRITES.match(s)] == []


async def test_a_write_on_the_read_path_would_fail_not_pass_silently(
    replicated: Replicated,
) -> None:
    # The read session is READ ONLY even where the read URL is the primary
    # (no replica configured): a write slipped onto it is refused by PostgreSQL.
    settings = RegistrySettings(
        database_url=replicated.primary.database_url("routing_registry"),
        audit_seal_interval_seconds=0,
        auth=AUTH,
        log_level="WARNING",
    )
    app = create_registry(settings)
    async with app.router.lifespan_context(app):
        request = Request({"type": "http", "app": app})
        sessions = cast(AsyncGenerator[AsyncSession, None], read_session(request))
        session = await anext(sessions)
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await session.execute(text("CREATE TEMP TABLE t (x int)"))
        await sessions.aclose()
