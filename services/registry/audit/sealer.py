"""The sealer: links committed audit rows into the hash chain, in seq order.

Requests insert rows unchained and never wait for each other. Sealing them
in seq order is only safe up to a seq below which no row can still appear:
a transaction that took seq 10 may commit after one that took seq 11, and a
rolled-back one leaves seq 10 unused for ever. The sealer finds that bound
from PostgreSQL's own bookkeeping, without timing guesses:

1. Read ``L``, the last seq handed out, then take a snapshot and keep its
   ``xmax`` (the first transaction id not yet assigned). Every row with
   ``seq <= L`` was inserted by a transaction that already had an id below
   ``xmax``: the insert trigger assigns the transaction id before the seq.
2. Wait until the oldest running transaction is at or past ``xmax``
   (``pg_snapshot_xmin``): every transaction that could hold a row with
   ``seq <= L`` has then committed (its rows are visible) or rolled back
   (its rows never will be).
3. In one transaction, under an advisory lock that only sealers take (never
   a request), chain the unsealed rows with ``seq <= L`` after the head.

A long transaction holding an audit row delays sealing, never skips it. A
row left unsealed below the head would be a gap: the sealer never creates
one, and ``migreg audit verify`` names it if one appears.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.audit.chain import GENESIS, link_hash

SEAL_LOCK = 0x6D69677265670002  # taken by sealers only
BATCH = 5_000


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Watermark:
    last_seq: int
    xmax: int


async def watermark(conn: AsyncConnection) -> Watermark:
    # Two statements, in this order: L first, then the snapshot.
    row = (await conn.execute(text("SELECT last_value, is_called FROM audit_events_seq"))).one()
    last = int(row.last_value) if row.is_called else int(row.last_value) - 1
    xmax = await conn.scalar(text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"))
    return Watermark(last, int(xmax))


async def _settled(engine: AsyncEngine, mark: Watermark, wait: float) -> bool:
    deadline = time.monotonic() + wait
    async with engine.connect() as conn:
        while True:
            xmin = await conn.scalar(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            )
            await conn.rollback()
            if int(xmin) >= mark.xmax:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.02)


async def head(conn: AsyncConnection) -> Head | None:
    row = (
        await conn.execute(
            text(
                "SELECT seq, hash FROM audit_events WHERE hash IS NOT NULL "
                "ORDER BY seq DESC LIMIT 1"
            )
        )
    ).first()
    return Head(int(row.seq), str(row.hash)) if row else None


async def _seal_batch(conn: AsyncConnection, up_to: int) -> int:
    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK})
    last = await head(conn)
    rows = (
        (
            await conn.execute(
                text(
                    "SELECT * FROM audit_events WHERE hash IS NULL AND seq > :after "
                    "AND seq <= :up_to ORDER BY seq LIMIT :n"
                ),
                {"after": last.seq if last else 0, "up_to": up_to, "n": BATCH},
            )
        )
        .mappings()
        .all()
    )
    prev = last.hash if last else GENESIS
    seqs, prevs, hashes = [], [], []
    for row in rows:
        link = link_hash(prev, dict(row))
        seqs.append(row["seq"])
        prevs.append(prev)
        hashes.append(link)
        prev = link
    if seqs:
        await conn.execute(
            text(
                "UPDATE audit_events AS a SET prev_hash = v.prev_hash, hash = v.hash "
                "FROM unnest(CAST(:seqs AS bigint[]), CAST(:prevs AS text[]), "
                "CAST(:hashes AS text[])) AS v(seq, prev_hash, hash) WHERE a.seq = v.seq"
            ),
            {"seqs": seqs, "prevs": prevs, "hashes": hashes},
        )
    return len(seqs)


async def seal(engine: AsyncEngine, *, wait: float = 30.0) -> int:
    """Chain every row that can no longer be joined by an earlier one; the count sealed.

    Waits up to ``wait`` seconds for transactions in flight to finish; if they
    have not, seals nothing now (the next run will).
    """
    async with engine.connect() as conn:
        mark = await watermark(conn)
    if not await _settled(engine, mark, wait):
        return 0
    sealed = 0
    while True:
        async with engine.begin() as conn:
            done = await _seal_batch(conn, mark.last_seq)
        sealed += done
        if done < BATCH:
            return sealed
