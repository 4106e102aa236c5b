"""What a request sends to PostgreSQL: each statement is a round trip, and so are
the BEGIN and COMMIT around statements on a connection that is not in autocommit.
A PIN search, a person read and a departure send only what their answer needs
(bench/registry_request_path.py counts the round trips on the wire)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.registry.conftest import REGISTRAR, MakePerson


@dataclass
class Sent:
    engine: str  # primary | read
    statement: str
    autocommit: bool


@contextmanager
def sent_by(app: FastAPI) -> Iterator[list[Sent]]:
    engines: dict[str, AsyncEngine] = {
        "primary": app.state.engine,
        "read": app.state.read_sessionmaker.kw["bind"],
    }
    sent: list[Sent] = []
    hooks = []
    for name, engine in engines.items():

        def hook(conn: Any, cursor: Any, statement: str, *_: Any, name: str = name) -> None:
            autocommit = bool(conn.connection.dbapi_connection.autocommit)
            sent.append(Sent(name, " ".join(statement.split())[:60], autocommit))

        event.listen(engine.sync_engine, "before_cursor_execute", hook)
        hooks.append((engine, hook))
    try:
        yield sent
    finally:
        for engine, hook in hooks:
            event.remove(engine.sync_engine, "before_cursor_execute", hook)


async def test_a_pin_search_is_one_select_and_one_audit_insert_each_outside_a_transaction(
    registry: httpx.AsyncClient, registry_app: FastAPI, make_person: MakePerson
) -> None:
    person = await make_person()
    with sent_by(registry_app) as sent:
        found = await registry.get("/v1/persons", params={"q": person["pin"]}, headers=REGISTRAR)
    assert found.status_code == 200
    assert [p["id"] for p in found.json()["items"]] == [person["id"]]
    read = [s for s in sent if s.engine == "read"]
    # One SELECT, no SET TRANSACTION READ ONLY beside it, and no BEGIN or COMMIT
    # around it: a read has nothing to commit (the connection is read-only itself).
    assert [s.statement.split()[0] for s in read] == ["SELECT"], read
    assert read[0].autocommit, read
    # The audit event: one INSERT committed on its own (no BEGIN, no COMMIT).
    primary = [s for s in sent if s.engine == "primary"]
    assert len(primary) == 1 and primary[0].autocommit, primary
    assert primary[0].statement.startswith("INSERT INTO audit_events")


async def test_a_person_read_is_its_select_and_its_audit_insert(
    registry: httpx.AsyncClient, registry_app: FastAPI, make_person: MakePerson
) -> None:
    person = await make_person()
    with sent_by(registry_app) as sent:
        read = await registry.get(f"/v1/persons/{person['id']}", headers=REGISTRAR)
    assert read.status_code == 200
    assert [s.statement.split()[:3] for s in sent] == [
        ["SELECT", "persons.id,", "persons.pin,"],
        ["INSERT", "INTO", "audit_events"],
    ]


async def test_a_departure_sends_eight_statements(
    registry: httpx.AsyncClient, registry_app: FastAPI, make_person: MakePerson
) -> None:
    person = await make_person()
    body = {"departed_on": "2025-03-01", "destination_country": "RU"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with sent_by(registry_app) as sent:
        departed = await registry.post(
            f"/v1/persons/{person['id']}/departures", json=body, headers=REGISTRAR | key
        )
    assert departed.status_code == 201, departed.text
    # The key claimed, the person locked, the newest movement and highest position
    # (one statement), the movement, its outbox row, the person's status, the
    # stored answer, the audit event.
    assert len(sent) == 8, [s.statement for s in sent]
    assert sum(s.statement.startswith("SELECT") for s in sent) == 2
