"""Idempotent creating POSTs: the same ``Idempotency-Key`` and body replays the
first answer without doing the work twice; the same key with another body is
a 422. Border posts lose connectivity and retry, so this is not optional.

The record is written in the request's own transaction, so a stored answer
exists exactly when the work it describes was committed. A concurrent retry
with the same key waits on the unique row and then replays. A replay first asks
the route whether the caller may still see what the answer describes (a case
transferred away since is a 404, not the old answer).

Every service's creating routes call ``idempotent`` the same way; each service
database holds the one ``idempotency_records`` table declared here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.principal import Principal
from shared.errors import ProblemError

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        # Visible ASCII only: a key is an identifier (a UUID, say), never text; control,
        # bidirectional or non-ASCII bytes would be stored and logged as sent.
        pattern=r"^[!-~]+$",
        description="Optional; visible ASCII, up to 200 characters (a UUID, say). Send the same "
        "key when retrying a create: the first answer "
        "is replayed (`Idempotent-Replayed: true`) while you may still see what it describes "
        "(404 otherwise), and the same key with another body is a 422.",
    ),
]


class IdempotencyKeyReused(ProblemError):
    """This `Idempotency-Key` was already used with a different body."""

    status, slug = 422, "idempotency-key-reused"


def idempotency_table(metadata: MetaData) -> Table:
    """The table of remembered answers, added to a service's ``metadata`` (each
    service database has its own)."""
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


# Answers a replayed (2xx) body: raises a 404 problem when the caller may no longer
# see what it describes, and records the re-read where reads are audited.
Revisit = Callable[[Any], Awaitable[None]]

# The same table in every service database; queries need no service's metadata.
_records = idempotency_table(MetaData())
# The two statements every keyed write sends, built once: composing them per
# request cost more Python than sending them.
_CLAIM = (
    insert(_records)
    .values(
        caller=bindparam("w_caller"),
        operation=bindparam("w_operation"),
        key=bindparam("w_key"),
        request_hash=bindparam("w_hash"),
    )
    .on_conflict_do_nothing()
    .returning(_records.c.key)
)
_SAVE = (
    _records.update()
    .where(
        _records.c.caller == bindparam("w_caller"),
        _records.c.operation == bindparam("w_operation"),
        _records.c.key == bindparam("w_key"),
    )
    .values(
        status=bindparam("w_status"),
        body=bindparam("w_body", type_=_records.c.body.type),
        headers=bindparam("w_headers", type_=_records.c.headers.type),
    )
)


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def idempotent(
    session: AsyncSession,
    principal: Principal,
    key: str | None,
    operation: str,
    body: BaseModel,
    run: Callable[[], Awaitable[StoredResponse]],
    *,
    revisit: Revisit,
) -> JSONResponse:
    """Run ``run`` once per (caller, operation, key); replay its answer after
    that, once ``revisit`` has accepted the caller seeing it again."""
    if key is None:
        return (await run()).to_response()
    ident = {"caller": principal.subject, "operation": operation, "key": key}
    where = {"w_caller": principal.subject, "w_operation": operation, "w_key": key}
    digest = request_hash(body.model_dump(mode="json"))
    claimed = await session.execute(_CLAIM, {**where, "w_hash": digest})
    if claimed.first() is None:
        stored = await _stored(session, ident, digest)
        if stored.status < 300:
            await revisit(stored.body)
        return stored.to_response(replayed=True)
    stored = await run()
    saved = {"w_status": stored.status, "w_body": stored.body, "w_headers": stored.headers}
    await session.execute(_SAVE, {**where, **saved})
    return stored.to_response()


async def _stored(session: AsyncSession, ident: dict[str, str], digest: str) -> StoredResponse:
    row = (await session.execute(select(_records).filter_by(**ident))).mappings().one()
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
    return StoredResponse(row["status"], row["body"], row["headers"] or {})
