"""The PostgreSQL server restarts while cases are being opened and family SMS relayed:
the services answer 503 (never 500) while it is gone, recover on their own, and every
case they acknowledged exists afterwards and reaches the family exactly once."""

from __future__ import annotations

import asyncio
import collections
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.migrate import SERVICES, upgrade
from tests.e2e.system import E2E_ENV, SUPERVISOR, System, eventually, new_key, unique_phone
from tests.notifications.fake_gateway import FakeGateway
from tests.support.live import live_system
from tests.support.restartable_pg import RestartablePostgres, restartable_postgres
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e

OFFICER = bearer("consular_officer", consulate="RU-MOW", subject="officer.RU-MOW")


@pytest.fixture(scope="module")
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres() as postgres:
        yield postgres


@pytest.fixture(scope="module")
def own_system(
    postgres: RestartablePostgres, gateway: FakeGateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    urls = {}
    for service in SERVICES:
        urls[service] = postgres.server.ensure_database(f"migreg_restart_{os.getpid()}_{service}")
        upgrade(service, urls[service])
    log_dir: Path = tmp_path_factory.mktemp("restart-logs")
    env = {**E2E_ENV, "NOTIFICATIONS_HTTP_GATEWAY_URL": gateway.url}
    with live_system(urls, extra_env=env, log_dir=log_dir) as live:
        live.start("worker", ["worker", "notifications"])
        yield System(live=live, gateway=gateway)


async def test_a_database_restart_under_load_loses_no_acknowledged_write(
    own_system: System, postgres: RestartablePostgres
) -> None:
    system = own_system
    phone = unique_phone()
    person = await system.person_with_family([(phone, "ru", True)])
    acknowledged: list[dict[str, str]] = []
    statuses: collections.Counter[int] = collections.Counter()
    stop = asyncio.Event()

    async def open_cases() -> None:
        while not stop.is_set() and len(acknowledged) < 40:
            body = {
                "consulate": "RU-MOW", "person_id": person, "category": "wage_theft",
                "priority": "normal", "description": "Unpaid", "notify_family": True,
            }  # fmt: skip
            try:
                response = await system.call(
                    "POST", "consular", "/v1/cases",
                    {**OFFICER, "Idempotency-Key": new_key()}, json=body,
                )  # fmt: skip
            except Exception:
                statuses[0] += 1
                await asyncio.sleep(0.2)
                continue
            statuses[response.status_code] += 1
            if response.status_code == 201:
                acknowledged.append(response.json())
            elif response.status_code == 503:
                assert response.headers.get("Retry-After"), response.text
            await asyncio.sleep(0.1)

    load = asyncio.create_task(open_cases())
    await eventually(lambda: _at_least(acknowledged, 5), what="cases opened before the restart")
    await asyncio.to_thread(postgres.stop)
    await asyncio.sleep(3)
    down = await system.call("GET", "consular", "/v1/cases", SUPERVISOR)
    assert down.status_code == 503 and down.headers.get("Retry-After"), down.text
    await asyncio.to_thread(postgres.start)
    before_recovery = len(acknowledged)
    await eventually(
        lambda: _at_least(acknowledged, before_recovery + 5), within=60,
        what="cases opened again after the restart",
    )  # fmt: skip
    stop.set()
    await load
    assert statuses[503] > 0, statuses
    assert not [code for code in statuses if code >= 500 and code != 503], statuses

    for case in acknowledged:
        await system.ok("GET", "consular", f"/v1/cases/{case['id']}", SUPERVISOR)
    numbers = {case["case_number"] for case in acknowledged}

    async def every_case_told() -> bool:
        # Waits for the cases themselves: a case committed while its answer was lost
        # is told too, so a count of SMS could be reached with some still on the way.
        return numbers <= set(_told(system, phone))

    await eventually(every_case_told, within=120, what="an SMS for every acknowledged case")
    await asyncio.sleep(3)
    told = _told(system, phone)
    assert numbers <= set(told)  # every acknowledged case reached the family ...
    assert set(told.values()) == {1}  # ... and none twice


def _told(system: System, phone: str) -> collections.Counter[str]:
    """How many SMS named each case number. The operator deduplicates on the client
    reference (a retry after a lost answer sends it again), so one reference is one SMS."""
    by_reference = {r.body["client_reference"]: str(r.body["text"]) for r in system.sms_to(phone)}
    return collections.Counter(re.findall(r"№(\S+?)\.", " ".join(by_reference.values())))


async def _at_least(items: list[dict[str, str]], count: int) -> bool:
    return len(items) >= count
