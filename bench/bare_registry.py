"""The physical-limit baseline of the registry's person read and departure: a bare
Starlette app over psycopg that sends the same SQL in the same transactions,
and nothing else (no auth, no validation, no ORM, no problem+json, no
middleware, no metrics). Only for ``bench/registry_read_write.py``.

    .venv/bin/python bench/bare_registry.py postgresql://... --port 18099

- ``GET /v1/persons/{id}``: the person's row, one audit event, commit.
- ``POST /v1/persons/{id}/departures``: the idempotency record, the person
  locked, their newest active movement and highest position (one statement),
  the movement, the outbox row (departure notice), the person's status and
  version, the idempotency record's answer, one audit event, commit.

The pool is a queue of connections written here (psycopg_pool is not a
dependency of the project): the same number as the registry's pool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from psycopg.rows import dict_row
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.registry.audit.verify import psycopg_url

PERSON = (
    "SELECT id, pin, last_name, first_name, patronymic, last_name_latin, first_name_latin, "
    "sex, birth_date, phone, region, locality, language, status, status_date, status_source, "
    "version, name_tokens, created_at, updated_at FROM persons WHERE id = %s"
)
AUDIT = (
    "INSERT INTO audit_events (id, occurred_at, actor, role, action, resource_type, "
    "resource_id, person_id, request_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "RETURNING seq"
)
# The registry's ``movements.service._newest``: the newest active movement and
# the highest position used, in one statement.
NEWEST = (
    "SELECT h.p, n.kind, n.occurred_on FROM (SELECT max(position) AS p FROM movements "
    "WHERE person_id = %s) AS h LEFT OUTER JOIN (SELECT kind, occurred_on FROM movements "
    "WHERE person_id = %s AND superseded_at IS NULL ORDER BY position DESC LIMIT 1) AS n "
    "ON true"
)


class Pool:
    def __init__(self, url: str, size: int) -> None:
        self.url, self.size = url, size
        self.idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await psycopg.AsyncConnection.connect(self.url))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        conn = await self.idle.get()
        try:
            async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                yield cur
        finally:
            self.idle.put_nowait(conn)


def _json(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    return Response(body, status, media_type="application/json")


async def _audit(cur: psycopg.AsyncCursor[Any], action: str, kind: str, rid: str, pid: str) -> None:
    now = datetime.now(UTC)
    actor = ("bench", "registrar")
    values = (uuid.uuid4(), now, *actor, action, kind, rid, pid, str(uuid.uuid4()))
    await cur.execute(AUDIT, values)


async def read_person(request: Request) -> Response:
    pid = request.path_params["pid"]
    async with request.app.state.pool.transaction() as cur:
        await cur.execute(PERSON, (pid,))
        person = await cur.fetchone()
        if person is None:
            return _json({"title": "not found"}, 404)
        await _audit(cur, "read", "person", pid, pid)
    return _json(person)


async def depart(request: Request) -> Response:
    pid = request.path_params["pid"]
    body = await request.json()
    key = request.headers.get("idempotency-key", str(uuid.uuid4()))
    async with request.app.state.pool.transaction() as cur:
        await cur.execute(
            "INSERT INTO idempotency_records (caller, operation, key, request_hash) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING key",
            ("bench", "departure", key, "h"),
        )
        await cur.execute(PERSON + " FOR UPDATE", (pid,))
        person = await cur.fetchone()
        if person is None:
            return _json({"title": "not found"}, 404)
        await cur.execute(NEWEST, (pid, pid))
        row = await cur.fetchone()
        position = ((row or {}).get("p") or 0) + 1
        mid, now = uuid.uuid4(), datetime.now(UTC)
        day, country = date.fromisoformat(body["departed_on"]), body["destination_country"]
        movement = {
            "id": mid,
            "person_id": pid,
            "kind": "departure",
            "position": position,
            "occurred_on": day,
            "destination_country": country,
            "recorded_by": "bench",
            "recorded_at": now,
        }
        await cur.execute(
            "INSERT INTO movements (id, person_id, kind, position, occurred_on, "
            "destination_country, recorded_by, recorded_at) "
            "VALUES (%(id)s, %(person_id)s, %(kind)s, %(position)s, %(occurred_on)s, "
            "%(destination_country)s, %(recorded_by)s, %(recorded_at)s)",
            movement,
        )
        payload = {"person_id": pid, "movement_id": str(mid), "country": country, "city": None}
        await cur.execute(
            "INSERT INTO outbox (id, kind, payload, subject, status, attempts, failures) "
            "VALUES (%s, 'departure.notify', %s, %s, 'pending', 0, 0)",
            (uuid.uuid4(), json.dumps(payload), f"person:{pid}"),
        )
        await cur.execute(
            "UPDATE persons SET status = 'abroad', version = %s, updated_at = now() "
            "WHERE id = %s AND version = %s RETURNING updated_at",
            (person["version"] + 1, pid, person["version"]),
        )
        answer = _json(movement, 201)
        await cur.execute(
            "UPDATE idempotency_records SET status = 201, body = %s, headers = '{}' "
            "WHERE caller = 'bench' AND operation = 'departure' AND key = %s",
            (bytes(answer.body).decode(), key),
        )
        await _audit(cur, "create", "movement", str(mid), pid)
    return answer


def create_app(url: str, size: int) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = Pool(psycopg_url(url), size)
        await app.state.pool.open()
        yield

    routes = [
        Route("/v1/persons/{pid}", read_person),
        Route("/v1/persons/{pid}/departures", depart, methods=["POST"]),
        Route("/healthz", lambda r: Response("ok")),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pool", type=int, default=10)
    args = parser.parse_args()
    app = create_app(args.database_url, args.pool)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
