"""The chain's verification state for auditors, at a bounded cost per request.

``migreg audit verify`` walks the whole trail (every row since the first) and every
checkpoint. A page view cannot: the trail grows without bound. Here the newest
signed checkpoint is the anchor. Its signature is checked, the event it vouches
for must still be there with the same hash (else TRUNCATED or REWRITTEN), and
only the events after it are re-hashed, at most ``MAX_ROWS`` of them: the
checkpoint interval (five minutes by default) keeps that to the traffic of a few
minutes. Without checkpoints only the newest ``MAX_ROWS`` events are checked,
and the answer says so. History before the anchor is what the scheduled full
``migreg audit verify`` covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.audit import checkpoints
from services.registry.audit.chain import link_hash
from services.registry.audit.checkpoints import Checkpoint
from services.registry.audit.verify import (
    ALTERED,
    ChainWalk,
    VerifyResult,
    forged,
    missing,
    rewritten,
    truncated,
)
from services.registry.settings import RegistrySettings

# Events re-hashed per request at most (a few milliseconds' work each thousand).
MAX_ROWS = 10_000

Status = Literal["intact", "broken", "incomplete"]
Scope = Literal["since_checkpoint", "newest_events"]


@dataclass(frozen=True)
class Verification:
    status: Status
    scope: Scope
    checked: int
    verified_from_seq: int | None
    verified_through_seq: int | None
    verified_through_time: datetime | None
    unsealed: int
    reason: str | None = None
    broken_seq: int | None = None
    checkpoint: Checkpoint | None = None


@dataclass(frozen=True)
class _Anchor:
    """Where the walk starts: the checkpoint's row, or the oldest row of the window."""

    scope: Scope
    seq: int | None
    row: Mapping[str, Any] | None
    checkpoint: Checkpoint | None = None


async def verify_recent(session: AsyncSession, settings: RegistrySettings) -> Verification:
    anchor = await _anchor(session, settings)
    if isinstance(anchor, Verification):
        return anchor
    return await _walk_after(session, anchor)


async def _anchor(session: AsyncSession, settings: RegistrySettings) -> _Anchor | Verification:
    directory, key_file = settings.audit_checkpoint_dir, settings.audit_checkpoint_key_file
    filed = None
    if directory is not None and key_file is not None:
        key = checkpoints.load_private_key(key_file).public_key()
        filed = checkpoints.newest(directory, key)
    if filed is None:
        seq = await session.scalar(
            text(
                "SELECT seq FROM audit_events WHERE hash IS NOT NULL "
                "ORDER BY seq DESC OFFSET :n LIMIT 1"
            ),
            {"n": MAX_ROWS},
        )
        row = None if seq is None else await _row(session, seq)
        if row is not None and link_hash(row["prev_hash"], row) != row["hash"]:
            return _broken(ALTERED, seq, None, "newest_events")
        return _Anchor("newest_events", seq, row)
    cp = filed.checkpoint
    if cp is None:
        return _broken(forged(filed), None, None)
    row = await _row(session, cp.seq)
    head = await session.scalar(text("SELECT max(seq) FROM audit_events WHERE hash IS NOT NULL"))
    reason = _against(cp, row, head)
    if reason is not None:
        return _broken(reason, cp.seq, cp)
    return _Anchor("since_checkpoint", cp.seq, row, cp)


def _against(cp: Checkpoint, row: Mapping[str, Any] | None, head: int | None) -> str | None:
    if head is None or head < cp.seq:
        return truncated(head, cp)
    if row is None or row["hash"] is None:
        return missing(cp)
    if row["hash"] != cp.hash:
        return rewritten(cp)
    if link_hash(row["prev_hash"], row) != row["hash"]:
        return ALTERED
    return None


async def _walk_after(session: AsyncSession, anchor: _Anchor) -> Verification:
    walk = ChainWalk()
    last_time = None
    if anchor.row is not None:
        walk.head_seq, walk.head_hash = anchor.seq, anchor.row["hash"]
        last_time = anchor.row["occurred_at"]
    rows = await session.execute(
        text("SELECT * FROM audit_events WHERE seq > :after ORDER BY seq LIMIT :n"),
        {"after": anchor.seq if anchor.seq is not None else -1, "n": MAX_ROWS + 1},
    )
    seen = 0
    for mapping in rows.mappings():
        row = dict(mapping)
        seen += 1
        if seen > MAX_ROWS:
            break
        failed = walk.take(row)
        if failed is not None:
            return _from(failed, anchor, last_time)
        if row["hash"] is not None:
            last_time = row["occurred_at"]
    status: Status = "incomplete" if seen > MAX_ROWS else "intact"
    return Verification(
        status,
        anchor.scope,
        walk.checked,
        anchor.seq,
        walk.head_seq,
        last_time,
        walk.unsealed,
        checkpoint=anchor.checkpoint,
    )


def _from(failed: VerifyResult, anchor: _Anchor, last_time: datetime | None) -> Verification:
    return Verification(
        "broken",
        anchor.scope,
        failed.checked,
        anchor.seq,
        failed.head_seq,
        last_time,
        failed.unsealed,
        failed.reason,
        failed.broken_seq,
        anchor.checkpoint,
    )


def _broken(
    reason: str, seq: int | None, cp: Checkpoint | None, scope: Scope = "since_checkpoint"
) -> Verification:
    return Verification("broken", scope, 0, seq, None, None, 0, reason, seq, checkpoint=cp)


async def _row(session: AsyncSession, seq: int) -> Mapping[str, Any] | None:
    result = await session.execute(text("SELECT * FROM audit_events WHERE seq = :s"), {"s": seq})
    found = result.mappings().first()
    return None if found is None else dict(found)
