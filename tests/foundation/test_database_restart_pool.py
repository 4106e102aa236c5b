"""The database restarts while a service sits idle on a warm pool: every pooled
connection is dead. The pool does not ping before each checkout (a round trip on
every request), so the first request on a dead connection fails: it must answer
503 with Retry-After, never 500, and the service must recover by itself (the
disconnect invalidates the whole pool) within a request or two."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from shared.migrate import upgrade
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.restartable_pg import RestartablePostgres, restartable_postgres
from tests.support.tokens import AUTH


@pytest.fixture(scope="module")
def postgres() -> Iterator[tuple[RestartablePostgres, str]]:
    with restartable_postgres() as postgres:
        url = postgres.server.ensure_database("restart_pool_registry")
        upgrade("registry", url)
        yield postgres, url


async def test_a_restart_under_a_warm_pool_is_at_most_a_503_then_recovered(
    postgres: tuple[RestartablePostgres, str],
) -> None:
    server, url = postgres
    settings = RegistrySettings(
        database_url=url,
        auth=AUTH,
        log_level="WARNING",
        audit_seal_interval_seconds=0,
        import_poll_interval_seconds=0,
        statistics_refresh_interval_seconds=0,
        outbox_relay=False,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as registry,
    ):
        body = person_body()
        created = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
        assert created.status_code == 201, created.text
        person = created.json()["id"]

        async def search() -> httpx.Response:  # the read pool, and the audit on the primary
            return await registry.get("/v1/persons", params={"q": body["pin"]}, headers=REGISTRAR)

        async def read() -> httpx.Response:  # the primary's pool
            return await registry.get(f"/v1/persons/{person}", headers=REGISTRAR)

        async def register() -> httpx.Response:
            return await registry.post("/v1/persons", json=person_body(), headers=REGISTRAR)

        calls = (search, read, register)
        for call in calls:  # both pools warm
            assert (await call()).status_code in (200, 201)

        server.stop()
        server.start()

        answers = [await call() for _ in range(3) for call in calls]
    for answer in answers:
        assert answer.status_code in (200, 201, 503), answer.text
        if answer.status_code == 503:
            assert answer.headers["content-type"] == "application/problem+json"
            assert int(answer.headers["retry-after"]) > 0
    statuses = [a.status_code for a in answers]
    # One failed request per pool at most (the read pool and the primary's)...
    assert statuses.count(503) <= 2, statuses
    # ...and then every kind of request works again, without a restart of the service.
    assert statuses[-3:] == [200, 200, 201], statuses
    found = [p["id"] for p in answers[-3].json()["items"]]
    assert found == [person]
