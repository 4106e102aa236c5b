"""The shared outbox relay, driven by hand in process against the real apps: a peer's
refusal poisons a row (kept, shown with the peer's problem, never retried), relays in
two processes never deliver a row twice, and a lapsed lease hands a row to another."""

from __future__ import annotations

import asyncio
import collections
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from services.consular.app import create_app
from services.consular.family.models import OutboxItem
from services.consular.settings import ConsularSettings
from shared.auth.tokens import issue_token
from shared.outbox import Delivered, enqueue
from shared.outbox.outcomes import Entry, Retry
from shared.outbox.relay import Relay
from tests.consular.conftest import MOSCOW, SUPERVISOR, open_case
from tests.support.tokens import AUTH, bearer

ADMIN = bearer("admin")
REGISTRAR = bearer("registrar")


async def _person_with_contact(registry: httpx.AsyncClient) -> str:
    person = await registry.post(
        "/v1/persons",
        json={"pin": "21503199012345", "last_name": "Абдыкадыров", "first_name": "Бакыт",
              "sex": "M", "birth_date": "1990-03-15", "region": "KG-C"},
        headers=REGISTRAR,
    )  # fmt: skip
    assert person.status_code == 201, person.text
    member = await registry.post(
        f"/v1/persons/{person.json()['id']}/family-members",
        json={"relation": "spouse", "last_name": "Абдыкадырова", "first_name": "Айгүл",
              "birth_date": "1992-06-01", "phone": "+996555987656", "language": "ky",
              "sms_consent": True},
        headers=REGISTRAR,
    )  # fmt: skip
    assert member.status_code == 201, member.text
    return str(person.json()["id"])


@pytest.fixture
async def misconfigured_consular(
    consular_settings: ConsularSettings, registry_app: FastAPI, notifications_app: FastAPI
) -> AsyncIterator[FastAPI]:
    """A consular whose token may read contacts but not send SMS: notifications refuses it."""
    token = issue_token(
        AUTH, subject="service:consular", roles=["service"],
        scopes=("registry:read", "registry:contacts", "registry:markers"), ttl_seconds=600,
    )  # fmt: skip
    app = create_app(consular_settings.model_copy(update={"service_token": token}))
    async with app.router.lifespan_context(app):
        peers = app.state.peers
        peers.route(consular_settings.registry_url, httpx.ASGITransport(app=registry_app))
        peers.route(consular_settings.notifications_url, httpx.ASGITransport(app=notifications_app))
        yield app


def _gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": "consular"})


async def test_a_refused_row_is_poisoned_kept_with_the_problem_and_not_retried(
    misconfigured_consular: FastAPI, registry: httpx.AsyncClient, consular: httpx.AsyncClient
) -> None:
    person = await _person_with_contact(registry)
    case = await open_case(consular, person=None, person_id=person, notify_family=True)
    relay: Relay = misconfigured_consular.state.relay
    while await relay.run_once():
        pass
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=misconfigured_consular), base_url="http://c"
    )
    async with client:
        poisoned = (await client.get("/v1/outbox?status=poisoned", headers=ADMIN)).json()
        (row,) = poisoned["items"]
        assert row["kind"] == "family.sms" and row["subject"] == f"case:{case['id']}"
        assert row["problem"]["status"] == 403 and "notifications:send" in row["problem"]["detail"]
        assert "phone" not in row and "payload" not in row  # the listing shows no number
        assert (await client.get("/v1/outbox", headers=MOSCOW)).status_code == 403
        await client.get("/metrics")
        assert _gauge("outbox_poisoned") == 1
        assert _gauge("outbox_pending") == 0
    assert await relay.run_once() == 0  # never retried
    timeline = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    sms = [e["data"] for e in timeline["items"] if e["kind"] == "family_sms"]
    assert [s["status"] for s in sms] == ["requested", "refused"]
    assert sms[-1]["summary"].startswith("SMS to +996 *** ** 56: refused ")
    tasks = (await consular.get("/v1/tasks", headers=SUPERVISOR)).json()["items"]
    assert [t["case_id"] for t in tasks] == [case["id"]]


