"""Idempotent creating POSTs: the same ``Idempotency-Key`` and body replays the
first answer without doing the work twice; the same key with another body is
a 422. Border posts lose connectivity and retry, so this is not optional.

The record is written in the request's own transaction, so a stored answer
exists exactly when the work it describes was committed. A concurrent retry
with the same key waits on the unique row and then replays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import ProblemError

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key when retrying: the first answer is replayed.",
    ),
]


class IdempotencyKeyReused(ProblemError):
    status, slug = 422, "idempotency-key-reused"


def idempotency_table(metadata: MetaData) -> Table:
    """The service's own table of remembered answers (one per service database)."""
    return Table(
        "idempotency_records",
        metadata,
        Column("caller", String(200), primary_key=True),
        Column("operation", String(200), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status", Integer),
        Column("body", JSONB),
        Column("headers", JSONB),
        Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    )


@dataclass
class StoredResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self, replayed: bool = False) -> JSONResponse:
        headers = dict(self.headers)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(self.body, status_code=self.status, headers=headers)


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run_idempotent(
    session: AsyncSession,
    table: Table,
    *,
    key: str | None,
    caller: str,
    operation: str,
    payload: Any,
    run: Callable[[], Awaitable[StoredResponse]],
) -> JSONResponse:
    """Run ``run`` once per (caller, operation, key); replay its answer after that."""
    if key is None:
        return (await run()).to_response()
    digest = request_hash(payload)
    ident = {"caller": caller, "operation": operation, "key": key}
    claimed = await session.execute(
        insert(table)
        .values(**ident, request_hash=digest)
        .on_conflict_do_nothing()
        .returning(table.c.key)
    )
    if claimed.first() is None:
        return await _replay(session, table, ident, digest)
    stored = await run()
    await session.execute(
        table.update()
        .filter_by(**ident)
        .values(status=stored.status, body=stored.body, headers=stored.headers)
    )
    return stored.to_response()


async def _replay(
    session: AsyncSession, table: Table, ident: dict[str, str], digest: str
) -> JSONResponse:
    row = (await session.execute(select(table).filter_by(**ident))).mappings().one()
    if row["request_hash"] != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body; "
            "use a new key for a new request.",
            extra={
                "errors": [
                    {
                        "field": "Idempotency-Key",
                        "in": "header",
                        "reason": "already used with a different body",
                    }
                ]
            },
        )
    return StoredResponse(row["status"], row["body"], row["headers"] or {}).to_response(
        replayed=True
    )