async def _rows(app: FastAPI, count: int) -> list[uuid.UUID]:
    async with app.state.sessionmaker() as session, session.begin():
        items = [enqueue(session, OutboxItem, "test.count", {"n": n}) for n in range(count)]
    return [item.id for item in items]


def _relay(app: FastAPI, handlers: dict[str, Any], **settings: Any) -> Relay:
    return Relay(
        model=OutboxItem,
        sessions=app.state.sessionmaker,
        handlers=handlers,
        peers=app.state.peers,
        settings=app.state.settings.model_copy(update=settings),
    )


async def test_two_relays_never_deliver_the_same_row(consular_app: FastAPI) -> None:
    ids = await _rows(consular_app, 30)
    seen: collections.Counter[uuid.UUID] = collections.Counter()

    async def count(entry: Entry, _peers: object) -> Delivered:
        seen[entry.id] += 1
        await asyncio.sleep(0.01)
        return Delivered()

    relays = [_relay(consular_app, {"test.count": count}, outbox_batch_size=4) for _ in range(2)]

    async def drain(relay: Relay) -> None:
        while await relay.run_once():
            pass

    await asyncio.gather(*(drain(r) for r in relays))
    assert set(seen) == set(ids) and set(seen.values()) == {1}


async def test_a_lapsed_lease_hands_the_row_to_another_relay_and_the_first_records_nothing(
    consular_app: FastAPI,
) -> None:
    (row_id,) = await _rows(consular_app, 1)
    delivered_by: list[str] = []

    def handler(name: str) -> Any:
        async def deliver(entry: Entry, _peers: object) -> Delivered:
            delivered_by.append(name)
            return Delivered()

        return deliver

    stalled = _relay(consular_app, {"test.count": handler("stalled")}, outbox_lease_seconds=0.5)
    (claimed,) = await stalled.claim()  # ... and then it stalls past its lease
    await asyncio.sleep(0.7)
    other = _relay(consular_app, {"test.count": handler("other")})
    assert await other.run_once() == 1
    await stalled.deliver(claimed)  # it wakes up: its call happens, its record must not
    async with consular_app.state.sessionmaker() as session:
        row = await session.get(OutboxItem, row_id)
    assert row is not None and row.status == "delivered" and row.attempts == 2
    assert delivered_by == ["other", "stalled"]


async def test_a_row_whose_outcome_could_not_be_recorded_goes_again_in_the_next_round(
    consular_app: FastAPI,
) -> None:
    """The database drops while a round's outcomes are recorded: once it is back, the
    relay delivers those rows in its next round, not a whole lease (60 s) later."""
    (row_id,) = await _rows(consular_app, 1)
    drops = [OperationalError("UPDATE outbox", {}, Exception("server closed the connection"))]

    async def deliver(entry: Entry, _peers: object) -> Delivered:
        async def record(_session: object) -> None:
            if drops:
                raise drops.pop()

        return Delivered(record)

    relay = _relay(consular_app, {"test.count": deliver}, outbox_lease_seconds=60)
    with pytest.raises(OperationalError):
        await relay.run_once()
    assert await relay.run_once() == 1
    async with consular_app.state.sessionmaker() as session:
        row = await session.get(OutboxItem, row_id)
    assert row is not None and row.status == "delivered" and row.attempts == 2


async def test_a_backlog_for_a_peer_that_is_down_is_not_called_round_after_round(
    consular_app: FastAPI,
) -> None:
    """200 due rows, every call failing (the peer is down): the relay tries one batch,
    then pauses, instead of calling through the whole backlog without a break."""
    await _rows(consular_app, 200)
    calls = 0

    async def peer_down(entry: Entry, _peers: object) -> Delivered:
        nonlocal calls
        calls += 1
        raise Retry("peer unreachable: ConnectError")

    relay = _relay(
        consular_app, {"test.count": peer_down}, outbox_batch_size=10, outbox_poll_seconds=0.5
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(1.5)  # paused 1 s after the first failed round, then 2 s
    stop.set()
    await task
    assert 10 <= calls <= 20, calls
    async with consular_app.state.sessionmaker() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")
        )
    assert pending == 200  # delayed, never dropped
